// Deployments, StatefulSets and DaemonSets through the real kubectl, with pods that run: what
// a restore test needs from kubesim's controllers (controllers.h).
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "go_json.h"
#include "kubectl_harness.h"
#include "pod_defaults.h"

namespace stillpoint::kubesim::testing {
namespace {

nlohmann::json get_json(KubesimFixture& k, const std::vector<std::string>& args) {
  std::vector<std::string> a = {"get"};
  a.insert(a.end(), args.begin(), args.end());
  a.insert(a.end(), {"-o", "json"});
  CommandResult r = k.kubectl(a);
  return r.exit_code == 0 ? nlohmann::json::parse(r.out, nullptr, false) : nlohmann::json();
}

size_t count_items(KubesimFixture& k, const std::vector<std::string>& args) {
  nlohmann::json j = get_json(k, args);
  return j.is_object() && j.contains("items") ? j["items"].size() : 0;
}

// Pods without a deletionTimestamp.
size_t live_pods(KubesimFixture& k, const std::string& selector) {
  nlohmann::json j = get_json(k, {"pods", "-l", selector});
  size_t n = 0;
  if (j.is_object()) {
    for (const auto& p : j["items"]) {
      if (!p["metadata"].contains("deletionTimestamp"))
        ++n;
    }
  }
  return n;
}

const char* kDeployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {kubesim.stillpoint.io/virtual: "true"}
    spec:
      containers: [{name: app, image: debian}]
)";

// Deployment with 2 replicas: one ReplicaSet, two Running pods, rollout status and wait
// Available succeed; a deleted pod is replaced; deleting the Deployment removes its
// ReplicaSet and pods.
TEST(Workloads, DeploymentKeepsReplicasAndCascades) {
  KubesimFixture k;
  ASSERT_EQ(k.kubectl({"apply", "-f", "-"}, kDeployment).exit_code, 0);
  CommandResult rs = k.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
  ASSERT_EQ(rs.exit_code, 0) << rs.describe();
  EXPECT_NE(rs.out.find("successfully rolled out"), std::string::npos) << rs.out;
  CommandResult w =
      k.kubectl({"wait", "--for=condition=Available", "deployment/web", "--timeout=30s"});
  EXPECT_EQ(w.exit_code, 0) << w.describe();
  EXPECT_EQ(count_items(k, {"replicasets"}), 1u);
  nlohmann::json pods = get_json(k, {"pods", "-l", "app=web"});
  ASSERT_EQ(pods["items"].size(), 2u);
  for (const auto& p : pods["items"]) {
    EXPECT_EQ(p["status"]["phase"], "Running");
    EXPECT_EQ(p["metadata"]["ownerReferences"][0]["kind"], "ReplicaSet");
  }
  std::string victim = pods["items"][0]["metadata"]["name"];
  ASSERT_EQ(k.kubectl({"delete", "pod", victim, "--wait=true"}).exit_code, 0);
  EXPECT_TRUE(KubesimFixture::eventually([&] {
    nlohmann::json now = get_json(k, {"pods", "-l", "app=web"});
    if (!now.is_object() || now["items"].size() != 2)
      return false;
    for (const auto& p : now["items"]) {
      if (p["metadata"]["name"] == victim || p["status"]["phase"] != "Running")
        return false;
    }
    return true;
  }));
  ASSERT_EQ(k.kubectl({"delete", "deployment", "web"}).exit_code, 0);
  EXPECT_TRUE(KubesimFixture::eventually(
      [&] { return count_items(k, {"replicasets"}) == 0 && count_items(k, {"pods"}) == 0; }));
}

// A restore creates pods, then their ReplicaSet, then the Deployment, all without
// ownerReferences: the Deployment adopts the ReplicaSet (no new one) and there are exactly
// two pods.
TEST(Workloads, DeploymentAdoptsRestoredReplicaSetAndPods) {
  KubesimFixture k;
  const std::string labels = "{app: web, pod-template-hash: 5d8f7}";
  std::string restored;
  for (const char* n : {"web-5d8f7-abcde", "web-5d8f7-fghij"}) {
    restored += std::string("apiVersion: v1\nkind: Pod\nmetadata:\n  name: ") + n +
                "\n  labels: " + labels +
                "\n  annotations: {kubesim.stillpoint.io/virtual: \"true\"}\n"
                "spec:\n  containers: [{name: app, image: debian}]\n---\n";
  }
  ASSERT_EQ(k.kubectl({"create", "-f", "-"}, restored).exit_code, 0);
  const std::string rs = R"(apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web-5d8f7
  labels: {app: web, pod-template-hash: 5d8f7}
  annotations: {deployment.kubernetes.io/revision: "1"}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, pod-template-hash: 5d8f7}}
  template:
    metadata:
      labels: {app: web, pod-template-hash: 5d8f7}
      annotations: {kubesim.stillpoint.io/virtual: "true"}
    spec:
      containers: [{name: app, image: debian}]
)";
  ASSERT_EQ(k.kubectl({"create", "-f", "-"}, rs).exit_code, 0);
  ASSERT_EQ(k.kubectl({"create", "-f", "-"}, kDeployment).exit_code, 0);
  CommandResult st = k.kubectl({"rollout", "status", "deployment/web", "--timeout=60s"});
  ASSERT_EQ(st.exit_code, 0) << st.describe();
  nlohmann::json rss = get_json(k, {"replicasets"});
  ASSERT_EQ(rss["items"].size(), 1u) << rss.dump();
  EXPECT_EQ(rss["items"][0]["metadata"]["name"], "web-5d8f7");
  EXPECT_EQ(rss["items"][0]["metadata"]["ownerReferences"][0]["kind"], "Deployment");
  nlohmann::json pods = get_json(k, {"pods"});
  ASSERT_EQ(pods["items"].size(), 2u);
  for (const auto& p : pods["items"]) {
    EXPECT_EQ(p["metadata"]["ownerReferences"][0]["name"], "web-5d8f7");
  }
}

