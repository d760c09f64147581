// What the server's sessions share: the I/O context, TLS context, API state, faults, the pod
// runtime. Internal to kubesim's server files (it pulls in Beast).
#pragma once

#include <atomic>
#include <thread>

#include "pch.h"
#include "api.h"
#include "faults.h"
#include "kubesim.h"
#include "registry.h"
#include "store.h"
#include "tls_material.h"

namespace stillpoint::kubesim {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using Stream = beast::ssl_stream<beast::tcp_stream>;
using HttpRequest = http::request<http::string_body>;

class PodRuntime;
class Controllers;

struct Server::State {
  // Teardown order matters: the pod runtime and the acceptor go while the io_context lives;
  // then the io_context, whose destruction destroys suspended session coroutines, whose
  // locals still reference the TLS context and the store below.
  ~State();

  std::unique_ptr<net::io_context> io_owner = std::make_unique<net::io_context>(1);
  net::io_context& io = *io_owner;
  Options options;
  net::ssl::context ssl{net::ssl::context::tls_server};
  std::unique_ptr<tcp::acceptor> acceptor_owner = std::make_unique<tcp::acceptor>(io);
  tcp::acceptor& acceptor = *acceptor_owner;
  Store store;
  Registry registry;
  Api api{store, registry};
  Faults faults;
  std::atomic<bool> exec_v5{true};  // ExecProtocols::V5AndV4
  std::unique_ptr<PodRuntime> runtime;
  std::unique_ptr<Controllers> controllers;
  TlsMaterial tls;
  std::string token;
  uint16_t port = 0;
  std::thread thread;
  bool stopped = false;
  std::atomic<int> sessions{0};
  std::atomic<size_t> abandoned_execs{0};  // Server::abandoned_exec_sessions()
};

// Completion handler for detached coroutines: an escaped exception is logged, not fatal
// (a coroutine of one pod or one session must never take the server down).
struct LogException {
  const char* what;
  void operator()(std::exception_ptr e) const;
};

// Converts a Beast request into the API's Request (decoded path and query).
Request to_api_request(const HttpRequest& req);
// Writes a complete response; false when the connection failed.
net::awaitable<bool> write_response(Stream& stream, const Response& r, bool keep_alive,
                                    unsigned version);

// The exec subresource over WebSocket (v5/v4 channel protocols). Takes the connection over.
// `cut_after` > 0 (a fault): the connection drops once that many output bytes were sent.
net::awaitable<void> serve_exec(Server::State& st, Stream stream, HttpRequest req, long cut_after);

}  // namespace stillpoint::kubesim
