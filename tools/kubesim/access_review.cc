#include "access_review.h"

#include <nlohmann/json.hpp>

#include "api.h"
#include "status.h"

namespace stillpoint::kubesim {

Response self_subject_access_review(const Request& req, const std::string& name) {
  if (req.method != "POST" || !name.empty()) {
    // What the real server's router says for a verb the resource does not register.
    return error_response(
        method_not_allowed("the server does not allow this method on the requested resource"));
  }
  nlohmann::json review = nlohmann::json::parse(req.body, nullptr, false);
  if (review.is_discarded() || !review.is_object()) {
    return error_response(bad_request("the request body is not a JSON object"));
  }
  if (review.contains("kind") && review["kind"] != "SelfSubjectAccessReview") {
    return error_response(bad_request("the object provided is unrecognized (must be of type "
                                      "SelfSubjectAccessReview): " +
                                      review["kind"].dump()));
  }
  const nlohmann::json spec =
      review.contains("spec") && review["spec"].is_object() ? review["spec"] : nlohmann::json{};
  const bool resource = spec.contains("resourceAttributes") && spec["resourceAttributes"].is_object();
  const bool non_resource =
      spec.contains("nonResourceAttributes") && spec["nonResourceAttributes"].is_object();
  if (resource == non_resource) {
    // pkg/apis/authorization/validation.ValidateSelfSubjectAccessReviewSpec.
    const std::string field = resource ? "spec.nonResourceAttributes" : "spec.resourceAttributes";
    const std::string message =
        resource ? "Invalid value: " + spec["nonResourceAttributes"].dump() +
                       ": cannot be specified in combination with resourceAttributes"
                 : "Invalid value: \"null\": exactly one of nonResourceAttributes or "
                   "resourceAttributes must be specified";
    ApiError e = invalid("SelfSubjectAccessReview", "authorization.k8s.io", "",
                         {{"FieldValueInvalid", field, message}});
    // apierrors.NewInvalid names the kind qualified by its group.
    e.message = "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: " + field + ": " +
                message;
    return error_response(e);
  }
  nlohmann::json out = {{"kind", "SelfSubjectAccessReview"},
                        {"apiVersion", "authorization.k8s.io/v1"},
                        {"metadata", {{"creationTimestamp", nullptr}}},
                        {"spec", spec},
                        {"status", {{"allowed", true}}}};
  return json_response(201, out);
}

}  // namespace stillpoint::kubesim