const char* kStatefulSet = R"(apiVersion: apps/v1
kind: StatefulSet
metadata: {name: x}
spec:
  serviceName: x
  replicas: 1
  selector: {matchLabels: {app: x}}
  template:
    metadata:
      labels: {app: x}
    spec:
      containers:
      - name: app
        image: debian
        command: [sh, -c, 'echo hello > /data/greeting && exec sleep 3600']
        volumeMounts: [{name: data, mountPath: /data}]
  volumeClaimTemplates:
  - metadata: {name: data}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
)";

// StatefulSet with a volumeClaimTemplate: x-0 Running with claim data-x-0 mounted, a
// ControllerRevision it owns, rollout status succeeds; scale to 2 makes x-1; a deleted x-0
// comes back.
TEST(Workloads, StatefulSetPodsClaimsScaleAndRecreate) {
  KubesimFixture k;
  ASSERT_EQ(k.kubectl({"apply", "-f", "-"}, kStatefulSet).exit_code, 0);
  CommandResult st = k.kubectl({"rollout", "status", "statefulset/x", "--timeout=90s"});
  ASSERT_EQ(st.exit_code, 0) << st.describe();
  nlohmann::json pod = get_json(k, {"pod", "x-0"});
  ASSERT_TRUE(pod.is_object());
  EXPECT_EQ(pod["status"]["phase"], "Running");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["kind"], "StatefulSet");
  EXPECT_TRUE(get_json(k, {"pvc", "data-x-0"}).is_object());
  nlohmann::json revs = get_json(k, {"controllerrevisions"});
  ASSERT_EQ(revs["items"].size(), 1u);
  EXPECT_EQ(revs["items"][0]["metadata"]["ownerReferences"][0]["name"], "x");
  CommandResult cat = k.kubectl({"exec", "x-0", "--", "cat", "/data/greeting"});
  EXPECT_EQ(cat.out, "hello\n") << cat.describe();

  ASSERT_EQ(k.kubectl({"scale", "statefulset", "x", "--replicas=2"}).exit_code, 0);
  CommandResult st2 = k.kubectl({"rollout", "status", "statefulset/x", "--timeout=90s"});
  ASSERT_EQ(st2.exit_code, 0) << st2.describe();
  EXPECT_TRUE(get_json(k, {"pod", "x-1"}).is_object());
  EXPECT_TRUE(get_json(k, {"pvc", "data-x-1"}).is_object());

  std::string uid = get_json(k, {"pod", "x-0"})["metadata"]["uid"];
  ASSERT_EQ(k.kubectl({"delete", "pod", "x-0", "--grace-period=1"}).exit_code, 0);
  EXPECT_TRUE(KubesimFixture::eventually([&] {
    nlohmann::json p = get_json(k, {"pod", "x-0"});
    return p.is_object() && p["metadata"]["uid"] != uid && p["status"]["phase"] == "Running";
  }));
  nlohmann::json sts = get_json(k, {"statefulset", "x"});
  EXPECT_EQ(sts["status"]["replicas"], 2);
}

