#include <gtest/gtest.h>

#include "kube/api_status.h"
#include "kube/rate_limiter.h"
#include "kube/retry_policy.h"
#include "kube/server_url.h"

namespace stillpoint::kube {
namespace {

using std::chrono::milliseconds;

TEST(ServerUrl, SplitsHostPortAndPrefix) {
  auto a = parse_server_url("https://10.0.0.1:6443");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->host, "10.0.0.1");
  EXPECT_EQ(a->port, "6443");
  EXPECT_EQ(a->prefix, "");
  EXPECT_TRUE(a->host_is_ip);

  auto b = parse_server_url("https://rancher.example.com/k8s/clusters/c-x/");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->host, "rancher.example.com");
  EXPECT_EQ(b->port, "443");
  EXPECT_EQ(b->prefix, "/k8s/clusters/c-x");
  EXPECT_FALSE(b->host_is_ip);

  auto c = parse_server_url("https://[fd00::1]:6443");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->host, "fd00::1");
  EXPECT_EQ(c->authority(), "[fd00::1]:6443");
  EXPECT_TRUE(c->host_is_ip);

  for (const char* bad : {"http://k:80", "https://", "https://k:99999", "https://k:x",
                          "https://[fd00::1", "https://u:p@k"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_server_url(bad));
  }
}

// API errors keep the server's message, reason and HTTP code; non-JSON bodies are quoted.
TEST(ApiStatus, ErrorsCarryMessageReasonAndCode) {
  auto e = error_from_response(
      404,
      R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"pods \"nope\" not found","reason":"NotFound","details":{"name":"nope","kind":"pods"},"code":404})");
  EXPECT_EQ(e.code, core::ErrorCode::NotFound);
  EXPECT_EQ(e.message, "pods \"nope\" not found (NotFound, HTTP 404)");

  auto plain = error_from_response(404, "404 page not found\n");
  EXPECT_EQ(plain.code, core::ErrorCode::NotFound);
  EXPECT_EQ(plain.message, "404 page not found (HTTP 404)");

  EXPECT_EQ(error_from_response(
                410, R"({"status":"Failure","message":"too old","reason":"Expired","code":410})")
                .code,
            core::ErrorCode::Gone);
  EXPECT_EQ(error_from_response(409, "{}").code, core::ErrorCode::Conflict);
  EXPECT_EQ(error_from_response(422, "").code, core::ErrorCode::InvalidArgument);
  EXPECT_EQ(error_from_response(403, "").code, core::ErrorCode::Forbidden);
  EXPECT_EQ(error_from_response(429, "").code, core::ErrorCode::Unavailable);
  EXPECT_EQ(error_from_response(503, "").code, core::ErrorCode::Unavailable);
  EXPECT_EQ(error_from_response(504, "").code, core::ErrorCode::Timeout);
  EXPECT_EQ(error_from_response(500, "").message, "empty response body (HTTP 500)");

  auto exec_status = parse_status(
      R"({"metadata":{},"status":"Failure","message":"m","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}})");
  ASSERT_TRUE(exec_status);  // channel 3 omits kind and apiVersion
  EXPECT_EQ(exec_status->reason, "NonZeroExitCode");
  EXPECT_FALSE(parse_status(R"({"kind":"Pod","status":{}})"));
}

// Token bucket: `burst` requests go at once, the next ones are spaced 1/qps apart in call
// order, and idle time refills up to the burst.
TEST(RateLimiter, BurstThenQps) {
  RateLimiter limiter(10, 3);
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_EQ(limiter.reserve(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(limiter.reserve(t0), RateLimiter::Clock::duration::zero());
  EXPECT_EQ(std::chrono::round<milliseconds>(limiter.reserve(t0)), milliseconds(100));
  EXPECT_EQ(std::chrono::round<milliseconds>(limiter.reserve(t0)), milliseconds(200));
  // 10 s later the bucket is full again, not 100 tokens.
  const auto later = t0 + std::chrono::seconds(10);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(limiter.reserve(later), RateLimiter::Clock::duration::zero());
  }
  EXPECT_GT(limiter.reserve(later), RateLimiter::Clock::duration::zero());

  RateLimiter unlimited(0, 0);
  for (int i = 0; i < 1000; ++i) {
    ASSERT_EQ(unlimited.reserve(t0), RateLimiter::Clock::duration::zero());
  }
}

// 429 is retried for every method and honours Retry-After (capped); so is a 5xx that carries
// Retry-After (the server asks for it); other 5xx and transport failures only for idempotent
// methods; 4xx never; the attempt budget ends retries.
TEST(RetryPolicy, RetriesOnlyWhatIsSafe) {
  EXPECT_EQ(retry_delay("POST", Outcome{429, "2"}, 1), milliseconds(2000));
  EXPECT_EQ(retry_delay("GET", Outcome{429, "3600"}, 1), kMaxRetryAfter);
  EXPECT_EQ(retry_delay("GET", Outcome{429, std::nullopt}, 1), kInitialBackoff);
  EXPECT_EQ(retry_delay("GET", Outcome{503, std::nullopt}, 2), kInitialBackoff * 2);
  EXPECT_EQ(retry_delay("GET", Outcome{500, "1"}, 1), milliseconds(1000));
  EXPECT_EQ(retry_delay("GET", Outcome{std::nullopt, std::nullopt}, 1), kInitialBackoff);
  EXPECT_FALSE(retry_delay("POST", Outcome{500, std::nullopt}, 1));
  EXPECT_EQ(retry_delay("POST", Outcome{500, "1"}, 1), milliseconds(1000));
  EXPECT_FALSE(retry_delay("POST", Outcome{500, "1"}, kMaxAttempts));
  EXPECT_FALSE(retry_delay("POST", Outcome{404, "1"}, 1));
  EXPECT_FALSE(retry_delay("PATCH", Outcome{std::nullopt, std::nullopt}, 1));
  EXPECT_FALSE(retry_delay("GET", Outcome{404, std::nullopt}, 1));
  EXPECT_FALSE(retry_delay("GET", Outcome{409, std::nullopt}, 1));
  EXPECT_FALSE(retry_delay("GET", Outcome{429, "1"}, kMaxAttempts));
  EXPECT_EQ(retry_delay("GET", Outcome{503, "soon"}, 1), kInitialBackoff);  // unparsable header
  EXPECT_LE(*retry_delay("GET", Outcome{503, std::nullopt}, kMaxAttempts - 1), kMaxBackoff);
}

}  // namespace
}  // namespace stillpoint::kube
