// The PV controller (volume_binder.cc), its hostPath provisioner (volume_provisioner.cc) and
// DefaultStorageClass admission, driven without sockets: the API plus the controllers with a
// hand-run event loop. The expected shapes are what a real 1.20 cluster returned for the same
// objects (`kubectl get pvc,pv -o json`, tests/realcluster).
#include <deque>
#include <filesystem>

#include <gtest/gtest.h>

#include "api.h"
#include "controllers.h"
#include "kubectl_harness.h"

namespace stillpoint::kubesim {
namespace {

using Json = nlohmann::json;

class VolumesTest : public ::testing::Test {
 protected:
  VolumesTest() {
    controllers.set_data_dir(tmp.path() / "data");
    call("POST", "/api/v1/namespaces", {{"metadata", {{"name", "app"}}}});
  }
  Response call(const std::string& method, const std::string& path, const Json& body = nullptr) {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body.is_null() ? "" : body.dump();
    r.content_type = "application/json";
    Response res = api.handle(r);
    while (!tasks.empty()) {
      auto t = std::move(tasks.front());
      tasks.pop_front();
      t();
    }
    return res;
  }
  Json get(const std::string& path) {
    Response r = call("GET", path);
    return r.status == 200 ? Json::parse(r.body) : Json();
  }
  Json claim(const std::string& name) {
    return get("/api/v1/namespaces/app/persistentvolumeclaims/" + name);
  }
  Json volume(const std::string& name) { return get("/api/v1/persistentvolumes/" + name); }
  void add_volume(const std::string& name,
                  const std::string& size,
                  const Json& cls,
                  Json extra = Json::object()) {
    Json pv = {{"apiVersion", "v1"},
               {"kind", "PersistentVolume"},
               {"metadata", {{"name", name}}},
               {"spec",
                {{"capacity", {{"storage", size}}},
                 {"accessModes", {"ReadWriteOnce"}},
                 {"hostPath", {{"path", (tmp.path() / name).string()}}}}}};
    if (!cls.is_null())
      pv["spec"]["storageClassName"] = cls;
    pv["spec"].update(extra);
    ASSERT_EQ(call("POST", "/api/v1/persistentvolumes", pv).status, 201);
  }
  void add_claim(const std::string& name,
                 const std::string& size,
                 const Json& cls,
                 Json extra = Json::object()) {
    Json pvc = {
        {"apiVersion", "v1"},
        {"kind", "PersistentVolumeClaim"},
        {"metadata", {{"name", name}}},
        {"spec",
         {{"accessModes", {"ReadWriteOnce"}}, {"resources", {{"requests", {{"storage", size}}}}}}}};
    if (!cls.is_null())
      pvc["spec"]["storageClassName"] = cls;
    pvc["spec"].update(extra);
    ASSERT_EQ(call("POST", "/api/v1/namespaces/app/persistentvolumeclaims", pvc).status, 201);
  }
  void add_default_class() {
    Json sc = {{"apiVersion", "storage.k8s.io/v1"},
               {"kind", "StorageClass"},
               {"metadata",
                {{"name", "standard"},
                 {"annotations", {{"storageclass.kubernetes.io/is-default-class", "true"}}}}},
               {"provisioner", "kubernetes.io/host-path"},
               {"reclaimPolicy", "Delete"},
               {"volumeBindingMode", "Immediate"}};
    ASSERT_EQ(call("POST", "/apis/storage.k8s.io/v1/storageclasses", sc).status, 201);
  }
  static std::string annotation(const Json& obj, const std::string& key) {
    const Json& a = obj["metadata"].value("annotations", Json::object());
    return a.is_object() && a.contains(key) ? a[key].get<std::string>() : "<none>";
  }

