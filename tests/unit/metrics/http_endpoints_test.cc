#include "metrics/http_endpoints.h"

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <gtest/gtest.h>

#include "unit/metrics/http_test_client.h"

namespace stillpoint::metrics {
namespace {

namespace net = boost::asio;
using testing::TestHttpClient;
using namespace std::string_literals;

// HttpEndpoints on 127.0.0.1, an ephemeral port, served by an io_context on its own thread.
class HttpEndpointsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EndpointHandlers h;
    h.readiness = [this] {
      return ready_ ? Readiness{} : Readiness{false, "waiting for the leader lease"};
    };
    h.metrics = [this] {
      ++scrapes_;
      return std::string(
          "# HELP stillpoint_backups Backups.\n# TYPE stillpoint_backups gauge\n"
          "stillpoint_backups 5\n");
    };
    auto started = HttpEndpoints::start(io_.get_executor(), {"127.0.0.1", 0}, std::move(h));
    ASSERT_TRUE(started) << started.error().message;
    endpoints_ = std::move(*started);
    ASSERT_NE(endpoints_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      stop();
      thread_.join();  // run() returns once the endpoints' coroutines have ended
    }
  }
  void stop() {
    net::post(io_, [this] { endpoints_->stop(); });
  }
  uint16_t port() const { return endpoints_->port(); }

  net::io_context io_;
  std::unique_ptr<HttpEndpoints> endpoints_;
  std::thread thread_;
  std::atomic<bool> ready_{true};
  std::atomic<int> scrapes_{0};
};

// GET /healthz answers 200 "ok".
TEST_F(HttpEndpointsTest, HealthzAnswersOk) {
  TestHttpClient c(port());
  ASSERT_TRUE(c.connected()) << c.error().message();
  auto res = c.request("GET", "/healthz");
  ASSERT_TRUE(res) << c.error().message();
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ(res->body(), "ok\n");
}

// GET /readyz follows the readiness predicate: 200, then 503 with the reason, then 200 again.
TEST_F(HttpEndpointsTest, ReadyzFollowsThePredicate) {
  TestHttpClient c(port());
  auto ready = c.request("GET", "/readyz");
  ASSERT_TRUE(ready) << c.error().message();
  EXPECT_EQ(ready->result_int(), 200u);
  ready_ = false;
  auto not_ready = c.request("GET", "/readyz");
  ASSERT_TRUE(not_ready) << c.error().message();
  EXPECT_EQ(not_ready->result_int(), 503u);
  EXPECT_NE(not_ready->body().find("waiting for the leader lease"), std::string::npos);
  ready_ = true;
  auto again = c.request("GET", "/readyz");
  ASSERT_TRUE(again) << c.error().message();
  EXPECT_EQ(again->result_int(), 200u);
}

