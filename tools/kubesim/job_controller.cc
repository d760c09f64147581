// Job → pods (pkg/controller/job/job_controller.go of 1.20: syncJob, manageJob,
// pastBackoffLimitOnFailure): keep min(parallelism, completions − succeeded) active pods
// `<job>-<5 random>` from the template, count the pods that Succeeded and Failed, and finish the
// Job with condition Complete (succeeded reached completions) or Failed/BackoffLimitExceeded
// (more failures than backoffLimit), deleting what is still active. Pods are selected by the
// controller-uid selector the registry generated (job_defaults.h) and orphans adopted.
//
// Not modelled: the pod re-creation backoff (10 s doubling on a real cluster: a failing Job
// here fails within moments), activeDeadlineSeconds, suspend, Indexed completion, pod failure
// policies, the finalizer-based tracking and status fields of later releases (`ready`,
// `terminating`, `uncountedTerminatedPods`, the SuccessCriteriaMet/FailureTarget conditions):
// status has the 1.20 shape for either release.
#include <algorithm>

#include "controllers.h"
#include "object_meta.h"

namespace stillpoint::kubesim {
namespace {

constexpr const char* kJobs = "jobs.batch";

int spec_int(const nlohmann::json& spec, const char* key, int fallback) {
  return spec.contains(key) && spec[key].is_number_integer() ? spec[key].get<int>() : fallback;
}

std::string phase_of(const nlohmann::json& pod) {
  return pod.contains("status") && pod["status"].is_object() ? pod["status"].value("phase", "")
                                                             : "";
}

// pastBackoffLimitOnFailure: with restartPolicy OnFailure failures are container restarts in
// the active pods, not failed pods.
bool past_backoff_limit_on_failure(const nlohmann::json& job,
                                   const std::vector<std::shared_ptr<const nlohmann::json>>& active,
                                   int backoff_limit) {
  const nlohmann::json& tmpl = job["spec"].value("template", nlohmann::json::object());
  const nlohmann::json& pspec = tmpl.value("spec", nlohmann::json::object());
  if (pspec.value("restartPolicy", "") != "OnFailure") {
    return false;
  }
  int restarts = 0;
  for (const auto& p : active) {
    const nlohmann::json& st = p->value("status", nlohmann::json::object());
    for (const char* f : {"initContainerStatuses", "containerStatuses"}) {
      if (st.contains(f) && st[f].is_array()) {
        for (const auto& cs : st[f])
          restarts += cs.value("restartCount", 0);
      }
    }
  }
  return backoff_limit == 0 ? restarts > 0 : restarts >= backoff_limit;
}

bool has_condition(const nlohmann::json& status, const std::string& type) {
  if (!status.contains("conditions") || !status["conditions"].is_array())
    return false;
  return std::any_of(status["conditions"].begin(), status["conditions"].end(),
                     [&](const nlohmann::json& c) {
                       return c.value("type", "") == type && c.value("status", "") == "True";
                     });
}

// newCondition of 1.20: Complete carries no reason or message.
nlohmann::json condition(const std::string& type,
                         const std::string& reason,
                         const std::string& message) {
  const std::string now = now_rfc3339();
  nlohmann::json c = {
      {"type", type}, {"status", "True"}, {"lastProbeTime", now}, {"lastTransitionTime", now}};
  if (!reason.empty())
    c["reason"] = reason;
  if (!message.empty())
    c["message"] = message;
  return c;
}

}  // namespace

bool sync_job(Controllers& c, const std::string& ns, const std::string& name) {
  const Stored* s = c.store().get(kJobs, ns, name);
  if (s == nullptr) {
    return true;
  }
  std::shared_ptr<const nlohmann::json> job = s->object;
  const nlohmann::json old_status = job->value("status", nlohmann::json::object());
  if (is_deleting(*job) || has_condition(old_status, "Complete") ||
      has_condition(old_status, "Failed")) {
    return true;  // IsJobFinished: a finished Job is never synced again
  }
  std::string error;
  auto pods = claim(c, *job, "pods", nullptr, &error);
  if (!error.empty()) {
    c.log(error.substr(0, 600));
    return false;
  }
  std::vector<std::shared_ptr<const nlohmann::json>> active;
  int succeeded = 0, failed = 0;
  for (auto& p : pods) {
    const std::string phase = phase_of(*p);
    if (phase == "Succeeded") {
      ++succeeded;
    } else if (phase == "Failed") {
      ++failed;
    } else if (!is_deleting(*p)) {
      active.push_back(p);
    }
  }
  const nlohmann::json& spec = (*job)["spec"];
  const bool has_completions = spec.contains("completions") && spec["completions"].is_number();
  const int completions = spec_int(spec, "completions", 1);
  const int parallelism = spec_int(spec, "parallelism", 1);
  const int backoff_limit = spec_int(spec, "backoffLimit", 6);

  nlohmann::json status = old_status;
  if (!status.contains("startTime")) {
    status["startTime"] = now_rfc3339();
  }
  bool ok = true;
  const bool backoff_exceeded =
      failed > backoff_limit || past_backoff_limit_on_failure(*job, active, backoff_limit);
  // Without completions the Job is done once one pod succeeded and none is left running.
  const bool complete =
      has_completions ? succeeded >= completions : succeeded > 0 && active.empty();
  if (backoff_exceeded || complete) {
    // A finished Job deletes its remaining active pods (deleteJobPods).
    for (auto& p : active) {
      c.call("DELETE", api_path("pods", ns, (*p)["metadata"].value("name", "")));
    }
    active.clear();
    if (!status.contains("conditions") || !status["conditions"].is_array())
      status["conditions"] = nlohmann::json::array();
    if (backoff_exceeded) {
      status["conditions"].push_back(condition("Failed", "BackoffLimitExceeded",
                                               "Job has reached the specified backoff limit"));
    } else {
      status["conditions"].push_back(condition("Complete", "", ""));
      status["completionTime"] = now_rfc3339();
    }
  } else {
    // manageJob.
    int want = has_completions ? std::min(completions - succeeded, parallelism)
                               : (succeeded > 0 ? static_cast<int>(active.size()) : parallelism);
    int diff = static_cast<int>(active.size()) - std::max(want, 0);
    const nlohmann::json& tmpl = spec.value("template", nlohmann::json::object());
    for (int i = diff; i < 0; ++i) {
      nlohmann::json pod = pod_from_template(tmpl, *job);
      pod["metadata"]["generateName"] = name + "-";
      Response r = c.call("POST", api_path("pods", ns), pod);
      if (r.status != 201) {
        c.log("Job " + ns + "/" + name + ": creating a pod failed: " + r.body.substr(0, 300));
        ok = false;
        break;
      }
      active.push_back(std::make_shared<const nlohmann::json>(nlohmann::json::parse(r.body)));
    }
    // Too many (parallelism lowered): the newest go first.
    for (int i = 0; i < diff; ++i) {
      auto& p = active[active.size() - 1 - static_cast<size_t>(i)];
      c.call("DELETE", api_path("pods", ns, (*p)["metadata"].value("name", "")));
    }
    if (diff > 0)
      active.resize(active.size() - static_cast<size_t>(diff));
  }
  // Zero counts are omitted, as Go's omitempty writes them.
  auto set_count = [&](const char* key, int n) {
    if (n > 0) {
      status[key] = n;
    } else {
      status.erase(key);
    }
  };
  set_count("active", static_cast<int>(active.size()));
  set_count("succeeded", succeeded);
  set_count("failed", failed);
  return update_status(c, kJobs, *job, status) && ok;
}

}  // namespace stillpoint::kubesim
