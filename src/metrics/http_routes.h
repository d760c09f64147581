// What the metrics and health endpoints answer, as a pure function of method, target and the
// server's callbacks: GET /healthz, /readyz and /metrics, POST /debug/clock on a server started
// with --test-clock; 404 and 405 for the rest.
//
// It deliberately knows no sockets and no HTTP framing (http_messages.h parses and frames,
// http_endpoints.h serves), so it is tested and fuzzed without a network.
#pragma once

#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stillpoint::metrics {

// The content type Prometheus asks for the text exposition format 0.0.4.
inline constexpr std::string_view kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// Whether the process should receive work now (a Kubernetes readiness probe). `reason` says why
// not, for the probe's event and for a person running curl.
struct Readiness {
  bool ready = true;
  std::string reason;
};

// The server's side of the endpoints. Both are called on the endpoints' executor, once per
// request, and must not block: /metrics renders from memory, readiness reads a flag.
struct EndpointHandlers {
  std::function<Readiness()> readiness;  // empty: always ready
  std::function<std::string()> metrics;  // empty: /metrics answers 404
  // `stillpoint server --test-clock` only: moves the server's clock forward by the Go duration
  // in the query's `advance=` and returns the new time (RFC 3339), or throws
  // std::invalid_argument with what is wrong (400). Empty: /debug/clock answers 404.
  std::function<std::string(std::string_view advance)> advance_clock;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra fields (Allow on 405)
};

// GET /healthz: 200 "ok" for as long as the process answers at all (liveness).
// GET /readyz: 200 "ok" when handlers.readiness() says ready, else 503 with its reason.
// GET /metrics: 200, kMetricsContentType, handlers.metrics().
// POST /debug/clock?advance=5m: 200 and handlers.advance_clock("5m"); 400 without `advance=`.
// The query string is ignored. Any other path: 404; another method on a known path: 405 with
// Allow: GET. A callback that throws gives 500 with the exception's message.
HttpReply route(std::string_view method, std::string_view target, const EndpointHandlers& handlers);

}  // namespace stillpoint::metrics
