// kubesim driven by the real kubectl: what a user and stillpoint's client see on the wire.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kubectl_harness.h"

namespace stillpoint::kubesim::testing {
namespace {

// kubectl's discovery works: api-resources lists core and group resources.
TEST(Kubectl, ApiResources) {
  KubesimFixture k(false);
  CommandResult r = k.kubectl({"api-resources"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.out.find("pods"), std::string::npos);
  EXPECT_NE(r.out.find("deployments"), std::string::npos);
  EXPECT_NE(r.out.find("customresourcedefinitions"), std::string::npos);
  CommandResult v = k.kubectl({"version", "-o", "json"});
  ASSERT_EQ(v.exit_code, 0) << v.describe();
  EXPECT_NE(v.out.find("v1.32.0-kubesim"), std::string::npos);
}

// kubectl auth can-i asks through a SelfSubjectAccessReview: kubesim's one user may.
TEST(Kubectl, AuthCanI) {
  KubesimFixture k(false);
  CommandResult r = k.kubectl({"auth", "can-i", "create", "pods", "--subresource=exec"});
  ASSERT_EQ(r.exit_code, 0) << r.describe();
  EXPECT_EQ(r.out, "yes\n");
  CommandResult all = k.kubectl({"auth", "can-i", "list", "pods", "--all-namespaces"});
  ASSERT_EQ(all.exit_code, 0) << all.describe();
  EXPECT_EQ(all.out, "yes\n");
}

// apply creates, get -l selects, apply again updates, delete removes.
TEST(Kubectl, ApplyGetDelete) {
  KubesimFixture k(false);
  const std::string manifest = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: db}
data:
  mode: fast
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: other
  labels: {app: web}
data:
  mode: slow
)";
  CommandResult a = k.kubectl({"apply", "-f", "-"}, manifest);
  ASSERT_EQ(a.exit_code, 0) << a.describe();
  EXPECT_NE(a.out.find("configmap/settings created"), std::string::npos) << a.out;
  CommandResult g = k.kubectl({"get", "configmaps", "-l", "app=db", "-o", "name"});
  ASSERT_EQ(g.exit_code, 0) << g.describe();
  EXPECT_EQ(g.out, "configmap/settings\n");
  std::string changed = manifest;
  changed.replace(changed.find("fast"), 4, "safe");
  CommandResult a2 = k.kubectl({"apply", "-f", "-"}, changed);
  ASSERT_EQ(a2.exit_code, 0) << a2.describe();
  EXPECT_NE(a2.out.find("configmap/settings configured"), std::string::npos) << a2.out;
  EXPECT_NE(a2.out.find("configmap/other unchanged"), std::string::npos) << a2.out;
  CommandResult j = k.kubectl({"get", "configmap", "settings", "-o", "jsonpath={.data.mode}"});
  EXPECT_EQ(j.out, "safe") << j.describe();
  CommandResult table = k.kubectl({"get", "configmaps"});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_NE(table.out.find("settings"), std::string::npos);
  CommandResult d = k.kubectl({"delete", "configmap", "settings"});
  ASSERT_EQ(d.exit_code, 0) << d.describe();
  CommandResult gone = k.kubectl({"get", "configmap", "settings"});
  EXPECT_NE(gone.exit_code, 0);
  EXPECT_NE(gone.err.find("NotFound"), std::string::npos) << gone.describe();
}

// kubectl's typed create commands send protobuf bodies; the kinds they create are accepted.
TEST(Kubectl, TypedCreateCommands) {
  KubesimFixture k(false);
  CommandResult ns = k.kubectl({"create", "namespace", "team"});
  ASSERT_EQ(ns.exit_code, 0) << ns.describe();
  CommandResult cm = k.kubectl({"-n", "team", "create", "configmap", "conf", "--from-literal=a=1",
                                "--from-literal=b=two"});
  ASSERT_EQ(cm.exit_code, 0) << cm.describe();
  CommandResult sec = k.kubectl({"-n", "team", "create", "secret", "generic", "pw",
                                 "--from-literal=password=s3cret"});
  ASSERT_EQ(sec.exit_code, 0) << sec.describe();
  EXPECT_EQ(k.kubectl({"-n", "team", "get", "cm", "conf", "-o", "jsonpath={.data.b}"}).out, "two");
  EXPECT_EQ(k.kubectl({"-n", "team", "get", "secret", "pw", "-o", "jsonpath={.data.password}"}).out,
            "czNjcmV0");
  CommandResult del = k.kubectl({"delete", "namespace", "team"});
  EXPECT_EQ(del.exit_code, 0) << del.describe();
  EXPECT_NE(k.kubectl({"-n", "team", "get", "cm", "conf"}).exit_code, 0);
}

// A pod whose container mounts a volume the pod does not have is refused at create with the
// API server's 422 and field path (the same request gets the same answer from a real 1.20
// server: RealClusterE2eTest.PodMountingAMissingVolumeIsRejectedAtCreate).
TEST(Kubectl, PodMountingAMissingVolumeIsRejectedAtCreate) {
  KubesimFixture k(false);
  const std::string pod =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: default}\nspec:\n"
      "  volumes: [{name: data, emptyDir: {}}]\n"
      "  initContainers: [{name: init, image: busybox, volumeMounts: [{name: data, mountPath: /d}]}]\n"
      "  containers: [{name: app, image: busybox, volumeMounts: [{name: data, mountPath: /d},\n"
      "    {name: default-token-hnm7h, mountPath: /var/run/secrets/kubernetes.io/serviceaccount}]}]\n";
  CommandResult r = k.kubectl({"apply", "-f", "-"}, pod);
  EXPECT_NE(r.exit_code, 0) << r.describe();
  EXPECT_NE(r.err.find("spec.containers[0].volumeMounts[1].name: Not found: \"default-token-hnm7h\""),
            std::string::npos)
      << r.err;
  EXPECT_NE(k.kubectl({"get", "pod", "p"}).exit_code, 0);
}

