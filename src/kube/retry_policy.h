// When a failed request is tried again, and after how long. Pure: the transport feeds it what
// happened; tests feed it tables.
//
// - 429 Too Many Requests: always retried (the server refused before doing anything), after
//   Retry-After when given.
// - 5xx with a Retry-After header: retried for every method, as client-go does. The API
//   server sets Retry-After only on a Status that asks for a retry (details.retryAfterSeconds),
//   e.g. the ServerTimeout "No API token found for service account ..., retry after the token
//   is automatically created" that a 1.20 API server answers to a pod created right after its
//   ServiceAccount (seen restoring a namespace on a real cluster): nothing was applied.
// - Other 5xx and transport failures (connection reset, EOF before a response, connect
//   failure): retried only for idempotent methods (GET, HEAD), because a POST/PATCH/DELETE
//   may have been applied before the failure.
// - Everything else is final.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

namespace stillpoint::kube {

inline constexpr int kMaxAttempts = 5;
inline constexpr auto kInitialBackoff = std::chrono::milliseconds(200);
inline constexpr auto kMaxBackoff = std::chrono::seconds(5);
// A server asking for a longer pause than this is treated as asking for this: a backup waits
// through a short overload but gives up rather than stall for minutes per request.
inline constexpr auto kMaxRetryAfter = std::chrono::seconds(30);

struct Outcome {
  std::optional<int> http_status;               // nullopt: no response (transport failure)
  std::optional<std::string_view> retry_after;  // the Retry-After header, if any
};

bool is_idempotent(std::string_view method);

// `attempt` is 1 for the first try. nullopt: do not retry.
std::optional<std::chrono::milliseconds> retry_delay(std::string_view method,
                                                     const Outcome& outcome,
                                                     int attempt);

}  // namespace stillpoint::kube
