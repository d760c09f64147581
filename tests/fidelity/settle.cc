#include "settle.h"

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;

json section(const json& object, const char* name) {
  const json s = object.value(name, json::object());
  return s.is_object() ? s : json::object();
}

bool condition_true(const json& object, const std::string& type) {
  for (const json& c : section(object, "status").value("conditions", json::array())) {
    if (c.value("type", "") == type)
      return c.value("status", "") == "True";
  }
  return false;
}

long number(const json& object, const char* sec, const char* field, long otherwise = 0) {
  const json s = section(object, sec);
  return s.contains(field) && s[field].is_number_integer() ? s[field].get<long>() : otherwise;
}

// Why `object` is not settled, or "" when it is.
std::string why_not(const json& o) {
  const std::string kind = o.value("kind", "");
  const json status = section(o, "status");
  const long generation = number(o, "metadata", "generation");
  const bool observed = number(o, "status", "observedGeneration") >= generation;
  if (kind == "Pod") {
    const std::string phase = status.value("phase", "");
    if (phase == "Succeeded")
      return "";
    if (phase != "Running")
      return "phase '" + phase + "'";
    return condition_true(o, "Ready") ? "" : "not Ready";
  }
  if (kind == "Deployment" || kind == "StatefulSet" || kind == "ReplicaSet") {
    const long want = number(o, "spec", "replicas", 1);
    const long ready = number(o, "status", "readyReplicas");
    const long updated = kind == "ReplicaSet" ? want : number(o, "status", "updatedReplicas");
    if (!observed)
      return "generation not observed";
    if (ready != want || updated != want)
      return std::to_string(ready) + "/" + std::to_string(want) + " ready";
    if (kind == "Deployment" && number(o, "status", "availableReplicas") != want)
      return "not available";
    return "";
  }
  if (kind == "DaemonSet") {
    const long want = number(o, "status", "desiredNumberScheduled");
    const long ready = number(o, "status", "numberReady");
    if (!observed)
      return "generation not observed";
    if (want == 0 || ready != want)
      return std::to_string(ready) + "/" + std::to_string(want) + " ready";
    return "";
  }
  if (kind == "PersistentVolumeClaim" || kind == "PersistentVolume") {
    const std::string phase = status.value("phase", "");
    return phase == "Bound" ? "" : "phase '" + phase + "'";
  }
  if (kind == "Job")
    return condition_true(o, "Complete") ? "" : "not Complete";
  if (kind == "CustomResourceDefinition")
    return condition_true(o, "Established") ? "" : "not Established";
  if (kind == "ServiceAccount")
    return o.value("secrets", json::array()).empty() ? "no token Secret" : "";
  return "";
}

}  // namespace

std::vector<std::string> unsettled(const std::vector<json>& objects) {
  std::vector<std::string> out;
  for (const json& o : objects) {
    const std::string why = why_not(o);
    if (why.empty())
      continue;
    const json metadata = section(o, "metadata");
    const std::string ns = metadata.value("namespace", "");
    out.push_back(o.value("kind", "") + " " + (ns.empty() ? "" : ns + "/") +
                  metadata.value("name", "") + ": " + why);
  }
  return out;
}

}  // namespace stillpoint::fidelity
