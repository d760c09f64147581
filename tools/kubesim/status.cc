#include "status.h"

#include "go_json.h"

namespace stillpoint::kubesim {
namespace {

std::string qualified(const std::string& resource, const std::string& group) {
  return group.empty() ? resource : resource + "." + group;
}

nlohmann::json details_for(const std::string& resource, const std::string& group,
                           const std::string& name) {
  nlohmann::json d = {{"name", name}, {"kind", resource}};
  if (!group.empty()) {
    d["group"] = group;
  }
  return d;
}

}  // namespace

nlohmann::json status_json(const ApiError& error) {
  nlohmann::json s = {{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", nlohmann::json::object()},
                      {"status", "Failure"},
                      {"message", error.message},
                      {"reason", error.reason},
                      {"code", error.code}};
  if (!error.details.is_null()) {
    s["details"] = error.details;
  }
  return s;
}

std::string status_body(const ApiError& error) { return go_dump(status_json(error)); }

ApiError not_found(const std::string& resource, const std::string& group, const std::string& name) {
  return {404, "NotFound", qualified(resource, group) + " \"" + name + "\" not found",
          details_for(resource, group, name)};
}

ApiError already_exists(const std::string& resource, const std::string& group,
                        const std::string& name) {
  return {409, "AlreadyExists", qualified(resource, group) + " \"" + name + "\" already exists",
          details_for(resource, group, name)};
}

ApiError conflict(const std::string& resource, const std::string& group, const std::string& name) {
  return {409, "Conflict",
          "Operation cannot be fulfilled on " + qualified(resource, group) + " \"" + name +
              "\": the object has been modified; please apply your changes to the latest "
              "version and try again",
          details_for(resource, group, name)};
}

ApiError bad_request(std::string message) { return {400, "BadRequest", std::move(message), {}}; }

ApiError internal_error(const std::string& message) {
  return {500, "InternalError", "Internal error occurred: " + message,
          {{"causes", {{{"message", message}}}}}};
}

ApiError resource_not_found() {
  return {404, "NotFound", "the server could not find the requested resource",
          nlohmann::json::object()};
}

ApiError method_not_allowed(const std::string& message) {
  return {405, "MethodNotAllowed", message, nlohmann::json::object()};
}

ApiError unsupported_media_type(const std::string& type) {
  return {415, "UnsupportedMediaType",
          "the body of the request was in an unknown format - accepted media types include: "
          "application/json-patch+json, application/merge-patch+json, "
          "application/apply-patch+yaml" +
              (type.empty() ? std::string() : " (got " + type + ")"),
          nlohmann::json::object()};
}

ApiError expired(std::string message) { return {410, "Expired", std::move(message), {}}; }

ApiError invalid(const std::string& kind, const std::string& group, const std::string& name,
                 const std::vector<FieldCause>& causes) {
  std::string joined;
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < causes.size(); ++i) {
    joined += (i > 0 ? ", " : "") + causes[i].field + ": " + causes[i].message;
    list.push_back(
        {{"reason", causes[i].reason}, {"message", causes[i].message}, {"field", causes[i].field}});
  }
  // Go's aggregate error prints a single cause bare and several in brackets.
  // The message names the qualified kind (GroupKind.String(): "ControllerRevision.apps"); the
  // details keep kind and group apart.
  std::string message = (group.empty() ? kind : kind + "." + group) + " \"" + name +
                        "\" is invalid: " + (causes.size() > 1 ? "[" + joined + "]" : joined);
  nlohmann::json details = {{"name", name}, {"kind", kind}, {"causes", list}};
  if (!group.empty()) {
    details["group"] = group;
  }
  return {422, "Invalid", message, details};
}

}  // namespace stillpoint::kubesim
