#include "kube/http_client.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "kube/api_status.h"
#include "kube/connection_factory.h"
#include "kube/credential_source.h"
#include "kube/retry_policy.h"

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using core::ErrorCode;
using core::unexpected;
using Clock = std::chrono::steady_clock;

// Error bodies are read whole to quote them; a 4xx larger than this is not a Status.
constexpr size_t kMaxErrorBody = 1024 * 1024;
constexpr size_t kReadChunk = 64 * 1024;

asio::awaitable<bool> cancelled() {
  auto state = co_await asio::this_coro::cancellation_state;
  co_return state.cancelled() != asio::cancellation_type::none;
}

ErrorCode transport_code(const boost::system::error_code& ec) {
  if (ec == beast::error::timeout) {
    return ErrorCode::Timeout;
  }
  if (ec == asio::error::operation_aborted) {
    return ErrorCode::Cancelled;
  }
  return ErrorCode::Unavailable;
}

}  // namespace

struct HttpClient::Pool {
  struct Idle {
    std::unique_ptr<TlsStream> stream;
    Clock::time_point since;
    std::string identity;
  };
  std::vector<Idle> idle;
  size_t in_use = 0;
  std::unique_ptr<asio::steady_timer> wakeup;  // waiters for a free slot park here

  // An idle connection made with `identity` and not idle too long; null when there is none.
  // Connections passed over on the way are closed.
  std::unique_ptr<TlsStream> take(const std::string& identity) {
    std::unique_ptr<TlsStream> conn;
    while (!idle.empty() && !conn) {
      Idle candidate = std::move(idle.back());
      idle.pop_back();
      if (Clock::now() - candidate.since < kIdleConnectionTimeout &&
          candidate.identity == identity) {
        conn = std::move(candidate.stream);
      }
    }
    return conn;
  }
};

// A place under the connection cap, released on scope exit even when the coroutine is
// cancelled.
class HttpClient::Slot {
 public:
  explicit Slot(Pool& pool) : pool_(&pool) { ++pool_->in_use; }
  Slot(Slot&& other) noexcept : pool_(std::exchange(other.pool_, nullptr)) {}
  Slot& operator=(Slot&&) = delete;
  ~Slot() {
    if (pool_ != nullptr) {
      --pool_->in_use;
      pool_->wakeup->cancel_one();
    }
  }

 private:
  Pool* pool_;
};

namespace {

std::string identity_of(const AuthMaterial& auth) {
  return auth.client_certificate_pem.value_or("") + "\n" + auth.client_key_pem.value_or("");
}

using ResponseParser = http::response_parser<http::buffer_body>;

// Writes `req` and reads the response head into `parser`. `conn`, `buffer` and `parser` belong
// to the caller and outlive the call. Errors carry the transport's message only: Timeout,
// Cancelled or Unavailable (transport_code).
asio::awaitable<core::Status> send(TlsStream& conn,
                                   const http::request<http::string_body>& req,
                                   beast::flat_buffer& buffer,
                                   ResponseParser& parser,
                                   std::chrono::milliseconds timeout) {
  auto& tcp = beast::get_lowest_layer(conn);
  tcp.expires_after(timeout);
  auto [wec, wn] = co_await http::async_write(conn, req, asio::as_tuple(asio::use_awaitable));
  if (wec) {
    co_return unexpected(transport_code(wec), wec.message());
  }
  tcp.expires_after(timeout);
  auto [hec, hn] =
      co_await http::async_read_header(conn, buffer, parser, asio::as_tuple(asio::use_awaitable));
  if (hec) {
    co_return unexpected(transport_code(hec), hec.message());
  }
  co_return core::ok();
}

// What reading a response body ended with.
struct BodyRead {
  std::string body;                       // kept when there is no sink
  core::Status sink_status = core::ok();  // the sink's error, which stopped the read
  std::optional<core::Error> failure;     // a transport failure, or a body over the limit
};

// Reads the body after send(): piece by piece into `sink` when it is set, else kept up to
// `limit` bytes (Protocol error beyond). Arguments by reference as for send().
asio::awaitable<BodyRead> read_body(TlsStream& conn,
                                    beast::flat_buffer& buffer,
                                    ResponseParser& parser,
                                    std::chrono::milliseconds timeout,
                                    const BodySink* sink,
                                    size_t limit) {
  auto& tcp = beast::get_lowest_layer(conn);
  BodyRead read;
  std::vector<char> chunk(kReadChunk);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    tcp.expires_after(timeout);
    // read_some, not read: async_read waits until the 64 KiB chunk is full or the body
    // ends, which would hold back a watch event (a few hundred bytes) indefinitely.
    auto [rec, rn] =
        co_await http::async_read_some(conn, buffer, parser, asio::as_tuple(asio::use_awaitable));
    if (rec == http::error::need_buffer) {
      rec = {};
    }
    const size_t got = chunk.size() - parser.get().body().size;
    if (got > 0) {
      if (sink != nullptr) {
        read.sink_status = (*sink)(std::string_view(chunk.data(), got));
        if (!read.sink_status) {
          break;
        }
      } else if (read.body.size() + got > limit) {
        read.failure = core::Error{ErrorCode::Protocol,
                                   "response body larger than " + std::to_string(limit) + " bytes"};
        break;
      } else {
        read.body.append(chunk.data(), got);
      }
    }
    if (rec) {
      read.failure = core::Error{transport_code(rec), rec.message()};
      break;
    }
  }
  co_return read;
}

}  // namespace