// Requests without the bearer token are refused with 401.
TEST(Kubectl, RejectsMissingToken) {
  KubesimFixture k(false);
  TempDir t;
  std::string cfg = (t.path() / "config").string();
  CommandResult r = run_command({"/usr/bin/kubectl", "--kubeconfig=" + k.server().kubeconfig_path().string(),
                                 "--token=wrong", "--cache-dir=" + (t.path() / "c").string(),
                                 "get", "pods"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("provide credentials"), std::string::npos) << r.describe();
}

// A CRD and one of its objects, through kubectl.
TEST(Kubectl, CustomResource) {
  KubesimFixture k(false);
  const std::string crd = R"(apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}
)";
  CommandResult c = k.kubectl({"apply", "-f", "-"}, crd);
  ASSERT_EQ(c.exit_code, 0) << c.describe();
  CommandResult w = k.kubectl({"wait", "--for=condition=Established", "crd/widgets.example.com",
                               "--timeout=60s"});
  ASSERT_EQ(w.exit_code, 0) << w.describe();
  CommandResult o = k.kubectl(
      {"apply", "-f", "-"},
      "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n");
  ASSERT_EQ(o.exit_code, 0) << o.describe();
  CommandResult g = k.kubectl({"get", "wd", "w1", "-o", "jsonpath={.spec.size}"});
  EXPECT_EQ(g.out, "3") << g.describe();
}

}  // namespace
}  // namespace stillpoint::kubesim::testing

namespace stillpoint::kubesim::testing {
namespace {

// Faults posted to /kubesim/v1/faults apply to matching requests for `count` requests: a 500
// reaches the user, a 429 with Retry-After is retried by client-go and then succeeds, a delay
// answers late, a cut drops a watch stream mid-event.
TEST(Faults, StatusDelayAndCutFaultsApplyForTheirCount) {
  KubesimFixture k(false);
  auto post = [&](const std::string& spec) {
    TempDir t;
    std::string file = (t.path() / "fault.json").string();
    FILE* f = fopen(file.c_str(), "w");
    fputs(spec.c_str(), f);
    fclose(f);
    return k.kubectl({"create", "--raw", "/kubesim/v1/faults", "-f", file});
  };
  CommandResult add = post(
      R"({"method":"GET","path":"/api/v1/namespaces/default/configmaps","status":500,"message":"boom","count":1})");
  ASSERT_EQ(add.exit_code, 0) << add.describe();
  CommandResult failed = k.kubectl({"get", "--raw", "/api/v1/namespaces/default/configmaps"});
  EXPECT_NE(failed.exit_code, 0);
  EXPECT_NE(failed.err.find("boom"), std::string::npos) << failed.describe();
  CommandResult fine = k.kubectl({"get", "--raw", "/api/v1/namespaces/default/configmaps"});
  EXPECT_EQ(fine.exit_code, 0) << fine.describe();

  ASSERT_EQ(post(R"({"path":"/api/v1/namespaces/default/secrets","status":429,"retryAfterSeconds":1,"count":2})")
                .exit_code,
            0);
  auto start = std::chrono::steady_clock::now();
  CommandResult retried = k.kubectl({"get", "--raw", "/api/v1/namespaces/default/secrets"});
  EXPECT_EQ(retried.exit_code, 0) << retried.describe();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1900));
  // delay: served normally, late.
  ASSERT_EQ(post(R"({"path":"/api/v1/namespaces/default/configmaps","action":"delay","delayMs":1500})")
                .exit_code,
            0);
  start = std::chrono::steady_clock::now();
  EXPECT_EQ(k.kubectl({"get", "--raw", "/api/v1/namespaces/default/configmaps"}).exit_code, 0);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(1400));
  // cut: a watch stream drops after 40 bytes, mid-event.
  ASSERT_EQ(k.kubectl({"create", "configmap", "c1", "--from-literal=a=1"}).exit_code, 0);
  ASSERT_EQ(post(R"({"query":"watch=1","action":"cut","cutAfterBytes":40})").exit_code, 0);
  CommandResult cut = k.kubectl(
      {"get", "--raw", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=5"});
  EXPECT_LE(cut.out.size(), 40u) << cut.describe();
  EXPECT_EQ(cut.out.find('\n'), std::string::npos) << cut.describe();
  CommandResult whole = k.kubectl(
      {"get", "--raw", "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1"});
  EXPECT_NE(whole.out.find("\"type\":\"ADDED\""), std::string::npos) << whole.describe();
  CommandResult list = k.kubectl({"get", "--raw", "/kubesim/v1/faults"});
  EXPECT_EQ(list.out, R"({"items":[]})") << list.describe();
  EXPECT_NE(post("not json").exit_code, 0);
}

}  // namespace
}  // namespace stillpoint::kubesim::testing
