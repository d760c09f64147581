// ControllerRevision `data` as a real API server keeps it. `data` is a RawExtension: the
// server stores the bytes of the create request as sent. Every later write decodes the
// object again from JSON the server itself produced with Go's encoding/json — compacted and
// HTML-escaped (`>` is \u003e), and for strategic merge patches (how controllers adopt,
// pkg/controller/history/controller_history.go AdoptControllerRevision) re-marshalled from a
// map, so with sorted keys — and ValidateControllerRevisionUpdate
// (pkg/apis/apps/validation/validation.go) refuses any change of those bytes:
//
//   ControllerRevision.apps "web-6c5d" is invalid: data: Invalid value:
//   runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:"", Kind:""}, Raw:[]uint8{0x7b, …},
//   ContentEncoding:"", ContentType:"application/json"}: field is immutable
//
// So a revision created with a literal `>` in `data` can never be patched (a StatefulSet
// cannot adopt it), while one written as Go writes it patches fine.
#include "api.h"
#include "go_json.h"

namespace stillpoint::kubesim {
namespace {

constexpr const char* kRevisions = "controllerrevisions.apps";

// RawExtension.UnmarshalJSON keeps nothing for `null`.
std::string raw_or_nil(std::string raw) {
  return raw == "null" ? std::string() : raw;
}

std::string canonical(const nlohmann::json& obj) {
  auto it = obj.find("data");
  return it == obj.end() ? std::string() : raw_or_nil(go_dump(*it));
}

}  // namespace

std::string Api::revision_data_at_create(const Request& req, const nlohmann::json& obj) const {
  // A JSON create keeps the bytes as sent; YAML is converted to JSON by Go on the server,
  // which yields the canonical form.
  if (req.method == "POST") {
    if (auto raw = raw_member(req.body, "data")) {
      return raw_or_nil(*raw);
    }
    if (nlohmann::json::accept(req.body)) {
      return std::string();  // no data member
    }
  }
  return canonical(obj);
}

std::optional<ApiError> Api::check_revision_data(const Request& req,
                                                 const nlohmann::json& old,
                                                 const nlohmann::json& next,
                                                 std::string* raw) const {
  const std::string& ns = old["metadata"].value("namespace", "");
  const std::string& name = old["metadata"].value("name", "");
  auto it = revision_data_.find(Store::object_key(ns, name));
  std::string old_raw = it != revision_data_.end() ? it->second : canonical(old);
  std::string ctype = req.content_type.substr(0, req.content_type.find(';'));
  if (req.method == "PUT") {
    // An update carries its own bytes: sending back exactly what was stored is accepted.
    auto sent = raw_member(req.body, "data");
    *raw = sent ? raw_or_nil(*sent) : std::string();
  } else if (ctype == "application/strategic-merge-patch+json" ||
             ctype == "application/apply-patch+yaml" ||
             next.value("data", nlohmann::json()) != old.value("data", nlohmann::json())) {
    // Through map[string]interface{} (ToUnstructured/FromUnstructured): sorted keys.
    *raw = canonical(next);
  } else {
    // JSON merge / JSON patch not touching data: the server's own encoding of the stored
    // bytes, key order kept (evanphx/json-patch keeps untouched subtrees raw).
    *raw = old_raw.empty() ? std::string() : go_compact(old_raw);
  }
  if (*raw == old_raw) {
    return std::nullopt;
  }
  std::string value = raw->empty()
                          ? "\"null\""
                          : "runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:\"\", "
                            "Kind:\"\"}, Raw:" +
                                go_bytes_literal(*raw) +
                                ", ContentEncoding:\"\", ContentType:\"application/json\"}";
  return invalid(
      "ControllerRevision", "apps", name,
      {{"FieldValueInvalid", "data", "Invalid value: " + value + ": field is immutable"}});
}

}  // namespace stillpoint::kubesim
