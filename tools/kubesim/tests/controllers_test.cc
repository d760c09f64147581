// The controllers and ControllerRevision `data` immutability, driven without sockets: the API
// plus the controllers with a hand-run event loop, and a stand-in kubelet that marks pods
// Running and Ready. Deterministic and fast; tests/workloads_test.cc covers the same ground
// with the real kubectl and pods that run.
#include "controllers.h"

#include <deque>

#include <gtest/gtest.h>

#include "api.h"
#include "go_json.h"
#include "pod_defaults.h"

namespace stillpoint::kubesim {
namespace {

class ControllersTest : public ::testing::Test {
 protected:
  ControllersTest() { call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"default"}})"); }
  Response call(const std::string& method,
                const std::string& path,
                const std::string& body = "",
                const std::string& content_type = "application/json") {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.content_type = content_type;
    Response res = api.handle(r);
    settle();
    return res;
  }
  nlohmann::json get(const std::string& path) {
    Response r = call("GET", path);
    return r.status == 200 ? nlohmann::json::parse(r.body) : nlohmann::json();
  }
  // Runs queued controller work until quiet; every pending pod becomes Running and Ready, as
  // the kubelet would report it.
  void settle() {
    for (int round = 0; round < 100; ++round) {
      bool did = false;
      while (!tasks.empty()) {
        auto t = std::move(tasks.front());
        tasks.pop_front();
        t();
        did = true;
      }
      for (const auto& [key, s] : store.bucket("pods")) {
        const nlohmann::json& p = *s.object;
        if (p["status"].value("phase", "") != "Running" &&
            !p["metadata"].contains("deletionTimestamp")) {
          api.set_pod_status(
              p["metadata"]["namespace"], p["metadata"]["name"],
              {{"phase", "Running"}, {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}});
          did = true;
          break;  // the bucket changed under us
        }
      }
      if (!did)
        return;
    }
  }
  std::vector<nlohmann::json> pods() {
    std::vector<nlohmann::json> out;
    for (const auto& [key, s] : store.bucket("pods"))
      out.push_back(*s.object);
    return out;
  }

  Store store;
  Registry registry;
  Api api{store, registry};
  std::deque<std::function<void()>> tasks;
  std::vector<std::function<void()>> retries;
  Controllers controllers{
      api, [this](std::chrono::milliseconds delay, std::function<void()> t) {
        (delay.count() == 0 ? tasks.push_back(std::move(t)) : retries.push_back(std::move(t)));
      }};
};

const char* kTemplate =
    R"({"metadata":{"labels":{"app":"db"}},"spec":{"containers":[{"name":"db","image":"debian",)"
    R"("command":["sh","-c","echo ready > /tmp/flag && sleep 3600"]}]}})";

std::string stateful_set(int replicas) {
  return R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"db"},"spec":{)"
         R"("replicas":)" +
         std::to_string(replicas) +
         R"(,"serviceName":"db","selector":{"matchLabels":{"app":"db"}},"template":)" +
         std::string(kTemplate) +
         R"(,"volumeClaimTemplates":[{"metadata":{"name":"data"},"spec":{"accessModes":)"
         R"(["ReadWriteOnce"],"resources":{"requests":{"storage":"1Gi"}}}}]}})";
}

// The revision a restore brings back: the template patch the StatefulSet controller stores
// (the template as the server defaulted it), written either as Go writes JSON (`>` as
// \u003e) or with a literal `>`.
std::string orphan_revision(bool go_escaped) {
  nlohmann::json t = nlohmann::json::parse(kTemplate);
  apply_pod_template_defaults(t);
  t["$patch"] = "replace";
  nlohmann::json data = {{"spec", {{"template", t}}}};
  std::string text = go_escaped ? go_dump(data) : data.dump();
  return R"({"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":{"name":"db-rev1",)"
         R"("labels":{"app":"db"}},"revision":1,"data":)" +
         text + "}";
}

