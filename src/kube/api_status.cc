#include "kube/api_status.h"

namespace stillpoint::kube {

// Error bodies quoted in messages are cut here: enough for any Status message, not a whole
// HTML page from a misconfigured proxy.
constexpr size_t kMaxQuotedBody = 512;

std::optional<ApiStatus> parse_status(std::string_view body) {
  auto doc = nlohmann::json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return std::nullopt;
  }
  if (doc.contains("kind") && doc["kind"] != "Status") {
    return std::nullopt;
  }
  const auto status = doc.find("status");
  if (status == doc.end() || !status->is_string()) {
    return std::nullopt;
  }
  ApiStatus out;
  out.status = status->get<std::string>();
  auto str = [&](const char* key) {
    auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out.message = str("message");
  out.reason = str("reason");
  if (auto code = doc.find("code"); code != doc.end() && code->is_number_integer()) {
    out.code = code->get<int>();
  }
  if (auto details = doc.find("details"); details != doc.end()) {
    out.details = *details;
  }
  return out;
}

core::ErrorCode error_code_for_http(int http_status) {
  using core::ErrorCode;
  switch (http_status) {
    case 400:
    case 405:
    case 415:
    case 422:
      return ErrorCode::InvalidArgument;
    case 401:
    case 403:
      return ErrorCode::Forbidden;
    case 404:
      return ErrorCode::NotFound;
    case 408:
    case 504:
      return ErrorCode::Timeout;
    case 409:
      return ErrorCode::Conflict;
    case 410:
      return ErrorCode::Gone;
    case 429:
      return ErrorCode::Unavailable;
    default:
      return http_status >= 500 ? ErrorCode::Unavailable : ErrorCode::Protocol;
  }
}

core::Error error_from_response(int http_status, std::string_view body) {
  const int code = http_status;
  if (auto status = parse_status(body); status && !status->message.empty()) {
    std::string reason = status->reason.empty() ? "" : status->reason + ", ";
    return core::Error{error_code_for_http(code),
                       status->message + " (" + reason + "HTTP " + std::to_string(code) + ")"};
  }
  std::string text(body.substr(0, kMaxQuotedBody));
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty()) {
    text = "empty response body";
  }
  return core::Error{error_code_for_http(code), text + " (HTTP " + std::to_string(code) + ")"};
}

}  // namespace stillpoint::kube
