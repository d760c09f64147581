// Deployment → ReplicaSets (pkg/controller/deployment/deployment_controller.go syncDeployment,
// sync.go getAllReplicaSetsAndSyncRevision/calculateStatus, util/deployment_util.go
// FindNewReplicaSet/EqualIgnoreHash). Orphan ReplicaSets matching the selector are adopted;
// the "new" ReplicaSet is the one whose template equals the Deployment's ignoring the
// pod-template-hash label, so a restored ReplicaSet is reused rather than replaced.
//
// Rollouts are recreate-style: a template change creates the new ReplicaSet at full size and
// scales the old ones to 0 in the same sync (no maxSurge/maxUnavailable stepping).
#include <algorithm>

#include "controllers.h"
#include "go_json.h"
#include "object_meta.h"

namespace stillpoint::kubesim {
namespace {

nlohmann::json template_without_hash(nlohmann::json t) {
  t = without_nulls(std::move(t));
  if (t.contains("metadata") && t["metadata"].contains("labels")) {
    t["metadata"]["labels"].erase(kPodTemplateHashLabel);
    if (t["metadata"]["labels"].empty())
      t["metadata"].erase("labels");
  }
  if (t.contains("metadata") && t["metadata"].empty())
    t.erase("metadata");
  return t;
}

long revision_of(const nlohmann::json& rs) {
  const nlohmann::json& md = rs["metadata"];
  if (!md.contains("annotations"))
    return 0;
  try {
    return std::stol(md["annotations"].value(kDeploymentRevisionAnnotation, "0"));
  } catch (...) {
    return 0;
  }
}

// maxUnavailable resolved against replicas (intstr: a number or "25%", rounded down).
int max_unavailable(const nlohmann::json& d, int replicas) {
  const nlohmann::json& strategy = d["spec"].value("strategy", nlohmann::json::object());
  if (strategy.value("type", "RollingUpdate") == "Recreate")
    return 0;
  nlohmann::json v = strategy.contains("rollingUpdate")
                         ? strategy["rollingUpdate"].value("maxUnavailable", nlohmann::json("25%"))
                         : nlohmann::json("25%");
  if (v.is_number_integer())
    return v.get<int>();
  std::string s = v.is_string() ? v.get<std::string>() : "25%";
  try {
    return s.ends_with("%") ? std::stoi(s) * replicas / 100 : std::stoi(s);
  } catch (...) {
    return 0;
  }
}

nlohmann::json condition(const std::string& type,
                         const std::string& status,
                         const std::string& reason,
                         const std::string& message) {
  std::string now = now_rfc3339();
  return {{"type", type},       {"status", status},      {"reason", reason},
          {"message", message}, {"lastUpdateTime", now}, {"lastTransitionTime", now}};
}

// Keeps a condition's timestamps when nothing but them would change.
void set_condition(nlohmann::json& conditions, const nlohmann::json& old, nlohmann::json c) {
  if (old.is_array()) {
    for (const auto& o : old) {
      if (o.value("type", "") != c["type"])
        continue;
      if (o.value("status", "") == c["status"]) {
        c["lastTransitionTime"] =
            o.value("lastTransitionTime", c["lastTransitionTime"].get<std::string>());
        if (o.value("reason", "") == c["reason"] && o.value("message", "") == c["message"]) {
          c["lastUpdateTime"] = o.value("lastUpdateTime", c["lastUpdateTime"].get<std::string>());
        }
      }
    }
  }
  conditions.push_back(std::move(c));
}

// deploymentutil.MaxSurge: the surge of a RollingUpdate Deployment, a count or a percentage
// of the replicas rounded up (0 for Recreate); the max-replicas annotation is replicas + it.
int max_surge(const nlohmann::json& deployment, int replicas) {
  const nlohmann::json& strategy = deployment["spec"].value("strategy", nlohmann::json::object());
  if (!strategy.is_object() || strategy.value("type", "RollingUpdate") != "RollingUpdate") {
    return 0;
  }
  const nlohmann::json ru = strategy.value("rollingUpdate", nlohmann::json::object());
  const nlohmann::json surge = ru.is_object() ? ru.value("maxSurge", nlohmann::json("25%"))
                                              : nlohmann::json("25%");
  if (surge.is_number_integer()) {
    return surge.get<int>();
  }
  if (surge.is_string()) {
    const std::string text = surge.get<std::string>();
    if (!text.empty() && text.back() == '%') {
      try {
        const int percent = std::stoi(text.substr(0, text.size() - 1));
        return (replicas * percent + 99) / 100;
      } catch (const std::exception&) {
        return 0;
      }
    }
  }
  return 0;
}

}  // namespace

bool sync_deployment(Controllers& c, const std::string& ns, const std::string& name) {
  const Stored* s = c.store().get("deployments.apps", ns, name);
  if (s == nullptr) {
    return true;
  }
  std::shared_ptr<const nlohmann::json> d = s->object;
  if (is_deleting(*d)) {
    return true;
  }
  std::string error;
  auto all = claim(c, *d, "replicasets.apps", nullptr, &error);
  if (!error.empty()) {
    c.log(error.substr(0, 600));
    return false;
  }
  std::sort(all.begin(), all.end(), [](const auto& a, const auto& b) {
    return (*a)["metadata"].value("creationTimestamp", "") <
           (*b)["metadata"].value("creationTimestamp", "");
  });
  const nlohmann::json tmpl = (*d)["spec"].value("template", nlohmann::json::object());
  const nlohmann::json want_tmpl = template_without_hash(tmpl);
  std::shared_ptr<const nlohmann::json> new_rs;
  long max_old_revision = 0;
  for (auto& rs : all) {
    if (new_rs == nullptr && template_without_hash((*rs)["spec"].value(
                                 "template", nlohmann::json::object())) == want_tmpl) {
      new_rs = rs;
    } else {
      max_old_revision = std::max(max_old_revision, revision_of(*rs));
    }
  }
  const int replicas = spec_replicas(*d);
  bool created = false;
  if (new_rs == nullptr) {
    // sync.go getNewReplicaSet: name <deployment>-<hash>, the hash label on the template and
    // selector, revision = the highest old revision + 1.
    std::string hash = safe_hash(go_dump(without_nulls(tmpl)));
    nlohmann::json rs_tmpl = tmpl;
    rs_tmpl["metadata"]["labels"][kPodTemplateHashLabel] = hash;
    nlohmann::json selector = (*d)["spec"].value("selector", nlohmann::json::object());
    selector["matchLabels"][kPodTemplateHashLabel] = hash;
    nlohmann::json labels = rs_tmpl["metadata"]["labels"];
    std::string revision = std::to_string(max_old_revision + 1);
    nlohmann::json rs = {
        {"apiVersion", "apps/v1"},
        {"kind", "ReplicaSet"},
        {"metadata",
         {{"name", name + "-" + hash},
          {"labels", labels},
          {"annotations",
           {{kDeploymentRevisionAnnotation, revision},
            {"deployment.kubernetes.io/desired-replicas", std::to_string(replicas)},
            {"deployment.kubernetes.io/max-replicas",
             std::to_string(replicas + max_surge(*d, replicas))}}},
          {"ownerReferences", {controller_owner_ref(*d)}}}},
        {"spec", {{"replicas", replicas}, {"selector", selector}, {"template", rs_tmpl}}}};
    if ((*d)["spec"].contains("minReadySeconds"))
      rs["spec"]["minReadySeconds"] = (*d)["spec"]["minReadySeconds"];
    Response r = c.call("POST", api_path("replicasets.apps", ns), rs);
    if (r.status != 201) {
      c.log("Deployment " + ns + "/" + name +
            ": creating ReplicaSet failed: " + r.body.substr(0, 300));
      return false;
    }
    new_rs = c.store().get("replicasets.apps", ns, name + "-" + hash)->object;
    created = true;
  } else {
    // Scale the new ReplicaSet, and make it the newest revision if an old one was newer.
    nlohmann::json patch = nlohmann::json::object();
    if (spec_replicas(*new_rs) != replicas)
      patch["spec"]["replicas"] = replicas;
    if (revision_of(*new_rs) <= max_old_revision || revision_of(*new_rs) == 0) {
      patch["metadata"]["annotations"][kDeploymentRevisionAnnotation] =
          std::to_string(std::max(max_old_revision + 1, revision_of(*new_rs)));
    }
    if (!patch.empty()) {
      Response r =
          c.call("PATCH", api_path("replicasets.apps", ns, (*new_rs)["metadata"].value("name", "")),
                 patch, "application/merge-patch+json");
      if (r.status != 200)
        return false;
      new_rs =
          c.store().get("replicasets.apps", ns, (*new_rs)["metadata"].value("name", ""))->object;
    }
  }
  const std::string new_name = (*new_rs)["metadata"].value("name", "");
  // Recreate-style: every old ReplicaSet goes to 0 at once.
  for (auto& rs : all) {
    if ((*rs)["metadata"].value("name", "") != new_name && spec_replicas(*rs) != 0) {
      c.call("PATCH", api_path("replicasets.apps", ns, (*rs)["metadata"].value("name", "")),
             {{"spec", {{"replicas", 0}}}}, "application/merge-patch+json");
    }
  }
  std::string revision = std::to_string(revision_of(*new_rs));
  const nlohmann::json& dmd = (*d)["metadata"];
  if (!dmd.contains("annotations") ||
      dmd["annotations"].value(kDeploymentRevisionAnnotation, "") != revision) {
    Response r =
        c.call("PATCH", api_path("deployments.apps", ns, name),
               {{"metadata", {{"annotations", {{kDeploymentRevisionAnnotation, revision}}}}}},
               "application/merge-patch+json");
    if (r.status != 200)
      return false;
    d = c.store().get("deployments.apps", ns, name)->object;
  }
  // sync.go calculateStatus, over the ReplicaSets' reported status.
  int actual = 0, ready = 0, available = 0, total_spec = 0, updated = 0;
  auto rs_status = [](const nlohmann::json& rs, const char* f) {
    return rs.contains("status") ? rs["status"].value(f, 0) : 0;
  };
  for (auto& rs : all) {
    if ((*rs)["metadata"].value("name", "") == new_name)
      continue;
    actual += rs_status(*rs, "replicas");
    ready += rs_status(*rs, "readyReplicas");
    available += rs_status(*rs, "availableReplicas");
    total_spec += spec_replicas(*rs) == 0 ? 0 : spec_replicas(*rs);
  }
  updated = rs_status(*new_rs, "replicas");
  actual += updated;
  ready += rs_status(*new_rs, "readyReplicas");
  available += rs_status(*new_rs, "availableReplicas");
  total_spec += replicas;
  const nlohmann::json& old_status = (*d).value("status", nlohmann::json::object());
  const nlohmann::json old_conditions = old_status.value("conditions", nlohmann::json::array());
  nlohmann::json conditions = nlohmann::json::array();
  if (available >= replicas - max_unavailable(*d, replicas)) {
    set_condition(conditions, old_conditions,
                  condition("Available", "True", "MinimumReplicasAvailable",
                            "Deployment has minimum availability."));
  } else {
    set_condition(conditions, old_conditions,
                  condition("Available", "False", "MinimumReplicasUnavailable",
                            "Deployment does not have minimum availability."));
  }
  bool complete =
      updated == replicas && actual == replicas && available == replicas &&
      rs_status(*new_rs, "observedGeneration") >= (*new_rs)["metadata"].value("generation", 1);
  if (complete) {
    set_condition(conditions, old_conditions,
                  condition("Progressing", "True", "NewReplicaSetAvailable",
                            "ReplicaSet \"" + new_name + "\" has successfully progressed."));
  } else if (created) {
    set_condition(conditions, old_conditions,
                  condition("Progressing", "True", "NewReplicaSetCreated",
                            "Created new replica set \"" + new_name + "\""));
  } else {
    set_condition(conditions, old_conditions,
                  condition("Progressing", "True", "ReplicaSetUpdated",
                            "ReplicaSet \"" + new_name + "\" is progressing."));
  }
  nlohmann::json status = {{"observedGeneration", (*d)["metadata"].value("generation", 1)},
                           {"replicas", actual},
                           {"updatedReplicas", updated},
                           {"readyReplicas", ready},
                           {"availableReplicas", available},
                           {"conditions", conditions}};
  if (total_spec - available > 0)
    status["unavailableReplicas"] = total_spec - available;
  return update_status(c, "deployments.apps", *d, status);
}

}  // namespace stillpoint::kubesim
