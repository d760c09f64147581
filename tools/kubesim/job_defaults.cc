// Job create-time defaults (job_defaults.h), checked against a real 1.20 cluster:
// `kubectl get job -o json` of a Job created with no labels and no selector.
#include "job_defaults.h"

#include <string>

namespace stillpoint::kubesim {
namespace {

void set_if_absent(nlohmann::json& obj, const char* key, const nlohmann::json& value) {
  if (!obj.contains(key) || obj[key].is_null()) {
    obj[key] = value;
  }
}

nlohmann::json& object_at(nlohmann::json& parent, const char* key) {
  if (!parent.contains(key) || !parent[key].is_object()) {
    parent[key] = nlohmann::json::object();
  }
  return parent[key];
}

}  // namespace

void apply_job_defaults(nlohmann::json& job, KubeRelease release) {
  nlohmann::json& spec = object_at(job, "spec");
  nlohmann::json& md = object_at(job, "metadata");
  // SetDefaults_Job: a non-parallel Job may leave both unset; both then become 1.
  if ((!spec.contains("completions") || spec["completions"].is_null()) &&
      (!spec.contains("parallelism") || spec["parallelism"].is_null())) {
    spec["completions"] = 1;
  }
  set_if_absent(spec, "parallelism", 1);
  set_if_absent(spec, "backoffLimit", 6);
  if (release == KubeRelease::Current) {
    set_if_absent(spec, "completionMode", "NonIndexed");
    set_if_absent(spec, "suspend", false);
    set_if_absent(spec, "podReplacementPolicy",
                  spec.contains("podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
  }
  // generateSelector (strategy.go): labels the user already set are kept; validation would
  // refuse a conflicting selector, which kubesim does not check.
  const bool manual = spec.contains("manualSelector") && spec["manualSelector"].is_boolean() &&
                      spec["manualSelector"].get<bool>();
  nlohmann::json& tmpl = object_at(spec, "template");
  nlohmann::json& tmd = object_at(tmpl, "metadata");
  if (!manual) {
    const std::string name = md.value("name", "");
    const std::string uid = md.value("uid", "");
    nlohmann::json& labels = object_at(tmd, "labels");
    set_if_absent(labels, "job-name", name);
    set_if_absent(labels, "controller-uid", uid);
    std::string selector_key = "controller-uid";
    if (release == KubeRelease::Current) {
      set_if_absent(labels, "batch.kubernetes.io/job-name", name);
      set_if_absent(labels, "batch.kubernetes.io/controller-uid", uid);
      selector_key = "batch.kubernetes.io/controller-uid";
    }
    nlohmann::json& selector = object_at(spec, "selector");
    set_if_absent(object_at(selector, "matchLabels"), selector_key.c_str(), uid);
  }
  // SetDefaults_Job copies the template's labels to a Job that has none. It runs on decode, so
  // a real server shows the generated labels there too (seen on 1.20 for a Job created with no
  // labels at all).
  const bool no_labels =
      !md.contains("labels") || !md["labels"].is_object() || md["labels"].empty();
  if (no_labels && tmd.contains("labels") && tmd["labels"].is_object()) {
    md["labels"] = tmd["labels"];
  }
  // The registry's PrepareForCreate clears status.
  job["status"] = nlohmann::json::object();
}

}  // namespace stillpoint::kubesim