  testing::TempDir tmp;
  Store store;
  Registry registry;
  Api api{store, registry};
  std::deque<std::function<void()>> tasks;
  std::vector<std::function<void()>> retries;  // failed syncs' requeues: never run here
  Controllers controllers{
      api, [this](std::chrono::milliseconds delay, std::function<void()> t) {
        (delay.count() == 0 ? tasks.push_back(std::move(t)) : retries.push_back(std::move(t)));
      }};
};

// A claim binds to the smallest Available volume of its class that has its access modes and
// covers its request; the binding writes what the real controller writes on both objects.
TEST_F(VolumesTest, StaticBindingChoosesTheSmallestMatchingVolume) {
  add_volume("big", "5Gi", "manual");
  add_volume("small", "1Gi", "manual");
  add_volume("tiny", "100Mi", "manual");
  add_volume("other-class", "600Mi", "fast");
  add_volume("no-class", "600Mi", nullptr);
  add_volume("rwx", "600Mi", "manual", {{"accessModes", {"ReadWriteMany"}}});
  add_volume("block", "600Mi", "manual", {{"volumeMode", "Block"}});
  for (const char* v : {"big", "small", "tiny", "other-class", "no-class", "rwx", "block"})
    EXPECT_EQ(volume(v)["status"]["phase"], "Available") << v;

  add_claim("data", "500Mi", "manual");
  Json c = claim("data");
  Json pv = volume("small");
  EXPECT_EQ(c["spec"]["volumeName"], "small");
  EXPECT_EQ(c["status"]["phase"], "Bound");
  EXPECT_EQ(c["status"]["capacity"]["storage"], "1Gi");  // the volume's, not the request
  EXPECT_EQ(c["status"]["accessModes"], Json({"ReadWriteOnce"}));
  EXPECT_EQ(annotation(c, "pv.kubernetes.io/bind-completed"), "yes");
  EXPECT_EQ(annotation(c, "pv.kubernetes.io/bound-by-controller"), "yes");
  EXPECT_EQ(pv["status"]["phase"], "Bound");
  EXPECT_EQ(annotation(pv, "pv.kubernetes.io/bound-by-controller"), "yes");
  EXPECT_EQ(annotation(pv, "pv.kubernetes.io/bind-completed"), "<none>");
  const Json& ref = pv["spec"]["claimRef"];
  EXPECT_EQ(ref["kind"], "PersistentVolumeClaim");
  EXPECT_EQ(ref["apiVersion"], "v1");
  EXPECT_EQ(ref["namespace"], "app");
  EXPECT_EQ(ref["name"], "data");
  EXPECT_EQ(ref["uid"], c["metadata"]["uid"]);
  EXPECT_TRUE(ref["resourceVersion"].is_string() && ref["resourceVersion"] != "");

  // The next claim gets the next smallest; then nothing is left for a third.
  add_claim("more", "500Mi", "manual");
  EXPECT_EQ(claim("more")["spec"]["volumeName"], "big");
  add_claim("none", "500Mi", "manual");
  EXPECT_EQ(claim("none")["status"]["phase"], "Pending");
  EXPECT_FALSE(claim("none")["spec"].contains("volumeName"));
  // A claim with no class ("") binds only a volume without one.
  add_claim("classless", "500Mi", "");
  EXPECT_EQ(claim("classless")["spec"]["volumeName"], "no-class");
}

// Access modes: the volume must have every mode the claim asks for; a label selector on the
// claim restricts the candidates.
TEST_F(VolumesTest, AccessModesAndSelectorRestrictTheMatch) {
  add_volume("rwo", "1Gi", "manual");
  add_volume("rwx", "2Gi", "manual", {{"accessModes", {"ReadWriteOnce", "ReadWriteMany"}}});
  add_claim("shared", "1Gi", "manual", {{"accessModes", {"ReadWriteMany"}}});
  EXPECT_EQ(claim("shared")["spec"]["volumeName"], "rwx");
  EXPECT_EQ(claim("shared")["status"]["accessModes"], Json({"ReadWriteOnce", "ReadWriteMany"}));

  add_volume("labelled", "5Gi", "manual");
  Json pv = volume("labelled");
  pv["metadata"]["labels"] = {{"tier", "gold"}};
  ASSERT_EQ(call("PUT", "/api/v1/persistentvolumes/labelled", pv).status, 200);
  add_claim("picky", "1Gi", "manual", {{"selector", {{"matchLabels", {{"tier", "gold"}}}}}});
  EXPECT_EQ(claim("picky")["spec"]["volumeName"], "labelled");  // not the smaller "rwo"
}

// A volume whose claimRef names a claim is kept for it: another claim naming it, or looking for
// any volume, stays Pending; the named claim binds to it when it appears. A claim naming a free
// volume binds to it (bound-by-controller on the volume only: the user chose it).
TEST_F(VolumesTest, ClaimRefReservationsAreRespected) {
  add_volume("reserved", "1Gi", "manual",
             {{"claimRef", {{"namespace", "app"}, {"name", "owner"}}}});
  EXPECT_EQ(volume("reserved")["status"]["phase"], "Available");
  add_claim("thief", "1Gi", "manual", {{"volumeName", "reserved"}});
  add_claim("any", "1Gi", "manual");
  EXPECT_EQ(claim("thief")["status"]["phase"], "Pending");
  EXPECT_EQ(claim("any")["status"]["phase"], "Pending");
  EXPECT_FALSE(claim("any")["spec"].contains("volumeName"));
  EXPECT_EQ(volume("reserved")["spec"]["claimRef"]["name"], "owner");

  add_claim("owner", "1Gi", "manual");
  Json owner = claim("owner");
  EXPECT_EQ(owner["spec"]["volumeName"], "reserved");
  EXPECT_EQ(owner["status"]["phase"], "Bound");
  Json pv = volume("reserved");
  EXPECT_EQ(pv["spec"]["claimRef"]["uid"], owner["metadata"]["uid"]);
  EXPECT_EQ(annotation(pv, "pv.kubernetes.io/bound-by-controller"), "<none>");
  EXPECT_EQ(claim("thief")["status"]["phase"], "Pending");

  // (A free volume would go to the Pending "any" first, as on a real cluster.)
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/app/persistentvolumeclaims/any").status, 200);
  add_volume("chosen", "2Gi", "manual");
  add_claim("byname", "1Gi", "manual", {{"volumeName", "chosen"}});
  Json byname = claim("byname");
  EXPECT_EQ(byname["status"]["phase"], "Bound");
  EXPECT_EQ(annotation(byname, "pv.kubernetes.io/bind-completed"), "yes");
  EXPECT_EQ(annotation(byname, "pv.kubernetes.io/bound-by-controller"), "<none>");
  EXPECT_EQ(annotation(volume("chosen"), "pv.kubernetes.io/bound-by-controller"), "yes");
}

// A claim without storageClassName gets the default class (an explicit "" stays) and a
// provisioned hostPath volume pvc-<uid> under the data directory, shaped as the real
// provisioner's.
TEST_F(VolumesTest, DefaultClassClaimIsProvisioned) {
  add_default_class();
  add_claim("dyn", "100Mi", nullptr);
  Json c = claim("dyn");
  const std::string uid = c["metadata"]["uid"];
  EXPECT_EQ(c["spec"]["storageClassName"], "standard");
  EXPECT_EQ(c["spec"]["volumeName"], "pvc-" + uid);
  EXPECT_EQ(c["status"]["phase"], "Bound");
  EXPECT_EQ(c["status"]["capacity"]["storage"], "100Mi");
  EXPECT_EQ(annotation(c, "volume.beta.kubernetes.io/storage-provisioner"),
            "kubernetes.io/host-path");
  EXPECT_EQ(annotation(c, "pv.kubernetes.io/bind-completed"), "yes");
  EXPECT_EQ(annotation(c, "pv.kubernetes.io/bound-by-controller"), "yes");

  Json pv = volume("pvc-" + uid);
  ASSERT_TRUE(pv.is_object());
  EXPECT_EQ(pv["status"]["phase"], "Bound");
  EXPECT_EQ(annotation(pv, "pv.kubernetes.io/provisioned-by"), "kubernetes.io/host-path");
  EXPECT_EQ(annotation(pv, "pv.kubernetes.io/bound-by-controller"), "yes");
  EXPECT_EQ(annotation(pv, "kubernetes.io/createdby"), "hostpath-dynamic-provisioner");
  EXPECT_EQ(pv["spec"]["capacity"]["storage"], "100Mi");
  EXPECT_EQ(pv["spec"]["accessModes"], Json({"ReadWriteOnce"}));
  EXPECT_EQ(pv["spec"]["persistentVolumeReclaimPolicy"], "Delete");
  EXPECT_EQ(pv["spec"]["storageClassName"], "standard");
  EXPECT_EQ(pv["spec"]["claimRef"]["uid"], uid);
  EXPECT_EQ(pv["spec"]["hostPath"]["type"], "");
  const std::filesystem::path dir = tmp.path() / "data" / "pvc" / "app" / ("dyn-" + uid);
  EXPECT_EQ(pv["spec"]["hostPath"]["path"], dir.string());
  EXPECT_TRUE(std::filesystem::is_directory(dir));

  add_claim("no-class", "100Mi", "");
  EXPECT_EQ(claim("no-class")["spec"]["storageClassName"], "");
  EXPECT_EQ(claim("no-class")["status"]["phase"], "Pending");
  add_claim("manual", "100Mi", "manual");
  EXPECT_EQ(claim("manual")["status"]["phase"], "Pending");  // no such class: nothing provisions
}

// Deleting a claim releases its volume: Retain keeps it Released with its claimRef (a new claim
// of the same name does not get it back), Delete removes the volume — and the directory only
// when kubesim provisioned it under its data directory.
TEST_F(VolumesTest, ClaimDeletionReleasesOrDeletesTheVolume) {
  add_default_class();
  add_volume("kept", "1Gi", "manual");
  add_volume("dropped", "1Gi", "other", {{"persistentVolumeReclaimPolicy", "Delete"}});
  std::filesystem::create_directories(tmp.path() / "dropped");
  add_claim("a", "1Gi", "manual");
  add_claim("b", "1Gi", "other");
  add_claim("dyn", "1Gi", nullptr);
  const std::string dyn_volume = claim("dyn")["spec"]["volumeName"];
  const std::string dyn_dir = volume(dyn_volume)["spec"]["hostPath"]["path"];
  ASSERT_TRUE(std::filesystem::is_directory(dyn_dir));
  ASSERT_EQ(volume("kept")["status"]["phase"], "Bound");

  for (const char* c : {"a", "b", "dyn"})
    ASSERT_EQ(
        call("DELETE", "/api/v1/namespaces/app/persistentvolumeclaims/" + std::string(c)).status,
        200);
  Json kept = volume("kept");
  EXPECT_EQ(kept["status"]["phase"], "Released");
  EXPECT_EQ(kept["spec"]["claimRef"]["name"], "a");
  EXPECT_FALSE(volume(dyn_volume).is_object());
  EXPECT_FALSE(std::filesystem::exists(dyn_dir));
  EXPECT_FALSE(volume("dropped").is_object());
  EXPECT_TRUE(std::filesystem::is_directory(tmp.path() / "dropped"));

  add_claim("a", "1Gi", "manual");
  EXPECT_EQ(claim("a")["status"]["phase"], "Pending");
  EXPECT_EQ(volume("kept")["status"]["phase"], "Released");
}

// A volume created already bound to a bound claim (a restore of both) is Bound at once; one
// restored with a claimRef without uid waits Available until its claim binds it.
TEST_F(VolumesTest, RestoredVolumeRebindsByNamespaceAndName) {
  add_volume(
      "restored", "1Gi", "manual",
      {{"claimRef", {{"namespace", "app"}, {"name", "data"}, {"kind", "PersistentVolumeClaim"}}}});
  EXPECT_EQ(volume("restored")["status"]["phase"], "Available");
  add_claim("data", "1Gi", "manual", {{"volumeName", "restored"}});
  EXPECT_EQ(claim("data")["status"]["phase"], "Bound");
  EXPECT_EQ(volume("restored")["status"]["phase"], "Bound");
  EXPECT_EQ(volume("restored")["spec"]["claimRef"]["uid"], claim("data")["metadata"]["uid"]);
}

}  // namespace
}  // namespace stillpoint::kubesim
