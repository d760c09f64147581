#include "kube/retry_policy.h"

#include <algorithm>
#include <charconv>

namespace stillpoint::kube {

bool is_idempotent(std::string_view method) {
  return method == "GET" || method == "HEAD";
}

std::optional<std::chrono::milliseconds> retry_delay(std::string_view method,
                                                     const Outcome& outcome,
                                                     int attempt) {
  if (attempt >= kMaxAttempts) {
    return std::nullopt;
  }
  const bool too_many = outcome.http_status == 429;
  const bool server_or_transport = !outcome.http_status || *outcome.http_status >= 500;
  const bool server_asks_retry = outcome.http_status >= 500 && outcome.retry_after.has_value();
  if (!too_many && !server_asks_retry && !(server_or_transport && is_idempotent(method))) {
    return std::nullopt;
  }
  if (outcome.retry_after) {
    // Delta-seconds form only; the HTTP-date form is not sent by the apiserver.
    int seconds = 0;
    const auto* begin = outcome.retry_after->data();
    const auto* end = begin + outcome.retry_after->size();
    if (auto [p, ec] = std::from_chars(begin, end, seconds);
        ec == std::errc() && p == end && seconds >= 0) {
      return std::min<std::chrono::milliseconds>(std::chrono::seconds(seconds), kMaxRetryAfter);
    }
  }
  auto delay = kInitialBackoff * (1 << std::min(attempt - 1, 10));
  return std::min<std::chrono::milliseconds>(delay, kMaxBackoff);
}

}  // namespace stillpoint::kube
