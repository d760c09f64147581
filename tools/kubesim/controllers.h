// The controllers of kube-controller-manager that applications depend on, small and
// in-process: ReplicaSet, Deployment, StatefulSet, DaemonSet, Job, the PersistentVolume binder
// with a hostPath provisioner, the garbage collector, and the storage protection finalizers'
// removal.
// Like the real ones they are level-triggered and event-driven: the store's events put keys on
// a work queue (deduplicated), a posted task drains it, and each sync compares the world with
// the spec and writes through the API (Api::handle), so the API's validation applies to them
// as to any client — an adoption PATCH of a ControllerRevision can be refused with 422, as on
// a real cluster.
//
// They adopt orphans (matching selector, no controller ownerReference) by a strategic merge
// patch of ownerReferences, as pkg/controller/controller_ref_manager.go does: a backup tool
// restores ReplicaSets, ControllerRevisions, pods and PVCs without ownerReferences and relies
// on that.
//
// Not modelled: expectations (the store is synchronous, a sync sees its own writes),
// minReadySeconds, pod-deletion cost ranking, revision history trimming, foreground deletion
// (treated as background), node objects (the one node is `kubesim`).
//
// Thread affinity: the server's io_context thread (Post runs tasks there).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "api.h"

namespace stillpoint::kubesim {

inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";
inline constexpr const char* kStatefulSetPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";
inline constexpr const char* kControllerRevisionHashLabel = "controller.kubernetes.io/hash";
inline constexpr const char* kDeploymentRevisionAnnotation = "deployment.kubernetes.io/revision";

// The provisioner the realcluster tier's default StorageClass names (kube-controller-manager
// --enable-hostpath-provisioner), and the annotations the PV controller reads and writes
// (pkg/controller/volume/persistentvolume/util/util.go).
inline constexpr const char* kHostPathProvisioner = "kubernetes.io/host-path";
inline constexpr const char* kAnnBindCompleted = "pv.kubernetes.io/bind-completed";
inline constexpr const char* kAnnBoundByController = "pv.kubernetes.io/bound-by-controller";
inline constexpr const char* kAnnProvisionedBy = "pv.kubernetes.io/provisioned-by";
inline constexpr const char* kAnnStorageProvisioner =
    "volume.beta.kubernetes.io/storage-provisioner";
inline constexpr const char* kAnnStorageProvisionerGA = "volume.kubernetes.io/storage-provisioner";
inline constexpr const char* kAnnDefaultClass = "storageclass.kubernetes.io/is-default-class";

enum class ControllerKind {
  ReplicaSet,
  Deployment,
  StatefulSet,
  DaemonSet,
  Job,
  Claim,   // the PV controller's claim queue (key: namespace/name)
  Volume,  // the PV controller's volume queue (key: name)
  GarbageCollector,
  StorageProtection,  // key: a claim (ns, name) or a volume ("", name)
};

class Controllers {
 public:
  // Runs `task` on the API's thread after `delay` (0: as soon as possible).
  using Post = std::function<void(std::chrono::milliseconds delay, std::function<void()> task)>;

  // Subscribes to the store's events. `api` must outlive this object.
  Controllers(Api& api, Post post);
  Controllers(const Controllers&) = delete;
  Controllers& operator=(const Controllers&) = delete;

  // Drains the work queue now (tests without an event loop call it after each request).
  void run_queue();
  // From now on events are ignored and queued work is dropped: while the server stops, pods
  // that end must not be replaced.
  void stop() {
    stopped_ = true;
    queue_.clear();
    queued_.clear();
  }

  // Where provisioned hostPath volumes live (`DIR/pvc/<ns>/<claim>-<uid>`, the directory
  // pods used for unbound claims before claims were bound); set before the first event.
  void set_data_dir(std::filesystem::path dir) { data_dir_ = std::move(dir); }

  // --- for the controller files ---
  Api& api() { return api_; }
  const std::filesystem::path& data_dir() const { return data_dir_; }
  Store& store() { return api_.store(); }
  // A request through the full API path; `body` is sent as Go would encode it.
  Response call(const std::string& method,
                const std::string& path,
                const nlohmann::json& body = nullptr,
                const std::string& content_type = "application/json");
  void log(const std::string& message) const;

 private:
  struct Key {
    ControllerKind kind;
    std::string ns;
    std::string name;  // for the garbage collector: the owner's uid
    auto operator<=>(const Key&) const = default;
  };

  void on_event(const Event& e);
  void enqueue(Key key);
  void route_volume_event(const Event& e);
  void enqueue_pending_claims();
  void enqueue_matching(ControllerKind kind,
                        const std::string& resource,
                        const std::string& ns,
                        const nlohmann::json& labels);
  void schedule();
  // One sync; false asks for a retry with backoff.
  bool sync(const Key& key);
  void track_dependents(const Event& e);
  void route_storage_protection(const Event& e);

