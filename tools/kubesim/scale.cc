// The scale subresource of Deployments, StatefulSets and ReplicaSets (autoscaling/v1 Scale),
// what `kubectl scale` reads and patches (a merge patch of spec.replicas). Writing the Scale
// writes the parent's spec.replicas through the ordinary update path.
#include "api.h"
#include "core/label_selector.h"
#include "patch.h"

namespace stillpoint::kubesim {
namespace {

nlohmann::json scale_of(const nlohmann::json& obj) {
  const nlohmann::json& md = obj["metadata"];
  nlohmann::json smd = nlohmann::json::object();
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (md.contains(f))
      smd[f] = md[f];
  }
  const nlohmann::json spec = obj.value("spec", nlohmann::json::object());
  int replicas = spec.contains("replicas") && spec["replicas"].is_number_integer()
                     ? spec["replicas"].get<int>()
                     : 1;
  nlohmann::json status = {
      {"replicas", obj.contains("status") ? obj["status"].value("replicas", 0) : 0}};
  if (spec.contains("selector")) {
    if (auto sel = core::LabelSelector::from_json(spec["selector"], "spec.selector")) {
      status["selector"] = sel->to_string();
    }
  }
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", smd},
          {"spec", {{"replicas", replicas}}},
          {"status", status}};
}

}  // namespace

Response Api::scale(const Target& t, const Request& req) {
  const Stored* s = store_.get(t.type->key(), t.ns, t.name);
  if (s == nullptr) {
    return error_response(not_found(t.type->plural, t.type->group, t.name));
  }
  nlohmann::json current = scale_of(*s->object);
  if (req.method == "GET") {
    return json_response(200, current);
  }
  if (req.method != "PUT" && req.method != "PATCH") {
    return error_response(method_not_allowed(req.method + " is not supported on scale"));
  }
  nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
  if (body.is_discarded()) {
    return error_response(bad_request("the request body is not valid JSON"));
  }
  nlohmann::json next;
  std::string ctype = req.content_type.substr(0, req.content_type.find(';'));
  if (req.method == "PUT") {
    next = body;
  } else if (ctype == "application/json-patch+json") {
    auto r = json_patch(current, body);
    if (!r) {
      return error_response(bad_request(r.error().message));
    }
    next = std::move(*r);
  } else if (ctype == "application/strategic-merge-patch+json") {
    next = strategic_merge_patch(current, body);
  } else {
    next = merge_patch(current, body);
  }
  if (!next.is_object() || !next.contains("spec") || !next["spec"].contains("replicas") ||
      !next["spec"]["replicas"].is_number_integer() || next["spec"]["replicas"].get<int>() < 0) {
    return error_response(invalid("Scale", "autoscaling", t.name,
                                  {{"FieldValueInvalid", "spec.replicas",
                                    "Invalid value: must be greater than or equal to 0"}}));
  }
  nlohmann::json obj = *s->object;
  obj["spec"]["replicas"] = next["spec"]["replicas"];
  if (req.method == "PUT" && next.contains("metadata") &&
      next["metadata"].contains("resourceVersion")) {
    obj["metadata"]["resourceVersion"] = next["metadata"]["resourceVersion"];
  }
  Target parent = t;
  parent.sub.clear();
  Request inner = req;
  inner.method = "PUT";
  inner.content_type = "application/json";
  Response r = update(parent, inner, std::move(obj), false);
  if (r.status != 200) {
    return r;
  }
  return json_response(200, scale_of(*store_.get(t.type->key(), t.ns, t.name)->object));
}

}  // namespace stillpoint::kubesim
