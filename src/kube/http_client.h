// HttpClient: HTTP/1.1 requests to the API server over pooled, verified TLS connections, with
// the client-side rate limiter, the connection cap, credential refresh on 401 and the retry
// policy of retry_policy.h. Knows nothing of Kubernetes objects; RestClient builds on it.
//
// Threading: every call must come from the executor given to create() (one io_context thread
// or a strand); the pool, limiter and connection cap are not locked.
// Cancellation: cancelling an awaiting request (e.g. racing it against a timer with ||) closes
// its connection and completes with ErrorCode::Cancelled.
// Secrets: the Authorization header is built per request and never appears in messages.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "core/async/clock.h"
#include "core/result.h"
#include "kube/client_config.h"
#include "kube/rate_limiter.h"

namespace stillpoint::kube {

class ConnectionFactory;
class CredentialSource;

// Per network step (write, each read); a watch passes its own, longer one.
inline constexpr auto kDefaultRequestTimeout = std::chrono::seconds(60);
// Connections idle longer than this are not reused: API servers and load balancers close idle
// connections after a minute or more, and a request sent into a closing connection fails.
inline constexpr auto kIdleConnectionTimeout = std::chrono::seconds(30);
inline constexpr size_t kDefaultMaxConnections = 16;
// A single non-streamed response larger than this is refused; lists are paged and watches
// streamed, so only a pathological object could reach it.
inline constexpr size_t kMaxResponseBody = 256 * 1024 * 1024;

struct TransportOptions {
  double qps = kDefaultQps;
  int burst = kDefaultBurst;
  size_t max_connections = kDefaultMaxConnections;
  std::string user_agent = "stillpoint";
  // Paces the pauses between retries and the token file re-reads; null: real time
  // (core::SteadyClock). Tests pass a FakeClock so that a Retry-After of seconds or a token
  // rotation period costs no wall time.
  std::shared_ptr<core::Clock> clock;
};

struct HttpRequest {
  std::string method = "GET";
  std::string
      target;  // API path and query ("/api/v1/pods?limit=500"); the server's prefix is added
  std::string accept = "application/json";
  std::string content_type;  // set when there is a body
  std::string body;
  std::chrono::milliseconds timeout = kDefaultRequestTimeout;
};

struct HttpResponse {
  int status = 0;
  std::string content_type;
  std::string body;                   // empty for stream()
  std::vector<std::string> warnings;  // Warning headers (deprecations, unknown fields)
};

// Receives a streamed body piece by piece; an error stops the stream and is returned.
using BodySink = std::function<core::Status(std::string_view piece)>;

class HttpClient {
 public:
  static core::Result<std::shared_ptr<HttpClient>> create(boost::asio::any_io_executor executor,
                                                          ClientConfig config,
                                                          TransportOptions options = {});
  ~HttpClient();

  // A 2xx response, or an error: the metav1.Status of a 4xx/5xx (see api_status.h) after
  // retries, Unavailable/Timeout/Cancelled for transport failures.
  boost::asio::awaitable<core::Result<HttpResponse>> request(HttpRequest request);

  // As request(), but a 2xx body goes to `sink` as it arrives (chunked watch streams, big
  // lists) instead of being kept. Retries happen only before a 2xx status line arrives.
  boost::asio::awaitable<core::Result<HttpResponse>> stream(HttpRequest request, BodySink sink);

  // Waits for the rate limiter; for requests made outside request()/stream() (exec).
  boost::asio::awaitable<void> throttle() { return limiter_.acquire(); }

  // For WebSocketPodExec: the same server, TLS settings and credentials.
  ConnectionFactory& connections() { return *factory_; }
  const ClientConfig& config() const;

  struct Stats {
    size_t connections_opened = 0;
    size_t requests_sent = 0;
    size_t retries = 0;
  };
  const Stats& stats() const { return stats_; }

 private:
  struct Pool;
  HttpClient(std::shared_ptr<ConnectionFactory> factory, TransportOptions options);
  boost::asio::awaitable<core::Result<HttpResponse>> perform(HttpRequest request,
                                                             const BodySink* sink);

  std::shared_ptr<ConnectionFactory> factory_;
  TransportOptions options_;
  RateLimiter limiter_;
  std::unique_ptr<Pool> pool_;
  Stats stats_;
};

}  // namespace stillpoint::kube