std::string orphan_pod() {
  nlohmann::json t = nlohmann::json::parse(kTemplate);
  nlohmann::json pod = {
      {"apiVersion", "v1"}, {"kind", "Pod"}, {"metadata", t["metadata"]}, {"spec", t["spec"]}};
  pod["metadata"]["name"] = "db-0";
  pod["metadata"]["labels"]["controller-revision-hash"] = "db-rev1";
  pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"] = "db-0";
  pod["spec"]["volumes"] = {
      {{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-db-0"}}}}};
  return pod.dump();
}

// A real API server keeps ControllerRevision.data as the bytes sent at create and refuses a
// patch whose re-encoding (Go: `>` → \u003e) differs: 422 with the real message shape. A
// revision written as Go writes JSON patches fine; a PUT resending the same bytes is accepted.
TEST_F(ControllersTest, RevisionDataWithLiteralHtmlCharactersCannotBePatched) {
  const std::string base = "/apis/apps/v1/namespaces/default/controllerrevisions";
  ASSERT_EQ(call("POST", base, orphan_revision(false)).status, 201);
  Response r = call("PATCH", base + "/db-rev1", R"({"metadata":{"labels":{"x":"y"}}})",
                    "application/strategic-merge-patch+json");
  ASSERT_EQ(r.status, 422) << r.body;
  nlohmann::json s = nlohmann::json::parse(r.body);
  EXPECT_EQ(s["reason"], "Invalid");
  EXPECT_EQ(s["code"], 422);
  const std::string msg = s["message"];
  EXPECT_TRUE(
      msg.starts_with("ControllerRevision.apps \"db-rev1\" is invalid: data: Invalid value: "
                      "runtime.Unknown{TypeMeta:runtime.TypeMeta{APIVersion:\"\", Kind:\"\"}, "
                      "Raw:[]uint8{0x7b, 0x22, 0x73, 0x70, "))
      << msg;
  EXPECT_TRUE(msg.ends_with(
      ", ContentEncoding:\"\", ContentType:\"application/json\"}: field is immutable"))
      << msg;
  EXPECT_EQ(s["details"]["kind"], "ControllerRevision");
  EXPECT_EQ(s["details"]["group"], "apps");
  EXPECT_EQ(s["details"]["causes"][0]["field"], "data");
  EXPECT_EQ(s["details"]["causes"][0]["reason"], "FieldValueInvalid");
  // The new bytes in the message are the escaped ones (0x5c 0x75 0x30 0x30 0x33 0x65 = \u003e).
  EXPECT_NE(msg.find("0x5c, 0x75, 0x30, 0x30, 0x33, 0x65"), std::string::npos);
  // A merge patch is refused as well; the object is unchanged.
  EXPECT_EQ(call("PATCH", base + "/db-rev1", R"({"metadata":{"labels":{"x":"y"}}})",
                 "application/merge-patch+json")
                .status,
            422);
  // PUT with the very bytes stored is accepted (the comparison is of bytes).
  nlohmann::json cur = get(base + "/db-rev1");
  std::string put = orphan_revision(false);
  put.insert(
      put.find("\"labels\""),
      "\"resourceVersion\":\"" + cur["metadata"]["resourceVersion"].get<std::string>() + "\",");
  EXPECT_EQ(call("PUT", base + "/db-rev1", put).status, 200);

  call("DELETE", base + "/db-rev1");
  ASSERT_EQ(call("POST", base, orphan_revision(true)).status, 201);
  Response ok = call("PATCH", base + "/db-rev1", R"({"metadata":{"labels":{"x":"y"}}})",
                     "application/strategic-merge-patch+json");
  EXPECT_EQ(ok.status, 200) << ok.body;
}

// Every JSON body kubesim writes escapes <, >, & and U+2028/U+2029 as Go's encoder does.
TEST_F(ControllersTest, JsonBodiesAreHtmlEscapedAsGoWritesThem) {
  Response c = call("POST", "/api/v1/namespaces/default/configmaps",
                    "{\"metadata\":{\"name\":\"a\"},\"data\":{\"k\":\"a<b>&c\xE2\x80\xA8\"}}");
  ASSERT_EQ(c.status, 201);
  for (const Response& r : {c, call("GET", "/api/v1/namespaces/default/configmaps/a"),
                            call("GET", "/api/v1/namespaces/default/configmaps")}) {
    EXPECT_NE(r.body.find(R"(a\u003cb\u003e\u0026c\u2028)"), std::string::npos) << r.body;
    EXPECT_EQ(r.body.find_first_of("<>&"), std::string::npos) << r.body;
  }
  EXPECT_EQ(go_escape("{\"a\":\"x\xE2\x80\xA9\"}"), "{\"a\":\"x\\u2029\"}");
  EXPECT_EQ(raw_member(R"({"a":1, "data" : {"b": [1, "}"]} ,"c":2})", "data"),
            R"({"b": [1, "}"]})");
  EXPECT_EQ(go_compact(R"({"b": [1, "x > y"]})"), R"({"b":[1,"x \u003e y"]})");
  // A list item's text is cut from the object's: the same bytes as serialising it without
  // kind and apiVersion, wherever those sort among the other keys.
  for (
      const char* text :
      {R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","ownerReferences":[{"apiVersion":"v1","kind":"X"}]},"spec":{"a":"<\"kind\":1>"}})",
       R"({"apiVersion":"v1","data":{"k":"v,}"},"kind":"Secret","type":"Opaque"})",
       R"({"Zed":[1,{"kind":2}],"apiVersion":"v1","kind":"ConfigMap","x":null,"y":-1.5})",
       R"({"apiVersion":"v1","kind":"Namespace"})", R"({"kind":"K"})", R"({})"}) {
    nlohmann::json obj = nlohmann::json::parse(text);
    nlohmann::json item = obj;
    item.erase("kind");
    item.erase("apiVersion");
    EXPECT_EQ(without_members(go_dump(obj), "kind", "apiVersion"), go_dump(item)) << text;
  }
  EXPECT_EQ(without_members("[1]", "kind", "apiVersion"), std::nullopt);
  EXPECT_EQ(without_members(R"({"a":1,})", "kind", "apiVersion"), std::nullopt);
}

