// The PersistentVolume controller's binding half (pkg/controller/volume/persistentvolume/
// pv_controller.go syncClaim/syncVolume, bind, and util.FindMatchingVolume with index.go's
// access-mode ordering). A Pending claim without volumeName binds to the smallest Available
// volume of its class whose access modes include the claim's (fewest modes first), whose
// capacity covers the request, whose volumeMode and labels (the claim's selector) match; a
// volume pre-bound to the claim (claimRef naming it, uid empty or equal) wins outright. A
// claim naming a volume binds to it when it is free or reserved for the claim; a volume whose
// claimRef names another claim is never given away (stillpoint's restore relies on this,
// src/restore/volume_in_use.h). Binding writes what the real controller writes, in its order:
// the volume's claimRef (+ bound-by-controller when the controller set it), the volume's phase,
// the claim's volumeName (+ bound-by-controller when the controller chose the volume) and
// bind-completed, then the claim's status (phase, accessModes, the volume's capacity).
//
// Volumes: no claimRef or a claimRef without uid → Available; the claim bound to it → Bound;
// the claim gone (or re-created with another uid) → Released, then reclaimed:
// `persistentVolumeReclaimPolicy: Delete` deletes the volume (and its directory when it lies
// under kubesim's data directory, the only place kubesim deletes from), Retain keeps it
// Released with its claimRef.
//
// Not modelled: WaitForFirstConsumer, node affinity, Recycle, Lost claims being re-bound,
// events (FailedBinding, ProvisioningSucceeded). The protection finalizers are the storage
// protection controller's (storage_protection_controller.cc): a claim's volume is released
// once the claim is really gone.
#include <algorithm>
#include <filesystem>

#include "controllers.h"
#include "quantity.h"

