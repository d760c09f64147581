// The in-tree hostPath provisioner, as kube-controller-manager --enable-hostpath-provisioner
// runs it (pv_controller.go provisionClaimOperation, pkg/volume/hostpath/host_path.go
// hostPathProvisioner.Provision): the claim is marked with the provisioner it waits for, then
// a volume `pvc-<claim uid>` is created, already reserved for the claim (full claimRef), with
// the claim's access modes, its request as capacity, the class's reclaim policy and mount
// options, and a hostPath directory; the claim's next sync binds them. Checked field by field
// against a real 1.20 cluster (`kubectl get pvc,pv -o json`).
//
// The directory is `DATA/pvc/<ns>/<claim>-<uid>` under kubesim's data directory (a real
// cluster uses /tmp/hostpath_pv/<random uuid>): the directory pods used for unbound claims
// before claims were bound, so data laid out by earlier runs and tests stays where it was.
#include <filesystem>

#include "controllers.h"

namespace stillpoint::kubesim {

bool provision_claim(Controllers& c, const nlohmann::json& claim, const nlohmann::json& cls) {
  const nlohmann::json& md = claim["metadata"];
  const std::string ns = md.value("namespace", "");
  const std::string name = md.value("name", "");
  const std::string uid = md.value("uid", "");
  const std::string provisioner = cls.value("provisioner", "");
  // setClaimProvisioner: the beta annotation; the GA one was added beside it in 1.23.
  nlohmann::json annotations = md.value("annotations", nlohmann::json::object());
  if (!annotations.is_object())
    annotations = nlohmann::json::object();
  bool dirty = annotations.value(kAnnStorageProvisioner, "") != provisioner;
  annotations[kAnnStorageProvisioner] = provisioner;
  if (c.api().release() == KubeRelease::Current) {
    dirty = dirty || annotations.value(kAnnStorageProvisionerGA, "") != provisioner;
    annotations[kAnnStorageProvisionerGA] = provisioner;
  }
  std::shared_ptr<const nlohmann::json> current = std::make_shared<const nlohmann::json>(claim);
  if (dirty) {
    nlohmann::json next = claim;
    next["metadata"]["annotations"] = annotations;
    next["metadata"].erase("resourceVersion");
    Response r = c.call("PUT", api_path("persistentvolumeclaims", ns, name), next);
    if (r.status != 200) {
      c.log("provisioning for claim " + ns + "/" + name + ": " + r.body.substr(0, 300));
      return false;
    }
    current = std::make_shared<const nlohmann::json>(nlohmann::json::parse(r.body));
  }
  const std::string pv_name = "pvc-" + uid;
  if (c.store().get("persistentvolumes", "", pv_name) != nullptr)
    return true;  // provisioned before; binding is the claim sync's business
  const std::filesystem::path dir = c.data_dir() / "pvc" / ns / (name + "-" + uid);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    c.log("provisioning " + pv_name + ": cannot create " + dir.string() + ": " + ec.message());
    return false;
  }
  const nlohmann::json& cmd = (*current)["metadata"];
  const nlohmann::json& spec = claim.value("spec", nlohmann::json::object());
  nlohmann::json capacity = {{"storage", spec.value("resources", nlohmann::json::object())
                                             .value("requests", nlohmann::json::object())
                                             .value("storage", nlohmann::json("0"))}};
  nlohmann::json pv = {{"apiVersion", "v1"},
                       {"kind", "PersistentVolume"},
                       {"metadata",
                        {{"name", pv_name},
                         {"annotations",
                          {{"kubernetes.io/createdby", "hostpath-dynamic-provisioner"},
                           {kAnnBoundByController, "yes"},
                           {kAnnProvisionedBy, provisioner}}}}},
                       {"spec",
                        {{"accessModes", spec.value("accessModes", nlohmann::json::array())},
                         {"capacity", capacity},
                         {"claimRef",
                          {{"kind", "PersistentVolumeClaim"},
                           {"namespace", ns},
                           {"name", name},
                           {"uid", uid},
                           {"apiVersion", "v1"},
                           {"resourceVersion", cmd.value("resourceVersion", "")}}},
                         {"hostPath", {{"path", dir.string()}, {"type", ""}}},
                         {"persistentVolumeReclaimPolicy", cls.value("reclaimPolicy", "Delete")},
                         {"storageClassName", cls["metadata"].value("name", "")},
                         {"volumeMode", spec.value("volumeMode", "Filesystem")}}}};
  if (cls.contains("mountOptions") && cls["mountOptions"].is_array()) {
    pv["spec"]["mountOptions"] = cls["mountOptions"];
  }
  Response r = c.call("POST", "/api/v1/persistentvolumes", pv);
  if (r.status != 201 && r.status != 409) {
    c.log("provisioning " + pv_name + " failed: " + r.body.substr(0, 300));
    return false;
  }
  return true;
}

}  // namespace stillpoint::kubesim