// A restored StatefulSet adopts its orphan revision and pod when the revision was written as
// Go writes JSON; with a literal `>` in data the adoption PATCH is refused, so the pod stays
// unowned and the StatefulSet reports no replicas — what a real cluster does.
TEST_F(ControllersTest, StatefulSetAdoptsOrphansOnlyWhenRevisionDataIsGoEncoded) {
  for (bool escaped : {false, true}) {
    SCOPED_TRACE(escaped ? "\\u003e" : "literal >");
    call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"r"}})");
    ASSERT_EQ(
        call("POST", "/apis/apps/v1/namespaces/r/controllerrevisions", orphan_revision(escaped))
            .status,
        201);
    ASSERT_EQ(call("POST", "/api/v1/namespaces/r/pods", orphan_pod()).status, 201);
    ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/r/statefulsets", stateful_set(1)).status, 201);
    nlohmann::json pod = get("/api/v1/namespaces/r/pods/db-0");
    nlohmann::json sts = get("/apis/apps/v1/namespaces/r/statefulsets/db");
    nlohmann::json rev = get("/apis/apps/v1/namespaces/r/controllerrevisions/db-rev1");
    if (escaped) {
      ASSERT_TRUE(pod["metadata"].contains("ownerReferences")) << pod.dump();
      EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], sts["metadata"]["uid"]);
      EXPECT_EQ(rev["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
      EXPECT_EQ(sts["status"]["replicas"], 1);
      EXPECT_EQ(sts["status"]["updateRevision"], "db-rev1");
      // No second revision: the restored one is the template's.
      EXPECT_EQ(get("/apis/apps/v1/namespaces/r/controllerrevisions")["items"].size(), 1u);
    } else {
      EXPECT_FALSE(pod["metadata"].contains("ownerReferences")) << pod.dump();
      EXPECT_FALSE(rev["metadata"].contains("ownerReferences"));
      EXPECT_EQ(sts.value("status", nlohmann::json::object()).value("replicas", 0), 0);
      EXPECT_FALSE(retries.empty()) << "a failed sync is retried with backoff";
    }
    call("DELETE", "/api/v1/namespaces/r");
    ASSERT_FALSE(get("/api/v1/namespaces/r").is_object());
    retries.clear();
  }
}