core::Result<std::shared_ptr<HttpClient>> HttpClient::create(asio::any_io_executor executor,
                                                             ClientConfig config,
                                                             TransportOptions options) {
  auto credentials = std::make_shared<CredentialSource>(config);
  auto factory = ConnectionFactory::create(executor, std::move(config), std::move(credentials));
  if (!factory) {
    return unexpected(factory.error());
  }
  auto client =
      std::shared_ptr<HttpClient>(new HttpClient(std::move(*factory), std::move(options)));
  client->pool_->wakeup = std::make_unique<asio::steady_timer>(executor);
  client->pool_->wakeup->expires_at(Clock::time_point::max());
  return client;
}

HttpClient::HttpClient(std::shared_ptr<ConnectionFactory> factory, TransportOptions options)
    : factory_(std::move(factory)),
      options_(std::move(options)),
      limiter_(options_.qps, options_.burst),
      pool_(std::make_unique<Pool>()) {
  if (!options_.clock) {
    options_.clock = std::make_shared<core::SteadyClock>();
  }
}

HttpClient::~HttpClient() = default;

const ClientConfig& HttpClient::config() const {
  return factory_->config();
}

asio::awaitable<core::Result<HttpResponse>> HttpClient::request(HttpRequest request) {
  co_return co_await perform(std::move(request), nullptr);
}

asio::awaitable<core::Result<HttpResponse>> HttpClient::stream(HttpRequest request, BodySink sink) {
  co_return co_await perform(std::move(request), &sink);
}

asio::awaitable<core::Result<HttpResponse>> HttpClient::perform(HttpRequest request,
                                                                const BodySink* sink) {
  // Errors are values here: a cancelled operation returns operation_aborted instead of
  // throwing out of the next co_await.
  co_await asio::this_coro::throw_if_cancelled(false);
  if (http::string_to_verb(request.method) == http::verb::unknown) {
    co_return unexpected(ErrorCode::InvalidArgument, "unknown HTTP method " + request.method);
  }
  bool auth_refreshed = false;
  for (int attempt = 1;; ++attempt) {
    auto slot = co_await acquire_slot(request);
    if (!slot) {
      co_return unexpected(slot.error());
    }
    Step step = co_await attempt_once(request, sink, attempt, !auth_refreshed);
    if (step.result) {
      co_return std::move(*step.result);
    }
    auth_refreshed = auth_refreshed || step.refreshed_credentials;
    if (step.delay) {
      // Paused while this attempt's slot is still held, as the transport always has.
      if (auto paused = co_await retry_pause(*step.delay, request); !paused) {
        co_return unexpected(paused.error());
      }
    }
  }
}

asio::awaitable<core::Result<HttpClient::Slot>> HttpClient::acquire_slot(
    const HttpRequest& request) {
  co_await limiter_.acquire();
  while (pool_->in_use >= std::max<size_t>(1, options_.max_connections)) {
    co_await pool_->wakeup->async_wait(asio::as_tuple(asio::use_awaitable));
    if (co_await cancelled()) {
      co_return unexpected(ErrorCode::Cancelled,
                           request.method + " " + request.target + ": cancelled");
    }
  }
  if (co_await cancelled()) {
    co_return unexpected(ErrorCode::Cancelled,
                         request.method + " " + request.target + ": cancelled");
  }
  co_return Slot(*pool_);
}

