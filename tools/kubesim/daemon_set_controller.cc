// DaemonSet → one pod per node (pkg/controller/daemon/daemon_controller.go syncDaemonSet,
// manage, updateDaemonSetStatus; update.go constructHistory/rollingUpdate). kubesim serves no
// Node objects: its one node is `kubesim` (object_meta.h kNodeName), where every pod runs.
// Revisions as for StatefulSets (a refused adoption of an orphan ControllerRevision ends the
// sync); pods carry controller-revision-hash and pod-template-generation. Rolling update with
// maxUnavailable 1: an old pod is deleted only when the others are ready.
#include <algorithm>

#include "controllers.h"
#include "object_meta.h"

namespace stillpoint::kubesim {

namespace {

// util.AddOrUpdateDaemonPodTolerations (pkg/controller/daemon/util): a daemon pod stays on its
// node through the node conditions that evict or keep out other pods. With these in place,
// DefaultTolerationSeconds admission adds nothing.
void add_daemon_tolerations(nlohmann::json& spec) {
  struct Toleration {
    const char* key;
    const char* effect;
  };
  std::vector<Toleration> wanted = {{"node.kubernetes.io/not-ready", "NoExecute"},
                                    {"node.kubernetes.io/unreachable", "NoExecute"},
                                    {"node.kubernetes.io/disk-pressure", "NoSchedule"},
                                    {"node.kubernetes.io/memory-pressure", "NoSchedule"},
                                    {"node.kubernetes.io/pid-pressure", "NoSchedule"},
                                    {"node.kubernetes.io/unschedulable", "NoSchedule"}};
  if (spec.value("hostNetwork", false)) {
    wanted.push_back({"node.kubernetes.io/network-unavailable", "NoSchedule"});
  }
  if (!spec.contains("tolerations") || !spec["tolerations"].is_array()) {
    spec["tolerations"] = nlohmann::json::array();
  }
  for (const Toleration& t : wanted) {
    bool present = false;
    for (const auto& have : spec["tolerations"]) {
      if (have.is_object() && have.value("key", "") == t.key &&
          have.value("effect", "") == t.effect) {
        present = true;
      }
    }
    if (!present) {
      spec["tolerations"].push_back({{"key", t.key}, {"operator", "Exists"}, {"effect", t.effect}});
    }
  }
}

}  // namespace

bool sync_daemon_set(Controllers& c, const std::string& ns, const std::string& name) {
  const Stored* s = c.store().get("daemonsets.apps", ns, name);
  if (s == nullptr) {
    return true;
  }
  std::shared_ptr<const nlohmann::json> ds = s->object;
  if (is_deleting(*ds)) {
    return true;
  }
  RevisionChoice rev = sync_revisions(c, *ds, true);
  if (!rev.error.empty()) {
    c.log(rev.error.starts_with("DaemonSet")
              ? rev.error.substr(0, 600)
              : "DaemonSet " + ns + "/" + name + ": " + rev.error.substr(0, 600));
    return false;
  }
  std::string error;
  auto pods = claim(c, *ds, "pods", nullptr, &error);
  if (!error.empty()) {
    c.log(error.substr(0, 600));
    return false;
  }
  const nlohmann::json& rl = labels_of(*rev.update);
  std::string hash = rl.is_object() ? rl.value(kRevisionHashLabel, "") : "";
  if (hash.empty()) {
    std::string n = (*rev.update)["metadata"].value("name", "");
    hash = n.substr(std::min(n.size(), name.size() + 1));
  }
  std::vector<std::shared_ptr<const nlohmann::json>> on_node;
  for (auto& p : pods) {
    if (!is_deleting(*p) && (*p)["spec"].value("nodeName", std::string(kNodeName)) == kNodeName) {
      on_node.push_back(p);
    }
  }
  std::sort(on_node.begin(), on_node.end(), [](const auto& a, const auto& b) {
    return (*a)["metadata"].value("creationTimestamp", "") <
           (*b)["metadata"].value("creationTimestamp", "");
  });
  bool ok = true;
  auto pod_hash = [](const nlohmann::json& p) {
    const nlohmann::json& l = labels_of(p);
    return l.is_object() ? l.value(kRevisionHashLabel, "") : std::string();
  };
  // Failed pods are deleted and replaced; extra pods on the node are deleted (oldest kept).
  std::vector<std::shared_ptr<const nlohmann::json>> keep;
  for (auto& p : on_node) {
    std::string phase = p->contains("status") ? (*p)["status"].value("phase", "") : "";
    if (phase == "Failed" || keep.size() == 1) {
      c.call("DELETE", api_path("pods", ns, (*p)["metadata"].value("name", "")));
    } else {
      keep.push_back(p);
    }
  }
  if (keep.empty()) {
    nlohmann::json pod =
        pod_from_template((*ds)["spec"].value("template", nlohmann::json::object()), *ds);
    pod["metadata"]["generateName"] = name + "-";
    pod["metadata"]["labels"][kRevisionHashLabel] = hash;
    pod["metadata"]["labels"]["pod-template-generation"] =
        std::to_string((*ds)["metadata"].value("generation", 1));
    // util.ReplaceDaemonSetPodNodeNameNodeAffinity: the pod is pinned to its node.
    pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
        {"nodeSelectorTerms",
         {{{"matchFields",
            {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {kNodeName}}}}}}}}};
    add_daemon_tolerations(pod["spec"]);
    Response r = c.call("POST", api_path("pods", ns), pod);
    if (r.status != 201) {
      c.log("DaemonSet " + ns + "/" + name + ": creating pod failed: " + r.body.substr(0, 300));
      ok = false;
    }
  } else if (pod_hash(*keep[0]) != hash) {
    std::string strategy = (*ds)["spec"].contains("updateStrategy")
                               ? (*ds)["spec"]["updateStrategy"].value("type", "RollingUpdate")
                               : "RollingUpdate";
    if (strategy == "RollingUpdate") {
      c.call("DELETE", api_path("pods", ns, (*keep[0])["metadata"].value("name", "")));
    }
  }
  int scheduled = keep.empty() ? 0 : 1;
  int ready = !keep.empty() && pod_ready(*keep[0]) ? 1 : 0;
  int updated = !keep.empty() && pod_hash(*keep[0]) == hash ? 1 : 0;
  nlohmann::json status = {{"currentNumberScheduled", scheduled},
                           {"desiredNumberScheduled", 1},
                           {"numberMisscheduled", 0},
                           {"numberReady", ready},
                           {"updatedNumberScheduled", updated},
                           {"numberAvailable", ready},
                           {"observedGeneration", (*ds)["metadata"].value("generation", 1)}};
  if (ready == 0)
    status["numberUnavailable"] = 1;
  return update_status(c, "daemonsets.apps", *ds, status) && ok;
}

}  // namespace stillpoint::kubesim
