// metav1.Status: the body of every API error (and of some successes), turned into a
// core::Error that keeps the HTTP code, the reason and the server's message. Non-JSON error
// bodies ("404 page not found" from an unknown group, a kubelet's "container not found")
// become errors with that text, never a parse failure.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::kube {

struct ApiStatus {
  std::string status;  // "Success" | "Failure"
  std::string message;
  std::string reason;  // NotFound, AlreadyExists, Conflict, Expired, TooManyRequests, …
  int code = 0;
  nlohmann::json details;  // object or null
};

// A Status object, as sent with or without kind/apiVersion (exec's channel 3 omits them).
std::optional<ApiStatus> parse_status(std::string_view body);

// HTTP status → error code: 404 NotFound; 409 Conflict; 401/403 Forbidden; 410 Gone;
// 400/422/415/405 InvalidArgument; 408/504 Timeout; 429/5xx Unavailable; other Protocol.
core::ErrorCode error_code_for_http(int http_status);

// "<message> (<reason>, HTTP <code>)"; the body's text when it is not a Status.
core::Error error_from_response(int http_status, std::string_view body);

}  // namespace stillpoint::kube
