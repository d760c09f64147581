// Scenario benchmark for kubesim (issue 3 targets, docs/performance.md "kubesim"):
//   1. a full list of 10,000 (virtual) pods, one request, under 1 s;
//   2. exec round trip of `true` over WSS v5 (new TLS connection each time, like kubectl),
//      median under 5 ms;
//   3. 200 concurrent execs all completing.
// `kubesim_bench N list` runs only the create and list phase (to profile it, e.g. under
// `perf record --call-graph dwarf`, without the execs).
// kubesim runs in-process on 127.0.0.1:0; the client is a small Beast client on its own
// thread, so both share the machine's 2 cores as they would in CI.
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "kubesim.h"

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = net::ip::tcp;
using Clock = std::chrono::steady_clock;
using Stream = beast::ssl_stream<beast::tcp_stream>;
constexpr auto kTuple = net::as_tuple(net::use_awaitable);

struct Client {
  net::io_context io;
  net::ssl::context ssl{net::ssl::context::tls_client};
  uint16_t port;
  std::string token;
};

net::awaitable<Stream> connect(Client& c) {
  Stream s(co_await net::this_coro::executor, c.ssl);
  co_await beast::get_lowest_layer(s).async_connect(
      tcp::endpoint(net::ip::make_address("127.0.0.1"), c.port), net::use_awaitable);
  beast::get_lowest_layer(s).socket().set_option(tcp::no_delay(true));
  co_await s.async_handshake(net::ssl::stream_base::client, net::use_awaitable);
  co_return s;
}

net::awaitable<http::response<http::string_body>> request(Client& c, Stream& s, http::verb verb,
                                                          std::string target, std::string body) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, "127.0.0.1");
  req.set(http::field::authorization, "Bearer " + c.token);
  req.set(http::field::content_type, "application/json");
  req.body() = std::move(body);
  req.prepare_payload();
  co_await http::async_write(s, req, net::use_awaitable);
  beast::flat_buffer buf;
  http::response_parser<http::string_body> parser;
  parser.body_limit(1ull << 31);
  co_await http::async_read(s, buf, parser, net::use_awaitable);
  co_return parser.release();
}

// One exec over WSS v5; returns the channel-3 status text.
net::awaitable<std::string> exec(Client& c, std::string pod, std::vector<std::string> cmd) {
  Stream s = co_await connect(c);
  websocket::stream<Stream> ws(std::move(s));
  ws.set_option(websocket::stream_base::decorator([&c](websocket::request_type& r) {
    r.set(http::field::authorization, "Bearer " + c.token);
    r.set(http::field::sec_websocket_protocol, "v5.channel.k8s.io, v4.channel.k8s.io");
  }));
  std::string target = "/api/v1/namespaces/default/pods/" + pod + "/exec?stdout=true&stderr=true";
  for (const auto& a : cmd) {
    target += "&command=" + a;
  }
  co_await ws.async_handshake("127.0.0.1", target, net::use_awaitable);
  std::string status;
  for (;;) {
    beast::flat_buffer buf;
    auto [ec, n] = co_await ws.async_read(buf, kTuple);
    if (ec) {
      break;
    }
    auto data = static_cast<const char*>(buf.data().data());
    if (buf.size() > 0 && data[0] == 3) {
      status.assign(data + 1, buf.size() - 1);
    }
  }
  co_return status;
}

// Free coroutines rather than capturing coroutine lambdas: GCC 12 miscompiles the latter
// with string literals inside.
net::awaitable<int> create_pods(Client& c, int pods) {
  Stream s = co_await connect(c);
  for (int i = 0; i < pods; ++i) {
    std::string name = "p-" + std::to_string(i);
    std::string shard = std::to_string(i % 10);
    std::string body = std::string("{\"metadata\":{\"name\":\"") + name +
                       "\",\"labels\":{\"app\":\"bench\",\"shard\":\"" + shard +
                       "\"},\"annotations\":{\"kubesim.stillpoint.io/virtual\":\"true\"}},"
                       "\"spec\":{\"containers\":[{\"name\":\"app\",\"image\":\"debian:12\","
                       "\"command\":[\"sleep\",\"infinity\"],\"env\":[{\"name\":\"A\",\"value\":\"1\"}]}]}}";
    auto r = co_await request(c, s, http::verb::post, "/api/v1/namespaces/default/pods", body);
    if (r.result_int() != 201) {
      std::fprintf(stderr, "create %d: %d %s\n", i, r.result_int(), r.body().c_str());
    }
  }
  co_return 0;
}

