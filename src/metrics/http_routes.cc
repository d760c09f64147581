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
  const bool known =
      path == "/healthz" || path == "/readyz" || (path == "/metrics" && handlers.metrics);
  if (!known) {
    return text(404, "404 page not found\n");
  }
  if (method != "GET") {
    HttpReply r =
        text(405, "method " + std::string(method) + " not allowed on " + std::string(path) + "\n");
    r.headers.emplace_back("Allow", "GET");
    return r;
  }
  // The callbacks are the server's; one that throws must not end the connection's coroutine
  // without an answer, nor the endpoints.
  try {
    return answer(path, handlers);
  } catch (const std::exception& e) {
    return text(500, std::string(path) + ": " + e.what() + "\n");
  } catch (...) {
    return text(500, std::string(path) + ": unknown exception\n");
  }
}

}  // namespace stillpoint::metrics
