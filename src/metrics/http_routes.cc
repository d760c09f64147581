#include "metrics/http_routes.h"

#include <exception>

namespace stillpoint::metrics {
namespace {

HttpReply text(unsigned status, std::string body) {
  HttpReply r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

// The value of `key` in a query string ("a=1&advance=5m"), without percent-decoding (a Go
// duration needs none); empty when absent.
std::string_view query_value(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    if (pair.size() > key.size() && pair.substr(0, key.size()) == key && pair[key.size()] == '=') {
      return pair.substr(key.size() + 1);
    }
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return {};
}

HttpReply advance_clock(std::string_view target, const EndpointHandlers& handlers) {
  const size_t q = target.find('?');
  const std::string_view by =
      q == std::string_view::npos ? std::string_view() : query_value(target.substr(q + 1), "advance");
  if (by.empty()) return text(400, "/debug/clock: say how far to move it: ?advance=5m\n");
  try {
    return text(200, handlers.advance_clock(by) + "\n");
  } catch (const std::invalid_argument& e) {
    return text(400, std::string("/debug/clock: ") + e.what() + "\n");
  }
}

HttpReply answer(std::string_view path, const EndpointHandlers& handlers) {
  if (path == "/healthz") {
    return text(200, "ok\n");
  }
  if (path == "/readyz") {
    if (!handlers.readiness) {
      return text(200, "ok\n");
    }
    Readiness r = handlers.readiness();
    if (r.ready) {
      return text(200, "ok\n");
    }
    return text(
        503, "not ready: " + (r.reason.empty() ? std::string("no reason given") : r.reason) + "\n");
  }
  // path == "/metrics", with a callback (route() checked both)
  HttpReply r = text(200, handlers.metrics());
  r.content_type = std::string(kMetricsContentType);
  return r;
}

}  // namespace

HttpReply route(std::string_view method,
                std::string_view target,
                const EndpointHandlers& handlers) {
  std::string_view path = target.substr(0, target.find('?'));
  const bool clock = path == "/debug/clock" && handlers.advance_clock;
  const bool known = path == "/healthz" || path == "/readyz" ||
                     (path == "/metrics" && handlers.metrics) || clock;
  if (!known) {
    return text(404, "404 page not found\n");
  }
  const std::string_view allowed = clock ? "POST" : "GET";
  if (method != allowed) {
    HttpReply r =
        text(405, "method " + std::string(method) + " not allowed on " + std::string(path) + "\n");
    r.headers.emplace_back("Allow", std::string(allowed));
    return r;
  }
  // The callbacks are the server's; one that throws must not end the connection's coroutine
  // without an answer, nor the endpoints.
  try {
    if (clock) return advance_clock(target, handlers);
    return answer(path, handlers);
  } catch (const std::exception& e) {
    return text(500, std::string(path) + ": " + e.what() + "\n");
  } catch (...) {
    return text(500, std::string(path) + ": unknown exception\n");
  }
}

}  // namespace stillpoint::metrics