// StatefulSet: pods <set>-<n> in order with claims <template>-<set>-<n> (an existing claim is
// reused), a ControllerRevision it owns, scale up and down, a deleted pod recreated.
TEST_F(ControllersTest, StatefulSetCreatesPodsClaimsAndRevision) {
  ASSERT_EQ(call("POST", "/api/v1/namespaces/default/persistentvolumeclaims",
                 R"({"metadata":{"name":"data-db-0","labels":{"restored":"yes"}},"spec":{}})")
                .status,
            201);
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/statefulsets", stateful_set(1)).status,
            201);
  nlohmann::json pod = get("/api/v1/namespaces/default/pods/db-0");
  ASSERT_TRUE(pod.is_object());
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["blockOwnerDeletion"], true);
  EXPECT_EQ(pod["metadata"]["labels"]["statefulset.kubernetes.io/pod-name"], "db-0");
  EXPECT_EQ(pod["spec"]["volumes"][0]["persistentVolumeClaim"]["claimName"], "data-db-0");
  EXPECT_EQ(get("/api/v1/namespaces/default/persistentvolumeclaims/data-db-0")["metadata"]["labels"]
                                                                              ["restored"],
            "yes");
  nlohmann::json revs = get("/apis/apps/v1/namespaces/default/controllerrevisions");
  ASSERT_EQ(revs["items"].size(), 1u);
  nlohmann::json rev = revs["items"][0];
  EXPECT_EQ(rev["revision"], 1);
  EXPECT_EQ(rev["data"]["spec"]["template"]["$patch"], "replace");
  EXPECT_EQ(rev["metadata"]["ownerReferences"][0]["controller"], true);
  EXPECT_EQ(pod["metadata"]["labels"]["controller-revision-hash"], rev["metadata"]["name"]);
  nlohmann::json sts = get("/apis/apps/v1/namespaces/default/statefulsets/db");
  EXPECT_EQ(sts["status"]["replicas"], 1);
  EXPECT_EQ(sts["status"]["readyReplicas"], 1);
  EXPECT_EQ(sts["status"]["currentRevision"], rev["metadata"]["name"]);
  EXPECT_EQ(sts["status"]["observedGeneration"], 1);

  ASSERT_EQ(call("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/db/scale",
                 R"({"spec":{"replicas":2}})", "application/merge-patch+json")
                .status,
            200);
  EXPECT_TRUE(get("/api/v1/namespaces/default/pods/db-1").is_object());
  EXPECT_TRUE(get("/api/v1/namespaces/default/persistentvolumeclaims/data-db-1").is_object());
  EXPECT_EQ(get("/apis/apps/v1/namespaces/default/statefulsets/db")["status"]["readyReplicas"], 2);

  std::string uid = get("/api/v1/namespaces/default/pods/db-0")["metadata"]["uid"];
  call("DELETE", "/api/v1/namespaces/default/pods/db-0");
  nlohmann::json again = get("/api/v1/namespaces/default/pods/db-0");
  ASSERT_TRUE(again.is_object());
  EXPECT_NE(again["metadata"]["uid"], uid);

  call("PATCH", "/apis/apps/v1/namespaces/default/statefulsets/db", R"({"spec":{"replicas":1}})",
       "application/merge-patch+json");
  EXPECT_FALSE(get("/api/v1/namespaces/default/pods/db-1").is_object());
  EXPECT_TRUE(get("/api/v1/namespaces/default/persistentvolumeclaims/data-db-1").is_object());
}

const char* kDeployment = R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
  "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
  "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"i"}]}}}})";