  Api& api_;
  Post post_;
  std::filesystem::path data_dir_;
  std::set<Key> queued_;
  std::vector<Key> queue_;
  bool scheduled_ = false;
  bool stopped_ = false;
  std::map<Key, int> failures_;
  // Garbage collector's graph: owner uid → dependents ("resource|ns|name"); stale entries are
  // tolerated (checked at collection time).
  std::unordered_map<std::string, std::set<std::string>> dependents_;
};

// --- helpers shared by the controller files (controller_util.cc) ---

// The ownerReference with controller: true, or null.
const nlohmann::json* controller_ref(const nlohmann::json& obj);
nlohmann::json controller_owner_ref(const nlohmann::json& owner);
// metav1.LabelSelector against metadata.labels; an empty or missing selector selects nothing
// (controllers must not claim every object in the namespace).
bool selector_matches(const nlohmann::json& selector, const nlohmann::json& labels);
const nlohmann::json& labels_of(const nlohmann::json& obj);
bool is_deleting(const nlohmann::json& obj);
bool pod_active(const nlohmann::json& pod);  // not deleting, not Succeeded/Failed
bool pod_ready(const nlohmann::json& pod);   // condition Ready=True
bool pod_running_and_ready(const nlohmann::json& pod);
std::string api_path(const std::string& resource_key,
                     const std::string& ns,
                     const std::string& name = "");
// Objects of `resource_key` in `ns`, in name order.
std::vector<std::shared_ptr<const nlohmann::json>> objects_in(Store& store,
                                                              const std::string& resource_key,
                                                              const std::string& ns);
// ClaimPods / ClaimReplicaSets / ClaimControllerRevisions: the objects of `resource_key`
// controlled by `owner`, after adopting matching orphans (that pass `may_adopt`) with a
// strategic merge patch. A refused adoption is reported in `error` and the object skipped.
std::vector<std::shared_ptr<const nlohmann::json>> claim(
    Controllers& c,
    const nlohmann::json& owner,
    const std::string& resource_key,
    const std::function<bool(const nlohmann::json&)>& may_adopt,
    std::string* error);
// fnv32a of `text` encoded as apimachinery's rand.SafeEncodeString(fmt.Sprint(hash)).
std::string safe_hash(const std::string& text);
// The pod a controller creates from `template_spec` (a PodTemplateSpec).
nlohmann::json pod_from_template(const nlohmann::json& template_spec, const nlohmann::json& owner);
// Writes `status` through the status subresource when it differs from the object's.
bool update_status(Controllers& c,
                   const std::string& resource_key,
                   const nlohmann::json& obj,
                   const nlohmann::json& status);
int spec_replicas(const nlohmann::json& obj);
// Drops null members recursively: Go decodes `null` and absent alike.
nlohmann::json without_nulls(nlohmann::json v);

// The controllers (one file each).
bool sync_replica_set(Controllers& c, const std::string& ns, const std::string& name);
bool sync_deployment(Controllers& c, const std::string& ns, const std::string& name);
bool sync_stateful_set(Controllers& c, const std::string& ns, const std::string& name);
bool sync_daemon_set(Controllers& c, const std::string& ns, const std::string& name);
bool sync_job(Controllers& c, const std::string& ns, const std::string& name);
// The PV controller (volume_binder.cc) and its hostPath provisioner (volume_provisioner.cc).
bool sync_claim(Controllers& c, const std::string& ns, const std::string& name);
bool sync_volume(Controllers& c, const std::string& name);
// provisionClaim: creates `pvc-<claim uid>` for a Pending claim whose class names the hostPath
// provisioner; the claim binds to it on its next sync.
bool provision_claim(Controllers& c,
                     const nlohmann::json& claim,
                     const nlohmann::json& storage_class);
// storage_protection_controller.cc; `ns` empty: the PersistentVolume `name`.
bool sync_storage_protection(Controllers& c, const std::string& ns, const std::string& name);
// Background propagation: the dependents of the deleted owner `uid` are deleted, or lose
// their reference to it when another owner of theirs still exists.
bool collect_garbage(Controllers& c,
                     const std::string& uid,
                     const std::set<std::string>& dependents);

// ControllerRevisions for StatefulSets and DaemonSets (controller_history.cc).
struct RevisionChoice {
  std::shared_ptr<const nlohmann::json> update;   // the revision of the current template
  std::shared_ptr<const nlohmann::json> current;  // status.currentRevision, else `update`
  std::string error;
};
// Adopts orphan revisions matching the owner's selector (a refused PATCH fails the sync, as
// in the real controllers), then finds or creates the revision of the template.
RevisionChoice sync_revisions(Controllers& c, const nlohmann::json& owner, bool daemon_set);

}  // namespace stillpoint::kubesim