// GET /metrics: 200, the text format's content type, the callback's body, called per request.
TEST_F(HttpEndpointsTest, MetricsServesTheCallbacksText) {
  TestHttpClient c(port());
  auto res = c.request("GET", "/metrics");
  ASSERT_TRUE(res) << c.error().message();
  EXPECT_EQ(res->result_int(), 200u);
  EXPECT_EQ((*res)[boost::beast::http::field::content_type],
            "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(res->body().find("stillpoint_backups 5\n"), std::string::npos);
  EXPECT_EQ(scrapes_, 1);
}

// Other paths get 404, other methods 405 with Allow: GET; the connection stays usable.
TEST_F(HttpEndpointsTest, UnknownPathIs404AndOtherMethodIs405) {
  TestHttpClient c(port());
  auto missing = c.request("GET", "/debug/pprof");
  ASSERT_TRUE(missing) << c.error().message();
  EXPECT_EQ(missing->result_int(), 404u);
  ASSERT_TRUE(c.send("POST /metrics HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhello"));
  auto post = c.read();
  ASSERT_TRUE(post) << c.error().message();
  EXPECT_EQ(post->result_int(), 405u);
  EXPECT_EQ((*post)[boost::beast::http::field::allow], "GET");
  auto after = c.request("GET", "/healthz");
  ASSERT_TRUE(after) << c.error().message();
  EXPECT_EQ(after->result_int(), 200u);
  EXPECT_EQ(scrapes_, 0);
}

// HTTP/1.1 keep-alive: two requests, one after the other, on one connection; and two
// pipelined in one write, answered in order.
TEST_F(HttpEndpointsTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  TestHttpClient c(port());
  auto first = c.request("GET", "/healthz");
  ASSERT_TRUE(first) << c.error().message();
  EXPECT_TRUE(first->keep_alive());
  auto second = c.request("GET", "/metrics");
  ASSERT_TRUE(second) << c.error().message();
  EXPECT_EQ(second->result_int(), 200u);

  ASSERT_TRUE(
      c.send("GET /readyz HTTP/1.1\r\nHost: a\r\n\r\nGET /nope HTTP/1.1\r\nHost: a\r\n\r\n"));
  auto third = c.read();
  auto fourth = c.read();
  ASSERT_TRUE(third && fourth) << c.error().message();
  EXPECT_EQ(third->result_int(), 200u);
  EXPECT_EQ(fourth->result_int(), 404u);
}

// Connection: close (and HTTP/1.0 without keep-alive) is honoured: answered, then closed.
TEST_F(HttpEndpointsTest, ConnectionCloseIsHonoured) {
  for (const char* request : {"GET /healthz HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n",
                              "GET /healthz HTTP/1.0\r\n\r\n"}) {
    SCOPED_TRACE(request);
    TestHttpClient c(port());
    ASSERT_TRUE(c.send(request));
    auto res = c.read();
    ASSERT_TRUE(res) << c.error().message();
    EXPECT_EQ(res->result_int(), 200u);
    EXPECT_FALSE(c.read());
    EXPECT_EQ(c.error(), boost::beast::http::error::end_of_stream) << c.error().message();
  }
}

// Bad input: garbage, a header past the bound, a body past the bound. Each gets its 4xx, the
// connection is closed, and the server goes on serving new connections.
TEST_F(HttpEndpointsTest, BadRequestsAreAnsweredAndTheServerKeepsServing) {
  struct Case {
    const char* name;
    std::string bytes;
    unsigned status;
  };
  for (const Case& c : std::vector<Case>{
           // A TLS ClientHello's first bytes (NULs included), as a client that thinks we speak
           // HTTPS sends them.
           {"garbage", "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 not http\r\n\r\n"s, 400},
           {"bad request line", "GET\r\n\r\n", 400},
           {"bad header", "GET /healthz HTTP/1.1\r\nNo colon here\r\n\r\n", 400},
           {"huge header",
            "GET /healthz HTTP/1.1\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n", 431},
           {"huge body",
            "POST /metrics HTTP/1.1\r\nContent-Length: 100000\r\n\r\n" + std::string(100000, 'b'),
            413},
       }) {
    SCOPED_TRACE(c.name);
    TestHttpClient bad(port());
    ASSERT_TRUE(bad.send(c.bytes)) << bad.error().message();
    auto res = bad.read();
    ASSERT_TRUE(res) << bad.error().message();
    EXPECT_EQ(res->result_int(), c.status);
    EXPECT_FALSE(res->keep_alive());
    EXPECT_FALSE(bad.read());  // closed after the error

    TestHttpClient good(port());
    auto ok = good.request("GET", "/healthz");
    ASSERT_TRUE(ok) << good.error().message();
    EXPECT_EQ(ok->result_int(), 200u);
  }
}

// A client that connects and goes away without a word costs nothing; the next one is served.
TEST_F(HttpEndpointsTest, ClientsThatCloseEarlyDoNotDisturbOthers) {
  {
    TestHttpClient silent(port());
    ASSERT_TRUE(silent.connected());
    TestHttpClient partial(port());
    ASSERT_TRUE(partial.send("GET /hea"));
  }
  TestHttpClient c(port());
  auto res = c.request("GET", "/healthz");
  ASSERT_TRUE(res) << c.error().message();
  EXPECT_EQ(res->result_int(), 200u);
}

// At most kMaxConnections are served at once: one more is closed unanswered, and once a
// connection ends a new one is served again.
TEST_F(HttpEndpointsTest, ConnectionsBeyondTheBoundAreClosed) {
  std::vector<std::unique_ptr<TestHttpClient>> held;
  for (size_t i = 0; i < kMaxConnections; ++i) {
    held.push_back(std::make_unique<TestHttpClient>(port()));
    ASSERT_TRUE(held.back()->request("GET", "/healthz")) << i << ": " << held.back()->error();
  }
  TestHttpClient extra(port());
  EXPECT_FALSE(extra.request("GET", "/healthz"));
  EXPECT_NE(extra.error(), net::error::timed_out) << "the extra connection was left open";

  held.pop_back();
  // The server sees that close on its own time: retry until a new connection is served.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  bool served = false;
  while (!served && std::chrono::steady_clock::now() < deadline) {
    TestHttpClient again(port());
    served = again.request("GET", "/healthz").has_value();
  }
  EXPECT_TRUE(served);
}

// stop() closes an idle keep-alive connection and refuses new ones.
TEST_F(HttpEndpointsTest, StopClosesConnectionsAndStopsListening) {
  TestHttpClient c(port());
  ASSERT_TRUE(c.request("GET", "/healthz"));
  stop();
  // Closed by stop(), not by the 30 s idle deadline.
  EXPECT_FALSE(c.read(std::chrono::seconds(5)));
  EXPECT_NE(c.error(), net::error::timed_out) << "the connection was left open";
  thread_.join();  // run() returned: no coroutine of the endpoints is left
  TestHttpClient after(port());
  EXPECT_FALSE(after.connected());
}

// A port already taken is an error that names the address; a host that is not an IP address
// is refused before binding.
TEST_F(HttpEndpointsTest, BindErrorsNameTheAddress) {
  net::io_context other;
  auto taken = HttpEndpoints::start(other.get_executor(), {"127.0.0.1", port()}, {});
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(taken.error().message.find("127.0.0.1:" + std::to_string(port())), std::string::npos)
      << taken.error().message;

  auto named = HttpEndpoints::start(other.get_executor(), {"localhost", 0}, {});
  ASSERT_FALSE(named);
  EXPECT_EQ(named.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(named.error().message.find("\"localhost\""), std::string::npos);
}

}  // namespace
}  // namespace stillpoint::metrics
