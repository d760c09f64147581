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
};

namespace {

// A connection slot, released on scope exit even when the coroutine is cancelled.
struct Slot {
  size_t* in_use;
  asio::steady_timer* wakeup;
  ~Slot() {
    --*in_use;
    wakeup->cancel_one();
  }
};

std::string identity_of(const AuthMaterial& auth) {
  return auth.client_certificate_pem.value_or("") + "\n" + auth.client_key_pem.value_or("");
}

}  // namespace

core::Result<std::shared_ptr<HttpClient>> HttpClient::create(asio::any_io_executor executor,
                                                             ClientConfig config,
                                                             TransportOptions options) {
  // Token files are re-read on the transport's clock when one is given, so a test drives
  // rotation (kTokenFileRefresh) in simulated time.
  auto credentials = options.clock ? std::make_shared<CredentialSource>(
                                         config, [clock = options.clock] { return clock->now(); })
                                   : std::make_shared<CredentialSource>(config);
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
  const auto verb = http::string_to_verb(request.method);
  if (verb == http::verb::unknown) {
    co_return unexpected(ErrorCode::InvalidArgument, "unknown HTTP method " + request.method);
  }
  const std::string target = factory_->url().prefix + request.target;
  bool auth_refreshed = false;
  // Set by a failed attempt that may be retried: the pause before the next one.
  std::optional<std::chrono::milliseconds> pause;
  for (int attempt = 1;; ++attempt) {
    if (pause) {
      // The one retry pause, on the injectable clock (TransportOptions::clock).
      ++stats_.retries;
      co_await options_.clock->sleep_for(*pause);
      pause.reset();
      if (co_await cancelled()) {
        co_return unexpected(ErrorCode::Cancelled,
                             request.method + " " + request.target + ": cancelled");
      }
    }
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
    ++pool_->in_use;
    Slot slot{&pool_->in_use, pool_->wakeup.get()};

    auto auth = factory_->credentials().current();
    if (!auth) {
      co_return unexpected(auth.error());
    }
    const std::string identity = identity_of(*auth);
    std::unique_ptr<TlsStream> conn;
    while (!pool_->idle.empty() && !conn) {
      Pool::Idle idle = std::move(pool_->idle.back());
      pool_->idle.pop_back();
      if (Clock::now() - idle.since < kIdleConnectionTimeout && idle.identity == identity) {
        conn = std::move(idle.stream);
      }
    }
    Outcome outcome;
    std::string failure;
    ErrorCode failure_code = ErrorCode::Unavailable;
    if (!conn) {
      auto opened = co_await factory_->connect(*auth);
      if (!opened) {
        // Nothing was sent, so any method may be retried, but only network failures are
        // worth it: a certificate problem or a cancellation is final.
        if (opened.error().code != ErrorCode::Unavailable || attempt >= kMaxAttempts) {
          co_return unexpected(opened.error());
        }
        pause = retry_delay("GET", Outcome{}, attempt);
        continue;
      }
      conn = std::move(*opened);
      ++stats_.connections_opened;
    }

    http::request<http::string_body> req{verb, target, 11};
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

    auto& tcp = beast::get_lowest_layer(*conn);
    tcp.expires_after(request.timeout);
    auto [wec, wn] = co_await http::async_write(*conn, req, asio::as_tuple(asio::use_awaitable));
    beast::flat_buffer buffer;
    http::response_parser<http::buffer_body> parser;
    parser.body_limit(boost::none);
    if (!wec) {
      tcp.expires_after(request.timeout);
      auto [hec, hn] = co_await http::async_read_header(*conn, buffer, parser,
                                                        asio::as_tuple(asio::use_awaitable));
      if (hec) {
        failure = hec.message();
        failure_code = transport_code(hec);
      }
    } else {
      failure = wec.message();
      failure_code = transport_code(wec);
    }
    if (!failure.empty()) {
      conn.reset();
      const std::string what = request.method + " " + request.target + ": " + failure;
      if (failure_code == ErrorCode::Cancelled) {
        co_return unexpected(ErrorCode::Cancelled, what);
      }
      auto delay = failure_code == ErrorCode::Timeout
                       ? std::nullopt
                       : retry_delay(request.method, Outcome{}, attempt);
      if (!delay) {
        co_return unexpected(failure_code, what);
      }
      pause = delay;
      continue;
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
    const size_t limit = success ? kMaxResponseBody : kMaxErrorBody;
    core::Status sink_status = core::ok();
    std::string body_failure;
    ErrorCode body_failure_code = ErrorCode::Unavailable;
    std::vector<char> chunk(kReadChunk);
    while (!parser.is_done()) {
      parser.get().body().data = chunk.data();
      parser.get().body().size = chunk.size();
      tcp.expires_after(request.timeout);
      // read_some, not read: async_read waits until the 64 KiB chunk is full or the body
      // ends, which would hold back a watch event (a few hundred bytes) indefinitely.
      auto [rec, rn] = co_await http::async_read_some(*conn, buffer, parser,
                                                      asio::as_tuple(asio::use_awaitable));
      if (rec == http::error::need_buffer) {
        rec = {};
      }
      const size_t got = chunk.size() - parser.get().body().size;
      if (got > 0) {
        if (to_sink) {
          sink_status = (*sink)(std::string_view(chunk.data(), got));
          if (!sink_status) {
            break;
          }
        } else if (response.body.size() + got > limit) {
          body_failure = "response body larger than " + std::to_string(limit) + " bytes";
          body_failure_code = ErrorCode::Protocol;
          break;
        } else {
          response.body.append(chunk.data(), got);
        }
      }
      if (rec) {
        body_failure = rec.message();
        body_failure_code = transport_code(rec);
        break;
      }
    }
    const bool reusable =
        parser.is_done() && parser.get().keep_alive() && sink_status && body_failure.empty();
    if (reusable) {
      tcp.expires_never();
      pool_->idle.push_back(Pool::Idle{std::move(conn), Clock::now(), identity});
    } else {
      conn.reset();
    }
    if (!sink_status) {
      co_return unexpected(sink_status.error());
    }
    if (!body_failure.empty()) {
      const std::string what = request.method + " " + request.target + ": " +
                               (to_sink ? "stream interrupted: " : "") + body_failure;
      // A streamed body has been partly delivered; only the caller can resume it.
      const bool retryable = !to_sink && body_failure_code == ErrorCode::Unavailable;
      auto delay = retryable ? retry_delay(request.method, Outcome{}, attempt) : std::nullopt;
      if (!delay) {
        co_return unexpected(body_failure_code, what);
      }
      pause = delay;
      continue;
    }
    if (success) {
      co_return response;
    }
    if (response.status == 401 && !auth_refreshed &&
        factory_->credentials().rejected(auth->generation)) {
      auth_refreshed = true;  // one fresh credential per request, as client-go does
      continue;
    }
    outcome.http_status = response.status;
    if (!retry_after.empty()) {
      outcome.retry_after = retry_after;
    }
    if (auto delay = retry_delay(request.method, outcome, attempt)) {
      pause = delay;
      continue;
    }
    core::Error error = error_from_response(response.status, response.body);
    error.message = request.method + " " + request.target + ": " + error.message;
    co_return unexpected(std::move(error));
  }
}

}  // namespace stillpoint::kube