// Deployment: one ReplicaSet, spec.replicas pods, status for rollout status; a template change
// makes a new ReplicaSet and scales the old one to 0; deleting cascades to ReplicaSets and pods.
TEST_F(ControllersTest, DeploymentRollsOutAndCascades) {
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status, 201);
  nlohmann::json rss = get("/apis/apps/v1/namespaces/default/replicasets");
  ASSERT_EQ(rss["items"].size(), 1u);
  EXPECT_EQ(rss["items"][0]["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "1");
  EXPECT_EQ(pods().size(), 2u);
  for (const auto& p : pods()) {
    EXPECT_EQ(p["metadata"]["ownerReferences"][0]["name"], rss["items"][0]["metadata"]["name"]);
    EXPECT_EQ(p["metadata"]["labels"]["pod-template-hash"],
              rss["items"][0]["metadata"]["labels"]["pod-template-hash"]);
  }
  nlohmann::json d = get("/apis/apps/v1/namespaces/default/deployments/web");
  EXPECT_EQ(d["status"]["updatedReplicas"], 2);
  EXPECT_EQ(d["status"]["availableReplicas"], 2);
  EXPECT_EQ(d["status"]["observedGeneration"], 1);
  EXPECT_EQ(d["status"]["conditions"][0]["type"], "Available");
  EXPECT_EQ(d["status"]["conditions"][0]["status"], "True");
  EXPECT_EQ(d["status"]["conditions"][1]["reason"], "NewReplicaSetAvailable");

  call("PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
       R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"j"}]}}}})",
       "application/merge-patch+json");
  rss = get("/apis/apps/v1/namespaces/default/replicasets");
  ASSERT_EQ(rss["items"].size(), 2u);
  int active = 0;
  for (const auto& p : pods()) {
    if (!p["metadata"].contains("deletionTimestamp"))
      ++active;
  }
  EXPECT_EQ(active, 2);
  EXPECT_EQ(
      get("/apis/apps/v1/namespaces/default/deployments/web")["metadata"]["annotations"]
                                                             ["deployment.kubernetes.io/revision"],
      "2");

  call("DELETE", "/apis/apps/v1/namespaces/default/deployments/web");
  EXPECT_TRUE(get("/apis/apps/v1/namespaces/default/replicasets")["items"].empty());
  EXPECT_TRUE(pods().empty());  // no pod runtime: pods go at once
}

