// The REST layer: routes a decoded request to discovery or to a resource, and implements the
// verbs with the semantics clients depend on (wire reference §3): get, list with selectors
// and limit/continue, create, update with optimistic concurrency, merge/JSON/strategic patch,
// delete with grace periods and finalizers, namespace cascade, CRDs. Watches are set up here
// and streamed by the server. Pods are handed to a PodLifecycle (the runtime) after create and
// on delete; without one they are plain objects.
//
// Thread affinity: the server's io_context thread, like the store.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>

#include "http_types.h"
#include "registry.h"
#include "release.h"
#include "status.h"
#include "store.h"

namespace stillpoint::kubesim {

// What the pod runtime offers the API.
class PodLifecycle {
 public:
  virtual ~PodLifecycle() = default;
  virtual void pod_created(const std::string& ns, const std::string& name) = 0;
  // The pod has a deletionTimestamp; stop it within `grace_seconds`, then call
  // Api::finish_pod_deletion.
  virtual void pod_deleting(const std::string& ns, const std::string& name, int grace_seconds) = 0;
  // Container output; `tail_lines` < 0 means all.
  virtual std::variant<std::string, ApiError> pod_log(const std::string& ns,
                                                      const std::string& name,
                                                      const std::string& container,
                                                      long tail_lines) = 0;
};

struct Target {
  const ResourceType* type = nullptr;
  std::string version;
  std::string ns;  // empty for cluster-scoped or all-namespaces
  std::string name;  // empty for collections
  std::string sub;   // subresource
};

struct WatchStart {
  std::shared_ptr<Watcher> watcher;
  std::string initial;  // lines to send first (initial ADDED or replayed events, or an ERROR)
  bool end_after_initial = false;  // a too-old RV: send the ERROR event and end
  int timeout_seconds = 0;  // 0 = none
};

class Api {
 public:
  Api(Store& store, Registry& registry) : store_(store), registry_(registry) {}
  void set_lifecycle(PodLifecycle* lifecycle) { lifecycle_ = lifecycle; }
  void set_aggregated_discovery(bool on) { aggregated_discovery_ = on; }
  void set_release(KubeRelease release) { release_ = release; }
  KubeRelease release() const { return release_; }
  // The CA a new namespace's `kube-root-ca.crt` ConfigMap and token Secrets carry.
  void set_cluster_ca(std::string pem) { cluster_ca_pem_ = std::move(pem); }
  // Claims and volumes get their protection finalizers only when something removes them
  // (the storage protection controller runs).
  void set_storage_protection(bool on) { storage_protection_ = on; }

  // Never throws: a body whose fields have unexpected JSON types is a 400, not a crash.
  Response handle(const Request& req);
  // The same, but a list's body may come as Response::pieces (what the server sends).
  Response handle_unflattened(const Request& req);

  // Resource routing, also used by the server for watch, exec and log. A non-resource path
  // yields the 404 a real server gives.
  std::variant<Target, Response> resolve(const Request& req) const;
  std::variant<WatchStart, Response> start_watch(const Request& req, const Target& target);

  // The checks a real apiserver makes before upgrading an exec request (wire reference §1.5):
  // pod exists (404), container named or implied and declared (400), pod scheduled (400),
  // some stream requested (400). Sets `container` to the resolved name.
  std::optional<ApiError> exec_precheck(const Target& t, const Request& req,
                                        std::string* container) const;

  // Runtime callbacks.
  void finish_pod_deletion(const std::string& ns, const std::string& name);
  // Replaces a pod's status (no-op when the pod is gone). Returns false when gone.
  bool set_pod_status(const std::string& ns, const std::string& name, nlohmann::json status);

  Store& store() { return store_; }
  Registry& registry() { return registry_; }

 private:
  Response handle_unguarded(const Request& req);
  Response discovery(const Request& req, bool* handled) const;
  Response get(const Target& t, const Request& req);
  Response list(const Target& t, const Request& req);
  Response create(const Target& t, const Request& req);
  Response update(const Target& t, const Request& req, nlohmann::json body, bool created_ok);
  Response patch(const Target& t, const Request& req);
  Response remove(const Target& t, const Request& req);
  Response remove_collection(const Target& t, const Request& req);
  Response log(const Target& t, const Request& req);
  Response scale(const Target& t, const Request& req);  // scale.cc

  // Stores a new object after validation; the common tail of create and apply-create.
  Response store_new(const Target& t, const Request& req, nlohmann::json obj);
  // Deletes one object: grace period for pods, finalizers, namespace cascade. Returns the
  // response body for DELETE.
  Response delete_object(const ResourceType& type, const std::string& ns, const std::string& name,
                         int grace_override, const nlohmann::json& preconditions);
  void maybe_finish_namespace(const std::string& ns);
  // propagationPolicy=Orphan: drops ownerReferences to `uid` from every object in `ns`.
  void orphan_dependents(const std::string& ns, const std::string& uid);
  void on_stored(const ResourceType& type, const nlohmann::json& obj);
  // The default ServiceAccount, kube-root-ca.crt and (1.20) token Secret of a new namespace
  // (namespace_seed.cc).
  void seed_namespace(const std::string& ns);
  // 1.20's token controller: a token Secret for a new ServiceAccount, added to its `secrets`.
  void issue_token_secret(const nlohmann::json& account);
  void on_removed(const ResourceType& type, const nlohmann::json& obj);
  void complete_removal(const ResourceType& type, const std::string& ns, const std::string& name);
  // ControllerRevision `data` (revision_data.cc): the bytes a real server keeps, and the
  // immutability check its validation makes on update and patch.
  std::string revision_data_at_create(const Request& req, const nlohmann::json& obj) const;
  std::optional<ApiError> check_revision_data(const Request& req, const nlohmann::json& old,
                                              const nlohmann::json& next, std::string* raw) const;

  Store& store_;
  Registry& registry_;
  PodLifecycle* lifecycle_ = nullptr;
  bool aggregated_discovery_ = true;
  KubeRelease release_ = KubeRelease::Current;
  std::string cluster_ca_pem_;
  bool storage_protection_ = false;
  // "ns/name" → the raw bytes of each ControllerRevision's `data` ("" for none).
  std::map<std::string, std::string> revision_data_;
};

Response json_response(int status, const nlohmann::json& body);
Response error_response(const ApiError& error);

}  // namespace stillpoint::kubesim
