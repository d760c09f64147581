// The server's HTTP endpoints for Kubernetes probes and Prometheus: GET /healthz, /readyz and
// /metrics (http_routes.h says what each answers) on a small HTTP/1.1 server over Boost.Beast,
// with keep-alive, bounded requests (http_messages.h) and deadlines on every read and write.
//
// It deliberately serves nothing else: no TLS, no authentication (the pod's port is reached
// from inside the cluster, as Velero's :8085 is), no request bodies, no chunked responses.
//
// Use, on the server's io_context thread:
//   metrics::ServerMetrics m;
//   auto where = metrics::parse_listen_address(":8085");  // Result: check it
//   metrics::EndpointHandlers h;
//   h.readiness = [&] {
//     return leader ? metrics::Readiness{} : metrics::Readiness{false, "not the leader"};
//   };
//   h.metrics = [&m] { return m.serialize(); };
//   auto endpoints = metrics::HttpEndpoints::start(io.get_executor(), *where, std::move(h));
//   ...
//   (*endpoints)->stop();  // before `m` and whatever readiness reads go away
#pragma once

#include <cstdint>
#include <memory>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.h"
#include "metrics/http_routes.h"
#include "metrics/listen_address.h"

namespace stillpoint::metrics {

// Connections served at once; one more is closed as soon as it is accepted. The kubelet's
// probes and one or two Prometheus servers need a handful.
inline constexpr std::size_t kMaxConnections = 64;

class HttpEndpoints {
 public:
  // Binds and listens on `where` before returning, then serves on `ex`, which must be
  // single-threaded (an io_context run by one thread): the connections' bookkeeping is not
  // locked. `handlers` are called on `ex`.
  // Errors: InvalidArgument for a host that is not an IP address; Unavailable naming the
  // address when it cannot be bound (in use, not local, no permission).
  static core::Result<std::unique_ptr<HttpEndpoints>> start(boost::asio::any_io_executor ex,
                                                            ListenAddress where,
                                                            EndpointHandlers handlers);

  HttpEndpoints(const HttpEndpoints&) = delete;
  HttpEndpoints& operator=(const HttpEndpoints&) = delete;
  ~HttpEndpoints();  // stop()

  // The bound port (the ephemeral one when ListenAddress::port was 0).
  uint16_t port() const;

  // Stops accepting and closes every connection, a request in progress included; no handler is
  // called once it has run. Called on `ex`'s thread it runs before returning; from another
  // thread it is posted to `ex`. Idempotent. The coroutines end soon after, so an io_context
  // with nothing else to do returns from run(). The endpoints must go before the io_context.
  void stop();

  // Defined in the .cc; named here so that the connection coroutines there can share it.
  struct State;

 private:
  explicit HttpEndpoints(std::shared_ptr<State> st) : st_(std::move(st)) {}
  std::shared_ptr<State> st_;
  uint16_t port_ = 0;
};

}  // namespace stillpoint::metrics
