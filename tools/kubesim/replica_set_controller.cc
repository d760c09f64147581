// ReplicaSet → pods (pkg/controller/replicaset/replica_set.go syncReplicaSet, manageReplicas;
// replica_set_utils.go calculateStatus): keep spec.replicas active pods from the template,
// adopting matching orphans first and deleting the excess (not-ready and newest first).
#include <algorithm>

#include "controllers.h"

namespace stillpoint::kubesim {

bool sync_replica_set(Controllers& c, const std::string& ns, const std::string& name) {
  const Stored* s = c.store().get("replicasets.apps", ns, name);
  if (s == nullptr) {
    return true;
  }
  std::shared_ptr<const nlohmann::json> rs = s->object;
  std::string error;
  auto pods = claim(c, *rs, "pods", nullptr, &error);
  if (!error.empty()) {
    c.log(error.substr(0, 600));
    return false;
  }
  std::vector<std::shared_ptr<const nlohmann::json>> active;
  for (auto& p : pods) {
    if (pod_active(*p))
      active.push_back(p);
  }
  const int want = spec_replicas(*rs);
  bool ok = true;
  if (!is_deleting(*rs)) {
    int diff = static_cast<int>(active.size()) - want;
    const nlohmann::json& tmpl = (*rs)["spec"].value("template", nlohmann::json::object());
    for (int i = diff; i < 0; ++i) {
      nlohmann::json pod = pod_from_template(tmpl, *rs);
      pod["metadata"]["generateName"] = name + "-";
      Response r = c.call("POST", api_path("pods", ns), pod);
      if (r.status != 201) {
        c.log("ReplicaSet " + ns + "/" + name +
              ": creating a pod failed: " + r.body.substr(0, 300));
        ok = false;
        break;
      }
    }
    if (diff > 0) {
      // controller.ActivePods ranking, simplified: not ready before ready, newer before older.
      std::vector<std::shared_ptr<const nlohmann::json>> doomed = active;
      std::stable_sort(doomed.begin(), doomed.end(), [](const auto& a, const auto& b) {
        bool ra = pod_ready(*a), rb = pod_ready(*b);
        if (ra != rb)
          return !ra;
        return (*a)["metadata"].value("creationTimestamp", "") >
               (*b)["metadata"].value("creationTimestamp", "");
      });
      for (int i = 0; i < diff; ++i) {
        c.call("DELETE", api_path("pods", ns, (*doomed[i])["metadata"].value("name", "")));
      }
    }
  }
  // calculateStatus, over the pods as they were at the start of this sync (as the real one).
  int ready = 0, labeled = 0;
  const nlohmann::json& tmpl_labels =
      (*rs)["spec"].contains("template") && (*rs)["spec"]["template"].contains("metadata")
          ? (*rs)["spec"]["template"]["metadata"].value("labels", nlohmann::json::object())
          : nlohmann::json::object();
  for (auto& p : active) {
    if (pod_ready(*p))
      ++ready;
    const nlohmann::json& l = labels_of(*p);
    bool full = true;
    for (const auto& [k, v] : tmpl_labels.items()) {
      if (!l.is_object() || !l.contains(k) || l[k] != v)
        full = false;
    }
    if (full)
      ++labeled;
  }
  nlohmann::json status = {{"replicas", static_cast<int>(active.size())},
                           {"fullyLabeledReplicas", labeled},
                           {"readyReplicas", ready},
                           {"availableReplicas", ready},
                           {"observedGeneration", (*rs)["metadata"].value("generation", 1)}};
  return update_status(c, "replicasets.apps", *rs, status) && ok;
}

}  // namespace stillpoint::kubesim