namespace stillpoint::kubesim {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;

const Json& member(const Json& obj, const char* key) {
  static const Json kNull;
  if (!obj.is_object())
    return kNull;
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::string string_member(const Json& obj, const char* key) {
  const Json& v = member(obj, key);
  return v.is_string() ? v.get<std::string>() : "";
}

std::string phase_of(const Json& obj) {
  return string_member(member(obj, "status"), "phase");
}

// GetPersistentVolumeClaimClass / GetPersistentVolumeClass: the beta annotation still wins.
std::string claim_class(const Json& claim) {
  std::string beta = string_member(member(member(claim, "metadata"), "annotations"),
                                   "volume.beta.kubernetes.io/storage-class");
  return !beta.empty() ? beta : string_member(member(claim, "spec"), "storageClassName");
}

std::string volume_class(const Json& volume) {
  std::string beta = string_member(member(member(volume, "metadata"), "annotations"),
                                   "volume.beta.kubernetes.io/storage-class");
  return !beta.empty() ? beta : string_member(member(volume, "spec"), "storageClassName");
}

std::string volume_mode(const Json& spec) {
  std::string m = string_member(spec, "volumeMode");
  return m.empty() ? "Filesystem" : m;
}

long double storage_of(const Json& resources) {
  auto q = parse_quantity(member(resources, "storage"));
  return q ? *q : 0;
}

// IsVolumeBoundToClaim.
bool bound_to(const Json& volume, const Json& claim) {
  const Json& ref = member(member(volume, "spec"), "claimRef");
  if (!ref.is_object())
    return false;
  const Json& md = claim["metadata"];
  if (ref.value("name", "") != md.value("name", "") ||
      ref.value("namespace", "") != md.value("namespace", "")) {
    return false;
  }
  const std::string uid = ref.value("uid", "");
  return uid.empty() || uid == md.value("uid", "");
}

std::vector<std::string> access_modes(const Json& spec) {
  std::vector<std::string> out;
  const Json& m = member(spec, "accessModes");
  if (m.is_array()) {
    for (const auto& v : m) {
      if (v.is_string())
        out.push_back(v.get<std::string>());
    }
  }
  return out;
}

bool modes_include(const std::vector<std::string>& have, const std::vector<std::string>& want) {
  return std::all_of(want.begin(), want.end(), [&](const std::string& m) {
    return std::find(have.begin(), have.end(), m) != have.end();
  });
}

// findByClaim + FindMatchingVolume.
std::shared_ptr<const Json> find_best_match(Controllers& c, const Json& claim) {
  const Json& cspec = claim["spec"];
  const long double request = storage_of(member(member(cspec, "resources"), "requests"));
  const std::vector<std::string> want_modes = access_modes(cspec);
  const std::string cls = claim_class(claim);
  const Json& selector = member(cspec, "selector");
  std::shared_ptr<const Json> best;
  size_t best_modes = 0;
  long double best_size = 0;
  for (const auto& [key, s] : c.store().bucket("persistentvolumes")) {
    const Json& v = *s.object;
    const Json& vspec = member(v, "spec");
    const bool prebound = bound_to(v, claim);
    if (member(vspec, "claimRef").is_object() && !prebound)
      continue;
    const long double size = storage_of(member(vspec, "capacity"));
    std::vector<std::string> modes = access_modes(vspec);
    if (size < request || volume_mode(vspec) != volume_mode(cspec) || is_deleting(v) ||
        !modes_include(modes, want_modes)) {
      continue;
    }
    if (prebound)
      return s.object;
    if (phase_of(v) != "Available" || volume_class(v) != cls)
      continue;
    if (selector.is_object() && !selector.empty() && !selector_matches(selector, labels_of(v)))
      continue;
    if (!best || modes.size() < best_modes || (modes.size() == best_modes && size < best_size)) {
      best = s.object;
      best_modes = modes.size();
      best_size = size;
    }
  }
  return best;
}

Json claim_reference(const Json& claim) {
  const Json& md = claim["metadata"];
  return {{"kind", "PersistentVolumeClaim"},
          {"namespace", md.value("namespace", "")},
          {"name", md.value("name", "")},
          {"uid", md.value("uid", "")},
          {"apiVersion", "v1"},
          {"resourceVersion", md.value("resourceVersion", "")}};
}

const std::string kVolumes = "/api/v1/persistentvolumes/";

bool put(Controllers& c, const std::string& path, Json obj) {
  obj["metadata"].erase("resourceVersion");
  Response r = c.call("PUT", path, obj);
  if (r.status != 200) {
    c.log("PUT " + path + " failed (" + std::to_string(r.status) + "): " + r.body.substr(0, 300));
  }
  return r.status == 200;
}

bool set_volume_phase(Controllers& c, const Json& volume, const std::string& phase) {
  if (phase_of(volume) == phase)
    return true;
  Json next = volume;
  next["status"] = {{"phase", phase}};
  return put(c, kVolumes + volume["metadata"].value("name", "") + "/status", next);
}

bool set_claim_status(Controllers& c, const Json& claim, Json status) {
  if (member(claim, "status") == status)
    return true;
  Json next = claim;
  next["status"] = std::move(status);
  const Json& md = claim["metadata"];
  return put(c,
             api_path("persistentvolumeclaims", md.value("namespace", ""), md.value("name", "")) +
                 "/status",
             next);
}

void set_annotation(Json& obj, const char* key) {
  Json& ann = obj["metadata"]["annotations"];
  if (!ann.is_object())
    ann = Json::object();
  if (!ann.contains(key))
    ann[key] = "yes";
}

// bind: bindVolumeToClaim, updateVolumePhase, bindClaimToVolume, updateClaimStatus.
bool bind(Controllers& c, const Json& volume, const Json& claim) {
  const std::string vname = volume["metadata"].value("name", "");
  const Json& cmd = claim["metadata"];
  const std::string ns = cmd.value("namespace", "");
  const std::string cname = cmd.value("name", "");
  Json v = volume;
  const Json& ref = member(volume["spec"], "claimRef");
  bool dirty = false;
  if (!ref.is_object() || ref.value("name", "") != cname || ref.value("namespace", "") != ns ||
      ref.value("uid", "") != cmd.value("uid", "")) {
    if (!bound_to(volume, claim))
      set_annotation(v, kAnnBoundByController);
    v["spec"]["claimRef"] = claim_reference(claim);
    dirty = true;
  }
  if (dirty && !put(c, kVolumes + vname, v))
    return false;
  const Stored* sv = c.store().get("persistentvolumes", "", vname);
  if (sv == nullptr || !set_volume_phase(c, *sv->object, "Bound"))
    return false;
  Json cl = claim;
  const Json& ann = member(cmd, "annotations");
  bool claim_dirty = !ann.is_object() || !ann.contains(kAnnBindCompleted);
  if (string_member(claim["spec"], "volumeName") != vname) {
    cl["spec"]["volumeName"] = vname;
    set_annotation(cl, kAnnBoundByController);
    claim_dirty = true;
  }
  set_annotation(cl, kAnnBindCompleted);
  if (claim_dirty && !put(c, api_path("persistentvolumeclaims", ns, cname), cl))
    return false;
  const Stored* sc = c.store().get("persistentvolumeclaims", ns, cname);
  if (sc == nullptr)
    return true;
  const Json& vspec = (*sv->object)["spec"];
  Json status =
      member(*sc->object, "status").is_object() ? (*sc->object)["status"] : Json::object();
  if (status.value("phase", "") != "Bound")
    status["capacity"] = member(vspec, "capacity");
  status["accessModes"] = member(vspec, "accessModes");
  status["phase"] = "Bound";
  return set_claim_status(c, *sc->object, without_nulls(status));
}

const Json* storage_class(Controllers& c, const std::string& name) {
  if (name.empty())
    return nullptr;
  const Stored* s = c.store().get("storageclasses.storage.k8s.io", "", name);
  return s == nullptr ? nullptr : s->object.get();
}

// reclaimVolume with policy Delete: the volume goes; its directory only when kubesim made it
// (under the data directory), never a directory a test or a user pointed a volume at.
bool delete_volume(Controllers& c, const Json& volume) {
  const std::string path = string_member(member(volume["spec"], "hostPath"), "path");
  const fs::path root = c.data_dir() / "pvc";
  if (!path.empty() && !c.data_dir().empty()) {
    fs::path p = fs::path(path).lexically_normal();
    auto rel = p.lexically_relative(root);
    if (!rel.empty() && *rel.begin() != ".." && rel != ".") {
      std::error_code ec;
      fs::remove_all(p, ec);
    }
  }
  Response r = c.call("DELETE", kVolumes + volume["metadata"].value("name", ""));
  return r.status == 200 || r.status == 202 || r.status == 404;
}

bool release(Controllers& c, const Json& volume) {
  if (phase_of(volume) != "Released" && phase_of(volume) != "Failed" &&
      !set_volume_phase(c, volume, "Released")) {
    return false;
  }
  std::string policy = string_member(volume["spec"], "persistentVolumeReclaimPolicy");
  if (policy == "Delete") {
    return delete_volume(c, volume);
  }
  return true;  // Retain (the default for static volumes); Recycle is not modelled
}

}  // namespace

bool sync_claim(Controllers& c, const std::string& ns, const std::string& name) {
  const Stored* s = c.store().get("persistentvolumeclaims", ns, name);
  if (s == nullptr)
    return true;
  std::shared_ptr<const Json> claim = s->object;
  if (is_deleting(*claim))
    return true;
  const std::string vname = string_member(member(*claim, "spec"), "volumeName");
  if (vname.empty()) {
    // syncUnboundClaim, no volume named.
    if (auto v = find_best_match(c, *claim))
      return bind(c, *v, *claim);
    const Json* cls = storage_class(c, claim_class(*claim));
    if (cls != nullptr && cls->value("provisioner", "") == kHostPathProvisioner &&
        cls->value("volumeBindingMode", "Immediate") == "Immediate") {
      return provision_claim(c, *claim, *cls);
    }
    return phase_of(*claim) == "Pending" || set_claim_status(c, *claim, {{"phase", "Pending"}});
  }
  const Stored* sv = c.store().get("persistentvolumes", "", vname);
  if (sv == nullptr) {
    // Waiting for the volume (Pending), or it is gone under a bound claim (Lost).
    std::string want =
        phase_of(*claim) == "Bound" || phase_of(*claim) == "Lost" ? "Lost" : "Pending";
    if (phase_of(*claim) == want)
      return true;
    Json status = {{"phase", want}};
    return set_claim_status(c, *claim, status);
  }
  const Json& v = *sv->object;
  if (!member(v["spec"], "claimRef").is_object() || bound_to(v, *claim)) {
    const bool done = phase_of(*claim) == "Bound" && phase_of(v) == "Bound" &&
                      string_member(member(v["spec"], "claimRef"), "uid") ==
                          (*claim)["metadata"].value("uid", "");
    return done || bind(c, v, *claim);
  }
  // Reserved for, or bound to, another claim: "volume ... already bound to a different claim".
  if (phase_of(*claim) == "Bound")
    return set_claim_status(c, *claim, {{"phase", "Lost"}});
  return phase_of(*claim) == "Pending" || set_claim_status(c, *claim, {{"phase", "Pending"}});
}

bool sync_volume(Controllers& c, const std::string& name) {
  const Stored* s = c.store().get("persistentvolumes", "", name);
  if (s == nullptr)
    return true;
  // A volume being deleted is still synced: it waits (pv-protection) until it is Released.
  std::shared_ptr<const Json> volume = s->object;
  const Json& ref = member((*volume)["spec"], "claimRef");
  if (!ref.is_object() || ref.value("uid", "").empty()) {
    // Free, or reserved for a claim that has not bound yet.
    return set_volume_phase(c, *volume, "Available");
  }
  const Stored* sc =
      c.store().get("persistentvolumeclaims", ref.value("namespace", ""), ref.value("name", ""));
  if (sc == nullptr || (*sc->object)["metadata"].value("uid", "") != ref.value("uid", "")) {
    return release(c, *volume);
  }
  const std::string claim_volume = string_member(member(*sc->object, "spec"), "volumeName");
  if (claim_volume.empty()) {
    return true;  // the claim's sync finishes the binding (it is queued by the same event)
  }
  if (claim_volume == name) {
    return set_volume_phase(c, *volume, "Bound");
  }
  // The claim is bound to another volume.
  const Json& ann = member((*volume)["metadata"], "annotations");
  if (ann.is_object() && ann.contains(kAnnProvisionedBy) &&
      string_member((*volume)["spec"], "persistentVolumeReclaimPolicy") == "Delete") {
    return release(c, *volume);
  }
  if (ann.is_object() && ann.contains(kAnnBoundByController)) {
    // unbindVolume: the controller's own binding is undone.
    Json v = *volume;
    v["spec"].erase("claimRef");
    v["metadata"]["annotations"].erase(kAnnBoundByController);
    if (!put(c, kVolumes + name, v))
      return false;
    const Stored* now = c.store().get("persistentvolumes", "", name);
    return now == nullptr || set_volume_phase(c, *now->object, "Available");
  }
  return true;  // bound by the user to a claim bound elsewhere: left alone, as the real one
}

}  // namespace stillpoint::kubesim
