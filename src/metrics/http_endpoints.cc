#include "metrics/http_endpoints.h"

#include <chrono>
#include <exception>
#include <set>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

#include "metrics/http_messages.h"

namespace stillpoint::metrics {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

constexpr auto kTuple = net::as_tuple(net::use_awaitable);

// A keep-alive connection may sit idle this long, and a request must arrive whole within it
// (a slow sender cannot hold a connection forever). Prometheus reconnects if its idle
// connection was closed; the kubelet opens one per probe.
constexpr auto kRequestTimeout = std::chrono::seconds(30);
// Writing one answer: the largest is /metrics, tens of KiB.
constexpr auto kWriteTimeout = std::chrono::seconds(10);
// After an error answer we close; reading what the client still sends for this long first
// keeps the kernel from resetting the connection before the client has read the answer.
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr std::size_t kLingerBytes = 256 * 1024;
// A failed accept (descriptor table full) is retried after this pause instead of spinning.
constexpr auto kAcceptRetryPause = std::chrono::milliseconds(100);

}  // namespace

struct HttpEndpoints::State {
  State(net::any_io_executor ex, EndpointHandlers h)
      : executor(ex), acceptor(ex), handlers(std::move(h)) {}

  net::any_io_executor executor;
  tcp::acceptor acceptor;
  EndpointHandlers handlers;
  std::set<beast::tcp_stream*> streams;  // the open connections; touched on `executor` only
  bool stopped = false;
};

namespace {

using State = HttpEndpoints::State;

// Reads and drops what the peer still sends, until it closes, kLingerBytes or kLingerTimeout.
net::awaitable<void> linger(beast::tcp_stream& stream) {
  stream.expires_after(kLingerTimeout);
  char scratch[4096];
  std::size_t total = 0;
  while (total < kLingerBytes) {
    auto [ec, n] = co_await stream.async_read_some(net::buffer(scratch), kTuple);
    if (ec)
      break;
    total += n;
  }
}

// One connection: requests answered in order until the client closes, a deadline passes, a
// request cannot be read, or stop(). `st` is shared with the endpoints and every connection.
net::awaitable<void> session(std::shared_ptr<State> st, tcp::socket socket) {
  beast::tcp_stream stream(std::move(socket));
  st->streams.insert(&stream);
  struct Unregister {
    State& st;
    beast::tcp_stream* stream;
    ~Unregister() { st.streams.erase(stream); }
  } unregister{*st, &stream};

  beast::flat_buffer buffer(kMaxBufferedBytes);
  bool answered_error = false;
  for (;;) {
    RequestParser parser;
    apply_limits(parser);
    stream.expires_after(kRequestTimeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, kTuple);
    if (st->stopped || (ec && is_disconnect(ec))) {
      co_return;
    }
    HttpResponse res;
    bool keep_alive = false;
    if (ec) {
      res = to_response(reply_for_read_error(ec), 11, false);
      answered_error = true;
    } else {
      const auto& req = parser.get();
      keep_alive = req.keep_alive();
      res = to_response(route(req.method_string(), req.target(), st->handlers), req.version(),
                        keep_alive);
    }
    stream.expires_after(kWriteTimeout);
    auto [wec, wn] = co_await http::async_write(stream, res, kTuple);
    if (wec || st->stopped) {
      co_return;
    }
    if (!keep_alive) {
      break;
    }
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  if (answered_error) {
    co_await linger(stream);
  }
}

net::awaitable<void> accept_loop(std::shared_ptr<State> st) {
  for (;;) {
    auto [ec, socket] = co_await st->acceptor.async_accept(kTuple);
    if (st->stopped || !st->acceptor.is_open()) {
      co_return;
    }
    if (ec) {
      net::steady_timer pause(st->executor, kAcceptRetryPause);
      co_await pause.async_wait(kTuple);
      continue;
    }
    if (st->streams.size() >= kMaxConnections) {
      continue;  // `socket` closes here: the client sees a reset and retries
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    // Exceptions (allocation failure) end that connection only; the completion handler keeps
    // them from reaching io_context::run().
    net::co_spawn(st->executor, session(st, std::move(socket)), [](std::exception_ptr) {});
  }
}

}  // namespace

core::Result<std::unique_ptr<HttpEndpoints>> HttpEndpoints::start(net::any_io_executor ex,
                                                                  ListenAddress where,
                                                                  EndpointHandlers handlers) {
  const std::string shown =
      (where.host.find(':') != std::string::npos ? "[" + where.host + "]" : where.host) + ":" +
      std::to_string(where.port);
  boost::system::error_code ec;
  const auto address = net::ip::make_address(where.host, ec);
  if (ec) {
    return core::unexpected(
        core::ErrorCode::InvalidArgument,
        "listen address " + shown + ": host \"" + where.host + "\" is not an IP address");
  }
  auto st = std::make_shared<State>(ex, std::move(handlers));
  const tcp::endpoint endpoint(address, where.port);
  st->acceptor.open(endpoint.protocol(), ec);
  if (!ec) {
    // A restarted server binds again at once, past connections of its predecessor still in
    // TIME_WAIT.
    st->acceptor.set_option(net::socket_base::reuse_address(true), ec);
  }
  if (!ec)
    st->acceptor.bind(endpoint, ec);
  if (!ec)
    st->acceptor.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    return core::unexpected(core::ErrorCode::Unavailable,
                            "listen on " + shown + ": " + ec.message());
  }
  std::unique_ptr<HttpEndpoints> out(new HttpEndpoints(st));
  out->port_ = st->acceptor.local_endpoint().port();
  net::co_spawn(ex, accept_loop(st), [](std::exception_ptr) {});
  return out;
}

HttpEndpoints::~HttpEndpoints() {
  stop();
}

uint16_t HttpEndpoints::port() const {
  return port_;
}

void HttpEndpoints::stop() {
  net::dispatch(st_->executor, [st = st_] {
    if (st->stopped) {
      return;
    }
    st->stopped = true;
    beast::error_code ignored;
    st->acceptor.close(ignored);
    // Pending reads and writes end with operation_aborted; each session then sees `stopped`.
    for (auto* stream : st->streams)
      stream->close();
  });
}

}  // namespace stillpoint::metrics