// A ControllerRevision restored with a literal `>` in data (kubectl create --raw sends the
// bytes as they are) cannot be adopted: the StatefulSet keeps status.replicas 0 and its pod
// stays unowned. The same revision written with \u003e is adopted.
TEST(Workloads, StatefulSetAdoptionDependsOnRevisionEncoding) {
  KubesimFixture k;
  for (bool escaped : {false, true}) {
    SCOPED_TRACE(escaped ? "escaped" : "literal");
    const std::string ns = escaped ? "escaped" : "literal";
    ASSERT_EQ(k.kubectl({"create", "namespace", ns}).exit_code, 0);
    std::string gt = escaped ? "\\u003e" : ">";
    std::string amp = escaped ? "\\u0026\\u0026" : "&&";
    std::string container = R"({"command":["sh","-c","echo hi )" + gt + " /tmp/x " + amp +
                            R"( sleep 3600"],"image":"debian","name":"app"})";
    std::string tmpl = R"({"metadata":{"annotations":{"kubesim.stillpoint.io/virtual":"true"},)"
                       R"("labels":{"app":"y"}},"spec":{"containers":[)" +
                       container + "]}}";
    // What the real controller stores: the template as the server defaulted it.
    nlohmann::json patch_template = nlohmann::json::parse(tmpl);
    apply_pod_template_defaults(patch_template);
    patch_template["$patch"] = "replace";
    const nlohmann::json data_json = {{"spec", {{"template", patch_template}}}};
    std::string data = escaped ? go_dump(data_json) : data_json.dump();
    std::string rev = R"({"apiVersion":"apps/v1","kind":"ControllerRevision","metadata":)"
                      R"({"name":"y-1234","labels":{"app":"y"}},"revision":1,"data":)" +
                      data + "}";
    std::filesystem::path file = k.dir() / ("rev-" + ns + ".json");
    std::ofstream(file) << rev;
    CommandResult c =
        k.kubectl({"create", "--raw", "/apis/apps/v1/namespaces/" + ns + "/controllerrevisions",
                   "-f", file.string()});
    ASSERT_EQ(c.exit_code, 0) << c.describe();
    std::string pod = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"y-0","namespace":")" +
                      ns +
                      R"(","annotations":{"kubesim.stillpoint.io/virtual":"true"},)"
                      R"("labels":{"app":"y","controller-revision-hash":"y-1234"}},)"
                      R"("spec":{"containers":[)" +
                      container + "]}}";
    ASSERT_EQ(k.kubectl({"create", "-f", "-"}, pod).exit_code, 0);
    std::string sts = R"({"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"y",)"
                      R"("namespace":")" +
                      ns +
                      R"("},"spec":{"serviceName":"y","replicas":1,)"
                      R"("selector":{"matchLabels":{"app":"y"}},"template":)" +
                      tmpl + "}}";
    ASSERT_EQ(k.kubectl({"create", "-f", "-"}, sts).exit_code, 0);
    if (escaped) {
      EXPECT_TRUE(KubesimFixture::eventually([&] {
        nlohmann::json s = get_json(k, {"-n", ns, "statefulset", "y"});
        return s.is_object() && s.contains("status") && s["status"].value("replicas", 0) == 1 &&
               s["status"].value("readyReplicas", 0) == 1;
      }));
      nlohmann::json p = get_json(k, {"-n", ns, "pod", "y-0"});
      EXPECT_EQ(p["metadata"]["ownerReferences"][0]["kind"], "StatefulSet") << p.dump();
      EXPECT_EQ(count_items(k, {"-n", ns, "controllerrevisions"}), 1u);
    } else {
      // Give the controller time to try (and retry) the adoption.
      std::this_thread::sleep_for(std::chrono::seconds(2));
      nlohmann::json s = get_json(k, {"-n", ns, "statefulset", "y"});
      EXPECT_EQ(s.value("status", nlohmann::json::object()).value("replicas", 0), 0) << s.dump();
      nlohmann::json p = get_json(k, {"-n", ns, "pod", "y-0"});
      EXPECT_FALSE(p["metadata"].contains("ownerReferences")) << p.dump();
      CommandResult patch = k.kubectl({"-n", ns, "label", "controllerrevision", "y-1234", "a=b"});
      EXPECT_NE(patch.exit_code, 0);
      EXPECT_NE(patch.err.find("data: Invalid value: runtime.Unknown{"), std::string::npos)
          << patch.err;
      EXPECT_NE(patch.err.find("field is immutable"), std::string::npos) << patch.err;
    }
    CommandResult json = k.kubectl({"-n", ns, "get", "controllerrevision", "y-1234", "-o", "json"});
    EXPECT_NE(json.out.find("\\u003e /tmp/x \\u0026\\u0026"), std::string::npos) << json.out;
  }
}

// DaemonSet: one pod on the node, owned; rollout status succeeds.
TEST(Workloads, DaemonSetRunsOnePod) {
  KubesimFixture k;
  const std::string ds = R"(apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata:
      labels: {app: agent}
      annotations: {kubesim.stillpoint.io/virtual: "true"}
    spec:
      containers: [{name: app, image: debian}]
)";
  ASSERT_EQ(k.kubectl({"apply", "-f", "-"}, ds).exit_code, 0);
  CommandResult st = k.kubectl({"rollout", "status", "daemonset/agent", "--timeout=60s"});
  ASSERT_EQ(st.exit_code, 0) << st.describe();
  nlohmann::json pods = get_json(k, {"pods", "-l", "app=agent"});
  ASSERT_EQ(pods["items"].size(), 1u);
  EXPECT_EQ(pods["items"][0]["metadata"]["ownerReferences"][0]["kind"], "DaemonSet");
  EXPECT_EQ(live_pods(k, "app=agent"), 1u);
}

}  // namespace
}  // namespace stillpoint::kubesim::testing
