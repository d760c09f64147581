// The work queue and event routing of the controllers (the informers' event handlers of
// pkg/controller/*), plus the helpers they share.
#include "controllers.h"

#include <algorithm>
#include <cstdio>

#include "core/label_selector.h"
#include "go_json.h"

namespace stillpoint::kubesim {
namespace {

constexpr int kBatch = 100;  // syncs per posted task, so I/O is never starved
constexpr auto kMaxBackoff = std::chrono::seconds(30);

struct Route {
  const char* resource;
  ControllerKind kind;
};
constexpr Route kOwners[] = {{"replicasets.apps", ControllerKind::ReplicaSet},
                             {"deployments.apps", ControllerKind::Deployment},
                             {"statefulsets.apps", ControllerKind::StatefulSet},
                             {"daemonsets.apps", ControllerKind::DaemonSet},
                             {"jobs.batch", ControllerKind::Job}};

std::optional<ControllerKind> kind_of_owner(const std::string& kind) {
  if (kind == "ReplicaSet")
    return ControllerKind::ReplicaSet;
  if (kind == "Deployment")
    return ControllerKind::Deployment;
  if (kind == "StatefulSet")
    return ControllerKind::StatefulSet;
  if (kind == "DaemonSet")
    return ControllerKind::DaemonSet;
  if (kind == "Job")
    return ControllerKind::Job;
  return std::nullopt;
}

}  // namespace

Controllers::Controllers(Api& api, Post post) : api_(api), post_(std::move(post)) {
  api_.store().add_observer([this](const Event& e) { on_event(e); });
}

void Controllers::log(const std::string& message) const {
  std::fprintf(stderr, "kubesim: controllers: %s\n", message.c_str());
}

Response Controllers::call(const std::string& method,
                           const std::string& path,
                           const nlohmann::json& body,
                           const std::string& content_type) {
  Request r;
  r.method = method;
  r.path = path;
  r.content_type = content_type;
  if (!body.is_null()) {
    r.body = go_dump(body);
  }
  return api_.handle(r);
}

void Controllers::on_event(const Event& e) {
  const nlohmann::json& obj = *e.item.object;
  track_dependents(e);
  route_storage_protection(e);
  if (e.resource == "persistentvolumeclaims" || e.resource == "persistentvolumes" ||
      e.resource == "storageclasses.storage.k8s.io") {
    route_volume_event(e);
    return;
  }
  if (e.resource == "pods") {
    if (const nlohmann::json* ref = controller_ref(obj)) {
      if (auto k = kind_of_owner(ref->value("kind", ""))) {
        enqueue({*k, e.ns, ref->value("name", "")});
      }
    } else if (e.type != "DELETED") {
      const nlohmann::json& l = labels_of(obj);
      if (l.is_object() && !l.empty()) {
        enqueue_matching(ControllerKind::ReplicaSet, "replicasets.apps", e.ns, l);
        enqueue_matching(ControllerKind::StatefulSet, "statefulsets.apps", e.ns, l);
        enqueue_matching(ControllerKind::DaemonSet, "daemonsets.apps", e.ns, l);
        enqueue_matching(ControllerKind::Job, "jobs.batch", e.ns, l);
      }
    }
    return;
  }
  for (const Route& r : kOwners) {
    if (e.resource == r.resource) {
      enqueue({r.kind, e.ns, obj["metadata"].value("name", "")});
    }
  }
  if (e.resource == "replicasets.apps" || e.resource == "controllerrevisions.apps") {
    if (const nlohmann::json* ref = controller_ref(obj)) {
      if (auto k = kind_of_owner(ref->value("kind", ""))) {
        enqueue({*k, e.ns, ref->value("name", "")});
      }
    } else if (e.type != "DELETED") {
      const nlohmann::json& l = labels_of(obj);
      if (e.resource == "replicasets.apps") {
        enqueue_matching(ControllerKind::Deployment, "deployments.apps", e.ns, l);
      } else {
        enqueue_matching(ControllerKind::StatefulSet, "statefulsets.apps", e.ns, l);
        enqueue_matching(ControllerKind::DaemonSet, "daemonsets.apps", e.ns, l);
      }
    }
  }
}

// The PV controller's informers (pv_controller_base.go): a claim event syncs the claim, and a
// deleted claim its volume (which is then Released); a volume event syncs the volume and the
// claim it names, and a volume or class that appears may satisfy any Pending claim.
void Controllers::route_volume_event(const Event& e) {
  const nlohmann::json& obj = *e.item.object;
  const std::string name = obj["metadata"].value("name", "");
  if (e.resource == "persistentvolumeclaims") {
    enqueue({ControllerKind::Claim, e.ns, name});
    const nlohmann::json& spec = obj.contains("spec") ? obj["spec"] : nlohmann::json();
    if (e.type == "DELETED" && spec.is_object() && spec.contains("volumeName") &&
        spec["volumeName"].is_string() && !spec["volumeName"].get<std::string>().empty()) {
      enqueue({ControllerKind::Volume, "", spec["volumeName"].get<std::string>()});
    }
    return;
  }
  if (e.resource == "persistentvolumes") {
    if (e.type != "DELETED") {
      enqueue({ControllerKind::Volume, "", name});
    }
    const nlohmann::json& spec = obj.contains("spec") ? obj["spec"] : nlohmann::json();
    if (spec.is_object() && spec.contains("claimRef") && spec["claimRef"].is_object()) {
      const nlohmann::json& ref = spec["claimRef"];
      enqueue({ControllerKind::Claim, ref.value("namespace", ""), ref.value("name", "")});
    }
  }
  if (e.type != "DELETED") {
    enqueue_pending_claims();
  }
}

void Controllers::enqueue_pending_claims() {
  for (const auto& [key, s] : store().bucket("persistentvolumeclaims")) {
    const nlohmann::json& claim = *s.object;
    const nlohmann::json& status = claim.contains("status") ? claim["status"] : nlohmann::json();
    if (status.is_object() && status.value("phase", "") == "Bound") {
      continue;
    }
    enqueue({ControllerKind::Claim, claim["metadata"].value("namespace", ""),
             claim["metadata"].value("name", "")});
  }
}

void Controllers::route_storage_protection(const Event& e) {
  const nlohmann::json& obj = *e.item.object;
  if (e.resource == "persistentvolumeclaims" || e.resource == "persistentvolumes") {
    if (e.type != "DELETED" && is_deleting(obj)) {
      enqueue({ControllerKind::StorageProtection, e.ns, obj["metadata"].value("name", "")});
    }
    return;
  }
  if (e.resource != "pods" || (e.type != "DELETED" && pod_active(obj))) {
    return;
  }
  // A pod that ended or went away may have been the last user of a claim being deleted.
  const nlohmann::json& spec = obj.contains("spec") ? obj["spec"] : nlohmann::json();
  if (!spec.is_object() || !spec.contains("volumes") || !spec["volumes"].is_array()) {
    return;
  }
  for (const auto& v : spec["volumes"]) {
    if (!v.is_object() || !v.contains("persistentVolumeClaim") ||
        !v["persistentVolumeClaim"].is_object()) {
      continue;
    }
    const std::string claim = v["persistentVolumeClaim"].value("claimName", "");
    const Stored* s = store().get("persistentvolumeclaims", e.ns, claim);
    if (s != nullptr && is_deleting(*s->object)) {
      enqueue({ControllerKind::StorageProtection, e.ns, claim});
    }
  }
}

void Controllers::track_dependents(const Event& e) {
  const nlohmann::json& md = (*e.item.object)["metadata"];
  auto refs = md.find("ownerReferences");
  bool has_refs = refs != md.end() && refs->is_array() && !refs->empty();
  if (!has_refs && dependents_.empty()) {
    return;  // the common case (e.g. 10,000 bare pods): no allocation per event
  }
  std::string self = has_refs ? e.resource + "|" + e.ns + "|" + md.value("name", "") : "";
  if (e.type == "DELETED") {
    if (has_refs) {
      for (const auto& r : *refs) {
        auto it = dependents_.find(r.value("uid", ""));
        if (it != dependents_.end()) {
          it->second.erase(self);
          if (it->second.empty())
            dependents_.erase(it);
        }
      }
    }
    std::string uid = md.value("uid", "");
    if (dependents_.count(uid) != 0) {
      enqueue({ControllerKind::GarbageCollector, e.ns, uid});
    }
    return;
  }
  if (has_refs) {
    for (const auto& r : *refs) {
      if (r.is_object() && r.contains("uid")) {
        dependents_[r.value("uid", "")].insert(self);
      }
    }
  }
}

void Controllers::enqueue_matching(ControllerKind kind,
                                   const std::string& resource,
                                   const std::string& ns,
                                   const nlohmann::json& labels) {
  const Store::Bucket& b = store().bucket(resource);
  std::string prefix = ns + "/";
  for (auto it = b.lower_bound(prefix); it != b.end() && it->first.starts_with(prefix); ++it) {
    const nlohmann::json& owner = *it->second.object;
    const nlohmann::json& spec = owner.contains("spec") ? owner["spec"] : nlohmann::json();
    if (spec.is_object() && spec.contains("selector") &&
        selector_matches(spec["selector"], labels)) {
      enqueue({kind, ns, owner["metadata"].value("name", "")});
    }
  }
}

void Controllers::enqueue(Key key) {
  if (stopped_) {
    return;
  }
  if (queued_.insert(key).second) {
    queue_.push_back(std::move(key));
  }
  schedule();
}

void Controllers::schedule() {
  if (scheduled_ || queue_.empty()) {
    return;
  }
  scheduled_ = true;
  post_(std::chrono::milliseconds(0), [this] {
    scheduled_ = false;
    run_queue();
  });
}

void Controllers::run_queue() {
  for (int n = 0; n < kBatch && !queue_.empty(); ++n) {
    Key key = queue_.front();
    queue_.erase(queue_.begin());
    queued_.erase(key);
    bool ok = false;
    try {
      ok = sync(key);
    } catch (const std::exception& e) {
      log("sync of " + key.ns + "/" + key.name + " failed: " + e.what());
    }
    if (ok) {
      failures_.erase(key);
      continue;
    }
    // Rate-limited requeue, as the controllers' workqueues do (5 ms doubling, capped here).
    int f = ++failures_[key];
    auto delay = std::min<std::chrono::milliseconds>(
        std::chrono::milliseconds(50L << std::min(f, 10)), kMaxBackoff);
    post_(delay, [this, key] { enqueue(key); });
  }
  schedule();
}

bool Controllers::sync(const Key& key) {
  switch (key.kind) {
    case ControllerKind::ReplicaSet:
      return sync_replica_set(*this, key.ns, key.name);
    case ControllerKind::Deployment:
      return sync_deployment(*this, key.ns, key.name);
    case ControllerKind::StatefulSet:
      return sync_stateful_set(*this, key.ns, key.name);
    case ControllerKind::DaemonSet:
      return sync_daemon_set(*this, key.ns, key.name);
    case ControllerKind::Job:
      return sync_job(*this, key.ns, key.name);
    case ControllerKind::Claim:
      return sync_claim(*this, key.ns, key.name);
    case ControllerKind::Volume:
      return sync_volume(*this, key.name);
    case ControllerKind::StorageProtection:
      return sync_storage_protection(*this, key.ns, key.name);
    case ControllerKind::GarbageCollector: {
      auto it = dependents_.find(key.name);
      if (it == dependents_.end()) {
        return true;
      }
      std::set<std::string> deps = std::move(it->second);
      dependents_.erase(it);
      return collect_garbage(*this, key.name, deps);
    }
  }
  return true;
}

// --- helpers ---

const nlohmann::json* controller_ref(const nlohmann::json& obj) {
  auto md = obj.find("metadata");
  if (md == obj.end())
    return nullptr;
  auto refs = md->find("ownerReferences");
  if (refs == md->end() || !refs->is_array())
    return nullptr;
  for (const auto& r : *refs) {
    if (r.is_object() && r.value("controller", false))
      return &r;
  }
  return nullptr;
}

nlohmann::json controller_owner_ref(const nlohmann::json& owner) {
  return {{"apiVersion", owner.value("apiVersion", "apps/v1")},
          {"kind", owner.value("kind", "")},
          {"name", owner["metadata"].value("name", "")},
          {"uid", owner["metadata"].value("uid", "")},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

bool selector_matches(const nlohmann::json& selector, const nlohmann::json& labels) {
  if (!selector.is_object() || selector.empty())
    return false;
  auto s = core::LabelSelector::from_json(selector, "spec.selector");
  if (!s || s->empty())
    return false;
  core::Labels l;
  if (labels.is_object()) {
    for (const auto& [k, v] : labels.items()) {
      if (v.is_string())
        l[k] = v.get<std::string>();
    }
  }
  return s->matches(l);
}

const nlohmann::json& labels_of(const nlohmann::json& obj) {
  static const nlohmann::json kNull;
  auto md = obj.find("metadata");
  if (md == obj.end())
    return kNull;
  auto l = md->find("labels");
  return l == md->end() ? kNull : *l;
}

bool is_deleting(const nlohmann::json& obj) {
  auto md = obj.find("metadata");
  return md != obj.end() && md->contains("deletionTimestamp") &&
         !(*md)["deletionTimestamp"].is_null();
}

bool pod_active(const nlohmann::json& pod) {
  if (is_deleting(pod))
    return false;
  std::string phase = pod.contains("status") ? pod["status"].value("phase", "") : "";
  return phase != "Succeeded" && phase != "Failed";
}

bool pod_ready(const nlohmann::json& pod) {
  if (!pod.contains("status") || !pod["status"].contains("conditions"))
    return false;
  for (const auto& c : pod["status"]["conditions"]) {
    if (c.value("type", "") == "Ready")
      return c.value("status", "") == "True";
  }
  return false;
}

bool pod_running_and_ready(const nlohmann::json& pod) {
  return pod.contains("status") && pod["status"].value("phase", "") == "Running" && pod_ready(pod);
}

std::string api_path(const std::string& resource_key,
                     const std::string& ns,
                     const std::string& name) {
  auto dot = resource_key.find('.');
  std::string plural = resource_key.substr(0, dot);
  std::string base =
      dot == std::string::npos ? "/api/v1" : "/apis/" + resource_key.substr(dot + 1) + "/v1";
  // An empty namespace: a cluster-scoped resource (PersistentVolumes).
  std::string p = ns.empty() ? base + "/" + plural : base + "/namespaces/" + ns + "/" + plural;
  return name.empty() ? p : p + "/" + name;
}

std::vector<std::shared_ptr<const nlohmann::json>> objects_in(Store& store,
                                                              const std::string& resource_key,
                                                              const std::string& ns) {
  std::vector<std::shared_ptr<const nlohmann::json>> out;
  const Store::Bucket& b = store.bucket(resource_key);
  std::string prefix = ns + "/";
  for (auto it = b.lower_bound(prefix); it != b.end() && it->first.starts_with(prefix); ++it) {
    out.push_back(it->second.object);
  }
  return out;
}

std::vector<std::shared_ptr<const nlohmann::json>> claim(
    Controllers& c,
    const nlohmann::json& owner,
    const std::string& resource_key,
    const std::function<bool(const nlohmann::json&)>& may_adopt,
    std::string* error) {
  const std::string ns = owner["metadata"].value("namespace", "");
  const std::string uid = owner["metadata"].value("uid", "");
  const nlohmann::json& selector = owner["spec"].value("selector", nlohmann::json());
  std::vector<std::shared_ptr<const nlohmann::json>> owned;
  for (auto& obj : objects_in(c.store(), resource_key, ns)) {
    const nlohmann::json* ref = controller_ref(*obj);
    if (ref != nullptr) {
      if (ref->value("uid", "") == uid)
        owned.push_back(obj);
      continue;
    }
    // pkg/controller/controller_ref_manager.go: orphans that match are adopted, unless the
    // owner or the orphan is being deleted.
    if (is_deleting(owner) || is_deleting(*obj) || !selector_matches(selector, labels_of(*obj)) ||
        (may_adopt && !may_adopt(*obj))) {
      continue;
    }
    const std::string name = (*obj)["metadata"].value("name", "");
    nlohmann::json patch = {{"metadata",
                             {{"ownerReferences", {controller_owner_ref(owner)}},
                              {"uid", (*obj)["metadata"].value("uid", "")}}}};
    Response r = c.call("PATCH", api_path(resource_key, ns, name), patch,
                        "application/strategic-merge-patch+json");
    if (r.status != 200) {
      std::string kind = owner.value("kind", "");
      std::string msg =
          kind + " " + ns + "/" + owner["metadata"].value("name", "") + ": adopting " +
          resource_key + " " + name + " failed (" + std::to_string(r.status) +
          "): " + nlohmann::json::parse(r.body, nullptr, false).value("message", r.body);
      if (error != nullptr && error->empty())
        *error = msg;
      continue;
    }
    if (const Stored* s = c.store().get(resource_key, ns, name))
      owned.push_back(s->object);
  }
  return owned;
}

std::string safe_hash(const std::string& text) {
  uint32_t h = 2166136261u;
  for (unsigned char ch : text) {
    h ^= ch;
    h *= 16777619u;
  }
  // rand.SafeEncodeString: no vowels, no confusable characters.
  static const char kAlphanums[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string digits = std::to_string(h);
  for (char& d : digits)
    d = kAlphanums[static_cast<unsigned char>(d) % (sizeof(kAlphanums) - 1)];
  return digits;
}

nlohmann::json pod_from_template(const nlohmann::json& template_spec, const nlohmann::json& owner) {
  // pkg/controller/controller_utils.go GetPodFromTemplate.
  nlohmann::json md = nlohmann::json::object();
  if (template_spec.contains("metadata") && template_spec["metadata"].is_object()) {
    for (const char* f : {"labels", "annotations", "finalizers"}) {
      if (template_spec["metadata"].contains(f))
        md[f] = template_spec["metadata"][f];
    }
  }
  md["namespace"] = owner["metadata"].value("namespace", "");
  md["ownerReferences"] = {controller_owner_ref(owner)};
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata", md},
          {"spec", template_spec.value("spec", nlohmann::json::object())}};
}

bool update_status(Controllers& c,
                   const std::string& resource_key,
                   const nlohmann::json& obj,
                   const nlohmann::json& status) {
  if (obj.contains("status") && obj["status"] == status)
    return true;
  nlohmann::json next = obj;
  next["status"] = status;
  next["metadata"].erase("resourceVersion");
  const auto& md = obj["metadata"];
  Response r = c.call(
      "PUT", api_path(resource_key, md.value("namespace", ""), md.value("name", "")) + "/status",
      next);
  return r.status == 200 || r.status == 404;
}

int spec_replicas(const nlohmann::json& obj) {
  const nlohmann::json& spec = obj.contains("spec") ? obj["spec"] : nlohmann::json();
  return spec.is_object() && spec.contains("replicas") && spec["replicas"].is_number_integer()
             ? spec["replicas"].get<int>()
             : 1;
}

nlohmann::json without_nulls(nlohmann::json v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        *it = without_nulls(std::move(*it));
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v)
      e = without_nulls(std::move(e));
  }
  return v;
}

}  // namespace stillpoint::kubesim
