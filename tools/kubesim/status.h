// metav1.Status error bodies with the codes, reasons and message shapes of a real
// kube-apiserver (wire reference §3.3), so a client's error handling is exercised as it would
// be against a cluster. This file builds bodies only; it knows nothing about HTTP.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

struct ApiError {
  int code = 500;
  std::string reason;
  std::string message;
  nlohmann::json details;  // null → omitted
};

// The full JSON Status (`kind`, `apiVersion`, `metadata`, `status: Failure`, …).
nlohmann::json status_json(const ApiError& error);
std::string status_body(const ApiError& error);

// `resource` is the plural, `group` empty for core: messages say `pods "x"` or
// `deployments.apps "x"`.
ApiError not_found(const std::string& resource, const std::string& group, const std::string& name);
ApiError already_exists(const std::string& resource, const std::string& group,
                        const std::string& name);
ApiError conflict(const std::string& resource, const std::string& group, const std::string& name);
ApiError bad_request(std::string message);
ApiError internal_error(const std::string& message);
ApiError resource_not_found();  // unknown resource in a known group/version
ApiError method_not_allowed(const std::string& message);
ApiError unsupported_media_type(const std::string& type);
ApiError expired(std::string message);

// 422 Invalid. `kind` is the Kind (not the resource, unlike NotFound); each cause is
// {reason, message, field}.
struct FieldCause {
  std::string reason;  // FieldValueRequired, FieldValueInvalid, …
  std::string field;
  std::string message;  // "Required value", "Invalid value: \"x\": …"
};
ApiError invalid(const std::string& kind, const std::string& group, const std::string& name,
                 const std::vector<FieldCause>& causes);

}  // namespace stillpoint::kubesim
