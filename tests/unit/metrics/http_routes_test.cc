#include "metrics/http_routes.h"

#include <stdexcept>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stillpoint::metrics {
namespace {

EndpointHandlers handlers(bool ready) {
  EndpointHandlers h;
  h.readiness = [ready] { return Readiness{ready, ready ? "" : "not the leader"}; };
  h.metrics = [] { return std::string("stillpoint_backups 3\n"); };
  return h;
}

// Each path and method gets its status, content type and body.
TEST(HttpRoutes, AnswersByPathAndMethod) {
  struct Case {
    const char* name;
    const char* method;
    const char* target;
    bool ready;
    unsigned status;
    std::string body_has;
  };
  for (const Case& c : std::vector<Case>{
           {"healthz", "GET", "/healthz", true, 200, "ok"},
           {"healthz while not ready", "GET", "/healthz", false, 200, "ok"},
           {"readyz ready", "GET", "/readyz", true, 200, "ok"},
           {"readyz not ready", "GET", "/readyz", false, 503, "not the leader"},
           {"metrics", "GET", "/metrics", true, 200, "stillpoint_backups 3"},
           {"query string ignored", "GET", "/metrics?x=1", true, 200, "stillpoint_backups 3"},
           {"unknown path", "GET", "/", true, 404, "not found"},
           {"prefix is not the path", "GET", "/metricsz", true, 404, "not found"},
           {"post", "POST", "/metrics", true, 405, "POST"},
           {"lowercase method", "get", "/healthz", true, 405, "get"},
           {"head", "HEAD", "/readyz", true, 405, "HEAD"},
           {"unknown path and method", "DELETE", "/x", true, 404, "not found"},
       }) {
    SCOPED_TRACE(c.name);
    const HttpReply r = route(c.method, c.target, handlers(c.ready));
    EXPECT_EQ(r.status, c.status);
    EXPECT_NE(r.body.find(c.body_has), std::string::npos) << r.body;
    if (c.status == 405) {
      ASSERT_EQ(r.headers.size(), 1u);
      EXPECT_EQ(r.headers[0].first, "Allow");
      EXPECT_EQ(r.headers[0].second, "GET");
    }
  }
}

// /metrics carries the content type of the text format 0.0.4; the others are plain text.
TEST(HttpRoutes, MetricsCarryTheTextFormatContentType) {
  EXPECT_EQ(route("GET", "/metrics", handlers(true)).content_type,
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_EQ(route("GET", "/healthz", handlers(true)).content_type, "text/plain; charset=utf-8");
}

// Without callbacks: always ready, and no /metrics.
TEST(HttpRoutes, EmptyHandlersMeanReadyAndNoMetrics) {
  EndpointHandlers none;
  EXPECT_EQ(route("GET", "/readyz", none).status, 200u);
  EXPECT_EQ(route("GET", "/metrics", none).status, 404u);
}

// A callback that throws gives 500 with its message instead of ending the connection.
TEST(HttpRoutes, ThrowingCallbackGives500) {
  EndpointHandlers h;
  h.metrics = []() -> std::string { throw std::runtime_error("registry gone"); };
  const HttpReply r = route("GET", "/metrics", h);
  EXPECT_EQ(r.status, 500u);
  EXPECT_NE(r.body.find("registry gone"), std::string::npos);
}

// A not-ready answer without a reason still says so.
TEST(HttpRoutes, NotReadyWithoutReasonSaysSo) {
  EndpointHandlers h;
  h.readiness = [] { return Readiness{false, ""}; };
  const HttpReply r = route("GET", "/readyz", h);
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.body, "not ready: no reason given\n");
}

}  // namespace
}  // namespace stillpoint::metrics
