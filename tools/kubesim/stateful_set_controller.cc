// StatefulSet → pods <set>-<ordinal> and their claims (pkg/controller/statefulset/
// stateful_set.go sync, stateful_set_control.go updateStatefulSet with podManagementPolicy
// OrderedReady, stateful_set_utils.go newStatefulSetPod/getPersistentVolumeClaims).
//
// Order of a sync, as the real one: adopt orphan ControllerRevisions (a refused PATCH ends the
// sync: no pods claimed, no status written), claim pods (orphans whose name is <set>-<n>),
// find or create the revision of the template, then walk the ordinals: create a missing pod
// (its claims first, reusing existing ones) and wait for it to be Running and Ready before
// the next; delete condemned pods (ordinal ≥ replicas) from the highest, one at a time; roll
// pods of an old revision from the highest ordinal down to the partition. PVCs are never
// deleted (retention policy Retain).
#include <algorithm>
#include <map>

#include "controllers.h"

namespace stillpoint::kubesim {
namespace {

constexpr const char* kSets = "statefulsets.apps";

// getParentNameAndOrdinal: "<parent>-<ordinal>".
int ordinal_of(const std::string& pod, const std::string& set) {
  if (pod.size() <= set.size() + 1 || !pod.starts_with(set + "-"))
    return -1;
  std::string n = pod.substr(set.size() + 1);
  if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos || n.size() > 9)
    return -1;
  return std::stoi(n);
}

std::string revision_label(const nlohmann::json& pod) {
  const nlohmann::json& l = labels_of(pod);
  return l.is_object() ? l.value(kRevisionHashLabel, "") : "";
}

nlohmann::json claim_templates(const nlohmann::json& set) {
  return set["spec"].value("volumeClaimTemplates", nlohmann::json::array());
}

std::string claim_name(const nlohmann::json& tmpl, const std::string& set, int ordinal) {
  return tmpl["metadata"].value("name", "") + "-" + set + "-" + std::to_string(ordinal);
}

// createPersistentVolumeClaims: create what is missing, keep what exists (a restored claim).
bool ensure_claims(Controllers& c, const nlohmann::json& set, int ordinal) {
  const std::string ns = set["metadata"].value("namespace", "");
  const std::string name = set["metadata"].value("name", "");
  for (const auto& tmpl : claim_templates(set)) {
    if (!tmpl.is_object() || !tmpl.contains("metadata"))
      continue;
    std::string claim = claim_name(tmpl, name, ordinal);
    if (c.store().get("persistentvolumeclaims", ns, claim) != nullptr)
      continue;
    nlohmann::json labels = tmpl["metadata"].value("labels", nlohmann::json::object());
    const nlohmann::json& sel = set["spec"].value("selector", nlohmann::json::object());
    if (sel.contains("matchLabels")) {
      for (const auto& [k, v] : sel["matchLabels"].items())
        labels[k] = v;
    }
    nlohmann::json pvc = {{"apiVersion", "v1"},
                          {"kind", "PersistentVolumeClaim"},
                          {"metadata", {{"name", claim}, {"labels", labels}}},
                          {"spec", tmpl.value("spec", nlohmann::json::object())}};
    if (tmpl["metadata"].contains("annotations")) {
      pvc["metadata"]["annotations"] = tmpl["metadata"]["annotations"];
    }
    Response r = c.call("POST", api_path("persistentvolumeclaims", ns), pvc);
    if (r.status != 201 && r.status != 409) {
      c.log("StatefulSet " + ns + "/" + name + ": creating claim " + claim +
            " failed: " + r.body.substr(0, 300));
      return false;
    }
  }
  return true;
}

nlohmann::json new_pod(const nlohmann::json& set, int ordinal, const std::string& revision,
                       KubeRelease release) {
  const std::string name = set["metadata"].value("name", "");
  const std::string pod_name = name + "-" + std::to_string(ordinal);
  nlohmann::json pod =
      pod_from_template(set["spec"].value("template", nlohmann::json::object()), set);
  nlohmann::json& md = pod["metadata"];
  md["name"] = pod_name;
  md["generateName"] = name + "-";  // newStatefulSetPod sets it, though the name is fixed
  md["labels"][kStatefulSetPodNameLabel] = pod_name;
  if (release == KubeRelease::Current) {
    md["labels"][kPodIndexLabel] = std::to_string(ordinal);  // since 1.28
  }
  md["labels"][kRevisionHashLabel] = revision;
  nlohmann::json& spec = pod["spec"];
  spec["hostname"] = pod_name;
  if (set["spec"].contains("serviceName"))
    spec["subdomain"] = set["spec"]["serviceName"];
  // updateStorage: each claim template becomes (or replaces) the volume of the same name.
  for (const auto& tmpl : claim_templates(set)) {
    if (!tmpl.is_object() || !tmpl.contains("metadata"))
      continue;
    std::string vname = tmpl["metadata"].value("name", "");
    nlohmann::json vol = {
        {"name", vname},
        {"persistentVolumeClaim", {{"claimName", claim_name(tmpl, name, ordinal)}}}};
    if (!spec.contains("volumes") || !spec["volumes"].is_array())
      spec["volumes"] = nlohmann::json::array();
    auto& vols = spec["volumes"];
    auto it = std::find_if(vols.begin(), vols.end(),
                           [&](const nlohmann::json& v) { return v.value("name", "") == vname; });
    if (it != vols.end()) {
      *it = vol;
    } else {
      vols.push_back(vol);
    }
  }
  return pod;
}

}  // namespace