net::awaitable<size_t> list_all(Client& c) {
  Stream s = co_await connect(c);
  auto r = co_await request(c, s, http::verb::get, "/api/v1/pods", "");
  co_return r.body().size();
}

net::awaitable<void> concurrent_exec(Client& c, int* done, int i) {
  std::vector<std::string> cmd = {"sh", "-c", "sleep+0.5;echo+ok"};
  std::string st = co_await exec(c, "p-" + std::to_string(i), cmd);
  *done += st.find("Success") != std::string::npos;
}

template <class T>
T run(Client& c, net::awaitable<T> a) {
  auto f = net::co_spawn(c.io, std::move(a), net::use_future);
  c.io.restart();
  c.io.run();
  return f.get();
}

double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<size_t>(p * v.size()))];
}

int main(int argc, char** argv) {
  int pods = argc > 1 ? std::stoi(argv[1]) : 10000;
  // `kubesim_bench N list`: create and list only (to profile those phases without the execs).
  bool list_only = argc > 2 && std::string(argv[2]) == "list";
  auto dir = std::filesystem::temp_directory_path() / "kubesim-bench";
  std::filesystem::remove_all(dir);
  stillpoint::kubesim::Options o;
  o.data_dir = dir / "data";
  o.kubeconfig = dir / "kubeconfig";
  auto server = stillpoint::kubesim::Server::start(o);
  if (!server) {
    std::fprintf(stderr, "start: %s\n", server.error().message.c_str());
    return 1;
  }
  Client c;
  c.port = (*server)->port();
  c.token = (*server)->token();
  c.ssl.add_certificate_authority(net::buffer((*server)->ca_pem()));
  c.ssl.set_verify_mode(net::ssl::verify_peer);

  // 1. Create and list.
  auto t0 = Clock::now();
  run(c, create_pods(c, pods));
  double create_s = ms(Clock::now() - t0) / 1000;
  std::printf("create %d virtual pods: %.2f s (%.0f pods/s)\n", pods, create_s, pods / create_s);
  std::vector<double> list_ms;
  size_t bytes = 0;
  for (int rep = 0; rep < 5; ++rep) {
    auto t = Clock::now();
    bytes = run(c, list_all(c));
    list_ms.push_back(ms(Clock::now() - t));
  }
  std::printf("full list of %d pods (%.1f MB, new TLS connection): median %.0f ms, max %.0f ms\n",
              pods, bytes / 1e6, percentile(list_ms, 0.5), percentile(list_ms, 1.0));

  if (list_only) {
    (*server)->stop();
    std::filesystem::remove_all(dir);
    return 0;
  }

  // 2. Exec round trip, sequential.
  std::vector<double> exec_ms;
  int ok = 0;
  for (int i = 0; i < 300; ++i) {
    auto t = Clock::now();
    std::string st = run(c, exec(c, "p-1", std::vector<std::string>{"true"}));
    exec_ms.push_back(ms(Clock::now() - t));
    ok += st.find("Success") != std::string::npos;
  }
  std::printf("exec `true` round trip (TLS connect + upgrade + run + status), %zu runs, %d ok: "
              "median %.2f ms, p90 %.2f ms, p99 %.2f ms\n",
              exec_ms.size(), ok, percentile(exec_ms, 0.5), percentile(exec_ms, 0.9),
              percentile(exec_ms, 0.99));

  // 3. 200 concurrent execs.
  int concurrent = 200;
  int done = 0;
  auto t3 = Clock::now();
  for (int i = 0; i < concurrent; ++i) {
    net::co_spawn(c.io, concurrent_exec(c, &done, i), net::detached);
  }
  c.io.restart();
  c.io.run();
  std::printf("%d concurrent execs (sh -c 'sleep 0.5; echo ok'): %d completed successfully in "
              "%.2f s\n",
              concurrent, done, ms(Clock::now() - t3) / 1000);
  (*server)->stop();
  std::filesystem::remove_all(dir);
  return done == concurrent && ok == static_cast<int>(exec_ms.size()) ? 0 : 1;
}
