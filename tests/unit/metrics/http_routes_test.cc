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


// A server started with --test-clock moves its clock on POST /debug/clock?advance=<duration>;
// without --test-clock the path does not exist.
TEST(HttpRoutes, DebugClockOnlyWithATestClockAndOnlyByPost) {
  EndpointHandlers none;
  EXPECT_EQ(route("POST", "/debug/clock?advance=5m", none).status, 404u);

  std::vector<std::string> asked;
  EndpointHandlers h;
  h.advance_clock = [&](std::string_view by) {
    if (by == "bogus") throw std::invalid_argument("advance=bogus is not a duration");
    asked.emplace_back(by);
    return std::string("2026-01-01T00:05:00Z");
  };
  const HttpReply moved = route("POST", "/debug/clock?x=1&advance=5m", h);
  EXPECT_EQ(moved.status, 200u);
  EXPECT_EQ(moved.body, "2026-01-01T00:05:00Z\n");
  EXPECT_EQ(asked, std::vector<std::string>{"5m"});

  EXPECT_EQ(route("POST", "/debug/clock", h).status, 400u);
  EXPECT_EQ(route("POST", "/debug/clock?advanced=5m", h).status, 400u);
  const HttpReply bad = route("POST", "/debug/clock?advance=bogus", h);
  EXPECT_EQ(bad.status, 400u);
  EXPECT_NE(bad.body.find("advance=bogus is not a duration"), std::string::npos) << bad.body;

  const HttpReply get = route("GET", "/debug/clock?advance=5m", h);
  EXPECT_EQ(get.status, 405u);
  ASSERT_EQ(get.headers.size(), 1u);
  EXPECT_EQ(get.headers[0].second, "POST");
  EXPECT_EQ(asked.size(), 1u);  // neither the bad requests nor the GET moved it
}

}  // namespace
}  // namespace stillpoint::metrics