// Restore order: pods, then their ReplicaSet, then the Deployment, all without
// ownerReferences. The ReplicaSet adopts the pods, the Deployment adopts the ReplicaSet
// (same template but for the hash label): no new ReplicaSet, exactly the replica count of pods.
TEST_F(ControllersTest, DeploymentAdoptsRestoredReplicaSetAndPods) {
  for (const char* n : {"web-abc12-x1", "web-abc12-x2"}) {
    ASSERT_EQ(call("POST", "/api/v1/namespaces/default/pods",
                   std::string(R"({"metadata":{"name":")") + n +
                       R"(","labels":{"app":"web","pod-template-hash":"abc12"}},)"
                       R"("spec":{"containers":[{"name":"c","image":"i"}]}})")
                  .status,
              201);
  }
  ASSERT_EQ(
      call("POST", "/apis/apps/v1/namespaces/default/replicasets",
           R"({"metadata":{"name":"web-abc12","labels":{"app":"web","pod-template-hash":"abc12"},
                 "annotations":{"deployment.kubernetes.io/revision":"3"}},
                 "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web","pod-template-hash":"abc12"}},
                 "template":{"metadata":{"labels":{"app":"web","pod-template-hash":"abc12"}},
                 "spec":{"containers":[{"name":"c","image":"i"}]}}}})")
          .status,
      201);
  EXPECT_EQ(pods().size(), 2u);
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status, 201);
  nlohmann::json rss = get("/apis/apps/v1/namespaces/default/replicasets");
  ASSERT_EQ(rss["items"].size(), 1u) << rss.dump();
  EXPECT_EQ(rss["items"][0]["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  ASSERT_EQ(pods().size(), 2u);
  for (const auto& p : pods()) {
    EXPECT_EQ(p["metadata"]["ownerReferences"][0]["name"], "web-abc12");
  }
  nlohmann::json d = get("/apis/apps/v1/namespaces/default/deployments/web");
  EXPECT_EQ(d["metadata"]["annotations"]["deployment.kubernetes.io/revision"], "3");
  EXPECT_EQ(d["status"]["availableReplicas"], 2);
}

// DaemonSet: one pod on the one node, owned, with the revision hash; a revision it owns.
TEST_F(ControllersTest, DaemonSetRunsOnePodOnTheNode) {
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/daemonsets",
                 R"({"metadata":{"name":"agent"},"spec":{"selector":{"matchLabels":{"app":"agent"}},
                 "template":{"metadata":{"labels":{"app":"agent"}},
                 "spec":{"containers":[{"name":"c","image":"i"}]}}}})")
                .status,
            201);
  ASSERT_EQ(pods().size(), 1u);
  nlohmann::json p = pods()[0];
  EXPECT_EQ(p["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_TRUE(p["metadata"]["name"].get<std::string>().starts_with("agent-"));
  nlohmann::json revs = get("/apis/apps/v1/namespaces/default/controllerrevisions");
  ASSERT_EQ(revs["items"].size(), 1u);
  EXPECT_EQ(p["metadata"]["labels"]["controller-revision-hash"],
            revs["items"][0]["metadata"]["labels"]["controller-revision-hash"]);
  nlohmann::json ds = get("/apis/apps/v1/namespaces/default/daemonsets/agent");
  EXPECT_EQ(ds["status"]["desiredNumberScheduled"], 1);
  EXPECT_EQ(ds["status"]["numberReady"], 1);
  EXPECT_EQ(ds["status"]["updatedNumberScheduled"], 1);
}

// Deleting with propagationPolicy=Orphan leaves the dependents, without the reference.
TEST_F(ControllersTest, OrphanDeletionKeepsDependents) {
  ASSERT_EQ(call("POST", "/apis/apps/v1/namespaces/default/deployments", kDeployment).status, 201);
  call("DELETE", "/apis/apps/v1/namespaces/default/deployments/web",
       R"({"propagationPolicy":"Orphan"})");
  nlohmann::json rss = get("/apis/apps/v1/namespaces/default/replicasets");
  ASSERT_EQ(rss["items"].size(), 1u);
  EXPECT_FALSE(rss["items"][0]["metadata"].contains("ownerReferences"));
  EXPECT_EQ(pods().size(), 2u);
}

// StorageObjectInUseProtection: a claim being deleted stays while a pod uses it and goes with
// the pod; a volume being deleted stays while Bound.
TEST_F(ControllersTest, ProtectedClaimAndVolumeWaitForTheirUsers) {
  api.set_storage_protection(true);
  const std::string ns = "/api/v1/namespaces/default";
  ASSERT_EQ(call("POST", ns + "/persistentvolumeclaims",
                 R"({"metadata":{"name":"data"},"spec":{"accessModes":["ReadWriteOnce"],
                     "resources":{"requests":{"storage":"1Gi"}}}})")
                .status,
            201);
  ASSERT_EQ(call("POST", ns + "/pods",
                 R"({"metadata":{"name":"user"},"spec":{"containers":[{"name":"c","image":"x"}],
                     "volumes":[{"name":"d","persistentVolumeClaim":{"claimName":"data"}}]}})")
                .status,
            201);
  call("DELETE", ns + "/persistentvolumeclaims/data");
  nlohmann::json claim = get(ns + "/persistentvolumeclaims/data");
  ASSERT_TRUE(claim.is_object());
  EXPECT_TRUE(claim["metadata"].contains("deletionTimestamp"));
  call("DELETE", ns + "/pods/user");  // no kubelet here: the pod goes at once
  EXPECT_TRUE(get(ns + "/persistentvolumeclaims/data").is_null());

  // The volume is Bound by the PV controller to a claim that names it (a hand-written phase
  // would be undone by it, as on a real cluster); deleting the claim releases it.
  ASSERT_EQ(call("POST", "/api/v1/persistentvolumes",
                 R"({"metadata":{"name":"v"},"spec":{"capacity":{"storage":"1Gi"},
                     "accessModes":["ReadWriteOnce"],"hostPath":{"path":"/tmp/v"}}})")
                .status,
            201);
  ASSERT_EQ(call("POST", ns + "/persistentvolumeclaims",
                 R"({"metadata":{"name":"held"},"spec":{"accessModes":["ReadWriteOnce"],
                     "storageClassName":"","volumeName":"v",
                     "resources":{"requests":{"storage":"1Gi"}}}})")
                .status,
            201);
  ASSERT_EQ(get("/api/v1/persistentvolumes/v")["status"]["phase"], "Bound");
  call("DELETE", "/api/v1/persistentvolumes/v");
  ASSERT_TRUE(get("/api/v1/persistentvolumes/v").is_object());
  call("DELETE", ns + "/persistentvolumeclaims/held");
  EXPECT_TRUE(get("/api/v1/persistentvolumes/v").is_null());
}

}  // namespace
}  // namespace stillpoint::kubesim