bool sync_stateful_set(Controllers& c, const std::string& ns, const std::string& name) {
  const Stored* s = c.store().get(kSets, ns, name);
  if (s == nullptr) {
    return true;
  }
  std::shared_ptr<const nlohmann::json> set = s->object;
  if (is_deleting(*set)) {
    return true;
  }
  RevisionChoice rev = sync_revisions(c, *set, false);
  if (!rev.error.empty()) {
    c.log(rev.error.starts_with("StatefulSet")
              ? rev.error.substr(0, 600)
              : "StatefulSet " + ns + "/" + name + ": " + rev.error.substr(0, 600));
    return false;
  }
  std::string error;
  auto pods = claim(
      c, *set, "pods",
      [&](const nlohmann::json& p) {
        return ordinal_of(p["metadata"].value("name", ""), name) >= 0;
      },
      &error);
  if (!error.empty()) {
    c.log(error.substr(0, 600));
    return false;
  }
  const std::string update = (*rev.update)["metadata"].value("name", "");
  const std::string current = (*rev.current)["metadata"].value("name", "");
  const int replicas = spec_replicas(*set);
  std::map<int, std::shared_ptr<const nlohmann::json>> by_ordinal;
  for (auto& p : pods) {
    int o = ordinal_of((*p)["metadata"].value("name", ""), name);
    if (o >= 0)
      by_ordinal[o] = p;
  }
  int status_replicas = 0, ready = 0, current_n = 0, updated_n = 0;
  for (auto& [o, p] : by_ordinal) {
    ++status_replicas;
    if (pod_running_and_ready(*p))
      ++ready;
    if (revision_label(*p) == current)
      ++current_n;
    if (revision_label(*p) == update)
      ++updated_n;
  }
  int partition = 0;
  const nlohmann::json& strategy = (*set)["spec"].value("updateStrategy", nlohmann::json::object());
  bool rolling = strategy.value("type", "RollingUpdate") == "RollingUpdate";
  if (strategy.contains("rollingUpdate"))
    partition = strategy["rollingUpdate"].value("partition", 0);
  bool ok = true;
  bool waiting = false;
  for (int o = 0; o < replicas && !waiting; ++o) {
    auto it = by_ordinal.find(o);
    if (it == by_ordinal.end()) {
      if (!ensure_claims(c, *set, o)) {
        ok = false;
        break;
      }
      std::string revision = rolling && o < partition ? current : update;
      Response r = c.call("POST", api_path("pods", ns), new_pod(*set, o, revision, c.api().release()));
      if (r.status != 201) {
        c.log("StatefulSet " + ns + "/" + name + ": creating pod failed: " + r.body.substr(0, 300));
        ok = false;
      }
      waiting = true;  // OrderedReady: one at a time
      break;
    }
    const nlohmann::json& pod = *it->second;
    std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
    if (!is_deleting(pod) && (phase == "Failed" || phase == "Succeeded")) {
      c.call("DELETE", api_path("pods", ns, pod["metadata"].value("name", "")));
      waiting = true;
      break;
    }
    if (is_deleting(pod) || !pod_running_and_ready(pod)) {
      waiting = true;
    }
  }
  if (!waiting && ok) {
    // Condemned pods, highest ordinal first, one at a time.
    for (auto it = by_ordinal.rbegin(); it != by_ordinal.rend() && it->first >= replicas; ++it) {
      if (!is_deleting(*it->second)) {
        c.call("DELETE", api_path("pods", ns, (*it->second)["metadata"].value("name", "")));
      }
      waiting = true;
      break;
    }
  }
  if (!waiting && ok && rolling) {
    for (int o = replicas - 1; o >= partition; --o) {
      auto it = by_ordinal.find(o);
      if (it != by_ordinal.end() && revision_label(*it->second) != update) {
        c.call("DELETE", api_path("pods", ns, (*it->second)["metadata"].value("name", "")));
        break;
      }
    }
  }
  nlohmann::json status = {{"observedGeneration", (*set)["metadata"].value("generation", 1)},
                           {"replicas", status_replicas},
                           {"readyReplicas", ready},
                           {"currentReplicas", current_n},
                           {"updatedReplicas", updated_n},
                           {"currentRevision", current},
                           {"updateRevision", update},
                           {"collisionCount", 0}};
  if (c.api().release() == KubeRelease::Current) {
    status["availableReplicas"] = ready;  // since 1.22 (minReadySeconds, not modelled)
  }
  // completeRollingUpdate.
  if (rolling && updated_n == status_replicas && ready == status_replicas) {
    status["currentReplicas"] = updated_n;
    status["currentRevision"] = update;
  }
  return update_status(c, kSets, *set, status) && ok;
}

}  // namespace stillpoint::kubesim