asio::awaitable<HttpClient::Step> HttpClient::attempt_once(const HttpRequest& request,
                                                           const BodySink* sink,
                                                           int attempt,
                                                           bool may_refresh) {
  auto auth = factory_->credentials().current();
  if (!auth) {
    co_return Step{.result = unexpected(auth.error())};
  }
  const std::string identity = identity_of(*auth);
  std::unique_ptr<TlsStream> conn = pool_->take(identity);
  if (!conn) {
    auto opened = co_await factory_->connect(*auth);
    if (!opened) {
      // Nothing was sent, so any method may be retried, but only network failures are
      // worth it: a certificate problem or a cancellation is final.
      if (opened.error().code != ErrorCode::Unavailable || attempt >= kMaxAttempts) {
        co_return Step{.result = unexpected(opened.error())};
      }
      co_return Step{.delay = retry_delay("GET", Outcome{}, attempt)};
    }
    conn = std::move(*opened);
    ++stats_.connections_opened;
  }

  http::request<http::string_body> req{http::string_to_verb(request.method),
                                       factory_->url().prefix + request.target, 11};
  req.set(http::field::host, factory_->url().authority());
  req.set(http::field::user_agent, options_.user_agent);
  req.set(http::field::accept, request.accept);
  if (auth->authorization) {
    req.set(http::field::authorization, *auth->authorization);
  }
  if (!request.body.empty() || !request.content_type.empty()) {
    req.set(http::field::content_type, request.content_type);
    req.body() = request.body;
  }
  req.keep_alive(true);
  req.prepare_payload();
  ++stats_.requests_sent;

  beast::flat_buffer buffer;
  ResponseParser parser;
  parser.body_limit(boost::none);
  if (auto sent = co_await send(*conn, req, buffer, parser, request.timeout); !sent) {
    conn.reset();
    const core::Error& failure = sent.error();
    const std::string what = request.method + " " + request.target + ": " + failure.message;
    if (failure.code == ErrorCode::Cancelled) {
      co_return Step{.result = unexpected(ErrorCode::Cancelled, what)};
    }
    auto delay = failure.code == ErrorCode::Timeout
                     ? std::nullopt
                     : retry_delay(request.method, Outcome{}, attempt);
    if (!delay) {
      co_return Step{.result = unexpected(failure.code, what)};
    }
    co_return Step{.delay = delay};
  }

  HttpResponse response;
  response.status = static_cast<int>(parser.get().result_int());
  response.content_type = std::string(parser.get()[http::field::content_type]);
  for (const auto& field : parser.get()) {
    if (field.name() == http::field::warning) {
      response.warnings.emplace_back(field.value());
    }
  }
  const std::string retry_after(parser.get()[http::field::retry_after]);
  const bool success = response.status >= 200 && response.status < 300;
  const bool to_sink = success && sink != nullptr;
  BodyRead read =
      co_await read_body(*conn, buffer, parser, request.timeout, to_sink ? sink : nullptr,
                         success ? kMaxResponseBody : kMaxErrorBody);
  response.body = std::move(read.body);
  const bool reusable = parser.is_done() && parser.get().keep_alive() && read.sink_status &&
                        !read.failure.has_value();
  if (reusable) {
    beast::get_lowest_layer(*conn).expires_never();
    pool_->idle.push_back(Pool::Idle{std::move(conn), Clock::now(), identity});
  } else {
    conn.reset();
  }
  if (!read.sink_status) {
    co_return Step{.result = unexpected(read.sink_status.error())};
  }
  if (read.failure) {
    const std::string what = request.method + " " + request.target + ": " +
                             (to_sink ? "stream interrupted: " : "") + read.failure->message;
    // A streamed body has been partly delivered; only the caller can resume it.
    const bool retryable = !to_sink && read.failure->code == ErrorCode::Unavailable;
    auto delay = retryable ? retry_delay(request.method, Outcome{}, attempt) : std::nullopt;
    if (!delay) {
      co_return Step{.result = unexpected(read.failure->code, what)};
    }
    co_return Step{.delay = delay};
  }
  if (success) {
    co_return Step{.result = std::move(response)};
  }
  if (response.status == 401 && may_refresh && factory_->credentials().rejected(auth->generation)) {
    // One fresh credential per request, as client-go does.
    co_return Step{.refreshed_credentials = true};
  }
  Outcome outcome;
  outcome.http_status = response.status;
  if (!retry_after.empty()) {
    outcome.retry_after = retry_after;
  }
  if (auto delay = retry_delay(request.method, outcome, attempt)) {
    co_return Step{.delay = delay};
  }
  core::Error error = error_from_response(response.status, response.body);
  error.message = request.method + " " + request.target + ": " + error.message;
  co_return Step{.result = unexpected(std::move(error))};
}

asio::awaitable<core::Status> HttpClient::retry_pause(std::chrono::milliseconds delay,
                                                      const HttpRequest& request) {
  ++stats_.retries;
  co_await options_.clock->sleep_for(delay);
  if (co_await cancelled()) {
    co_return unexpected(ErrorCode::Cancelled,
                         request.method + " " + request.target + ": cancelled");
  }
  co_return core::ok();
}

}  // namespace stillpoint::kube
