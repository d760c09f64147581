// Defaulting, admission and allocation as a real API server applies them (defaults.h,
// admission.h, service_allocation.h, namespace_seed.cc), driven through the API without
// sockets. The shapes are those of Kubernetes 1.20 (the realcluster tier) and, where later
// releases differ, of the current release; tests/fidelity compares whole objects with a
// recording of the real cluster's answers.
#include <gtest/gtest.h>

#include "api.h"
#include "pod_defaults.h"

namespace stillpoint::kubesim {
namespace {

using nlohmann::json;

class DefaultsTest : public ::testing::Test {
 protected:
  void start(KubeRelease release) {
    api.set_release(release);
    api.set_cluster_ca("-----BEGIN CERTIFICATE-----\nkubesim\n-----END CERTIFICATE-----\n");
    ASSERT_EQ(call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"ns"}})").status, 201);
  }
  Response call(const std::string& method,
                const std::string& path,
                const std::string& body = "",
                const std::string& content_type = "application/json") {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.content_type = content_type;
    return api.handle(r);
  }
  json create(const std::string& path, const json& body, int expect = 201) {
    Response r = call("POST", path, body.dump());
    EXPECT_EQ(r.status, expect) << r.body;
    return json::parse(r.body);
  }
  json get(const std::string& path) { return json::parse(call("GET", path).body); }

  Store store;
  Registry registry;
  Api api{store, registry};
};

const json kPod = json::parse(R"({"metadata": {"name": "p"}, "spec": {
    "initContainers": [{"name": "init", "image": "debian:12"}],
    "containers": [{"name": "app", "image": "busybox", "ports": [{"containerPort": 80}],
                    "readinessProbe": {"httpGet": {"port": 80}},
                    "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}],
    "volumes": [{"name": "scratch"}, {"name": "cfg", "configMap": {"name": "c"}}]}})");

TEST_F(DefaultsTest, PodGetsSpecContainerAndVolumeDefaults) {
  start(KubeRelease::Current);
  json pod = create("/api/v1/namespaces/ns/pods", kPod);
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["restartPolicy"], "Always");
  EXPECT_EQ(spec["dnsPolicy"], "ClusterFirst");
  EXPECT_EQ(spec["schedulerName"], "default-scheduler");
  EXPECT_EQ(spec["terminationGracePeriodSeconds"], 30);
  EXPECT_EQ(spec["securityContext"], json::object());
  EXPECT_EQ(spec["enableServiceLinks"], true);
  const json& app = spec["containers"][0];
  EXPECT_EQ(app["imagePullPolicy"], "Always");  // no tag means :latest
  EXPECT_EQ(spec["initContainers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(app["terminationMessagePath"], "/dev/termination-log");
  EXPECT_EQ(app["terminationMessagePolicy"], "File");
  EXPECT_EQ(app["resources"], json::object());
  EXPECT_EQ(app["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(app["readinessProbe"]["periodSeconds"], 10);
  EXPECT_EQ(app["readinessProbe"]["httpGet"]["scheme"], "HTTP");
  EXPECT_EQ(app["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
  EXPECT_EQ(spec["volumes"][0]["emptyDir"], json::object());
  EXPECT_EQ(spec["volumes"][1]["configMap"]["defaultMode"], 420);
  EXPECT_EQ(pod["status"]["qosClass"], "BestEffort");
  EXPECT_FALSE(pod["metadata"].contains("generation"));  // pods have none (1.20 … 1.32)
}

TEST_F(DefaultsTest, PullPolicyFollowsTheTag) {
  EXPECT_STREQ(default_pull_policy("postgres"), "Always");
  EXPECT_STREQ(default_pull_policy("postgres:latest"), "Always");
  EXPECT_STREQ(default_pull_policy("postgres:15"), "IfNotPresent");
  EXPECT_STREQ(default_pull_policy("localhost:5000/app"), "Always");
  EXPECT_STREQ(default_pull_policy("localhost:5000/app:1"), "IfNotPresent");
  EXPECT_STREQ(default_pull_policy("app@sha256:abc"), "IfNotPresent");
}

TEST_F(DefaultsTest, PodAdmissionSetsAccountPriorityAndTolerations) {
  start(KubeRelease::Current);
  json pod = create("/api/v1/namespaces/ns/pods", kPod);
  const json& spec = pod["spec"];
  EXPECT_EQ(spec["serviceAccountName"], "default");
  EXPECT_EQ(spec["serviceAccount"], "default");
  EXPECT_EQ(spec["priority"], 0);
  EXPECT_EQ(spec["preemptionPolicy"], "PreemptLowerPriority");
  ASSERT_EQ(spec["tolerations"].size(), 2u);
  EXPECT_EQ(spec["tolerations"][0]["key"], "node.kubernetes.io/not-ready");
  EXPECT_EQ(spec["tolerations"][1]["tolerationSeconds"], 300);
}

// Current releases: a projected kube-api-access-<5> volume, mounted read-only in every
// container and init container.
TEST_F(DefaultsTest, CurrentReleaseMountsAProjectedTokenVolume) {
  start(KubeRelease::Current);
  json pod = create("/api/v1/namespaces/ns/pods", kPod);
  const json& volume = pod["spec"]["volumes"].back();
  const std::string name = volume["name"];
  EXPECT_EQ(name.rfind("kube-api-access-", 0), 0u) << name;
  EXPECT_EQ(name.size(), std::string("kube-api-access-").size() + 5);
  EXPECT_EQ(volume["projected"]["defaultMode"], 420);
  EXPECT_EQ(volume["projected"]["sources"][1]["configMap"]["name"], "kube-root-ca.crt");
  for (const char* list : {"containers", "initContainers"}) {
    const json& mount = pod["spec"][list][0]["volumeMounts"].back();
    EXPECT_EQ(mount, json({{"name", name},
                           {"readOnly", true},
                           {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}}))
        << list;
  }
}

// 1.20: the token controller's Secret, listed in the account, mounted as a secret volume of
// the same name.
TEST_F(DefaultsTest, Release120MountsTheTokenSecret) {
  start(KubeRelease::V1_20);
  json account = get("/api/v1/namespaces/ns/serviceaccounts/default");
  ASSERT_EQ(account["secrets"].size(), 1u) << account;
  const std::string secret_name = account["secrets"][0]["name"];
  EXPECT_EQ(secret_name.rfind("default-token-", 0), 0u);
  json secret = get("/api/v1/namespaces/ns/secrets/" + secret_name);
  EXPECT_EQ(secret["type"], "kubernetes.io/service-account-token");
  EXPECT_EQ(secret["metadata"]["annotations"]["kubernetes.io/service-account.uid"],
            account["metadata"]["uid"]);
  EXPECT_TRUE(secret["data"].contains("token"));
  json pod = create("/api/v1/namespaces/ns/pods", kPod);
  EXPECT_EQ(pod["spec"]["volumes"].back(),
            json({{"name", secret_name},
                  {"secret", {{"secretName", secret_name}, {"defaultMode", 420}}}}));
  EXPECT_EQ(pod["spec"]["containers"][0]["volumeMounts"].back()["name"], secret_name);
}

// 1.20's token controller gives every ServiceAccount a token Secret of its own.
TEST_F(DefaultsTest, Release120EveryAccountGetsATokenSecret) {
  start(KubeRelease::V1_20);
  create("/api/v1/namespaces/ns/serviceaccounts", {{"metadata", {{"name", "app"}}}});
  json account = get("/api/v1/namespaces/ns/serviceaccounts/app");
  ASSERT_EQ(account["secrets"].size(), 1u) << account;
  const std::string secret = account["secrets"][0]["name"];
  EXPECT_EQ(secret.rfind("app-token-", 0), 0u) << secret;
  EXPECT_EQ(get("/api/v1/namespaces/ns/secrets/" +
                secret)["metadata"]["annotations"]["kubernetes.io/service-account.name"],
            "app");
}

// A restored pod that kept its token volume and mounts gets no second one.
TEST_F(DefaultsTest, ExistingTokenVolumeIsReused) {
  start(KubeRelease::Current);
  json restored = kPod;
  restored["spec"]["volumes"].push_back(
      {{"name", "kube-api-access-abcde"}, {"projected", {{"sources", json::array()}}}});
  for (const char* list : {"containers", "initContainers"}) {
    restored["spec"][list][0]["volumeMounts"] =
        json::array({{{"name", "kube-api-access-abcde"},
                      {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"}}});
  }
  json pod = create("/api/v1/namespaces/ns/pods", restored);
  EXPECT_EQ(pod["spec"]["volumes"].size(), 3u);
  EXPECT_EQ(pod["spec"]["containers"][0]["volumeMounts"].size(), 1u);
}

TEST_F(DefaultsTest, NoTokenWhenAutomountIsOff) {
  start(KubeRelease::Current);
  json pod = kPod;
  pod["spec"]["automountServiceAccountToken"] = false;
  json created = create("/api/v1/namespaces/ns/pods", pod);
  EXPECT_EQ(created["spec"]["volumes"].size(), 2u);
  EXPECT_FALSE(created["spec"]["containers"][0].contains("volumeMounts"));
}

TEST_F(DefaultsTest, MissingAccountOrPriorityClassIsForbidden) {
  start(KubeRelease::Current);
  json pod = kPod;
  pod["spec"]["serviceAccountName"] = "robot";
  json denied = create("/api/v1/namespaces/ns/pods", pod, 403);
  EXPECT_EQ(denied["message"],
            "pods \"p\" is forbidden: error looking up service account ns/robot: serviceaccount "
            "\"robot\" not found");
  pod = kPod;
  pod["spec"]["priorityClassName"] = "gold";
  denied = create("/api/v1/namespaces/ns/pods", pod, 403);
  EXPECT_EQ(denied["message"],
            "pods \"p\" is forbidden: no PriorityClass with name gold was found");
  pod["spec"]["priorityClassName"] = "system-node-critical";
  EXPECT_EQ(create("/api/v1/namespaces/ns/pods", pod)["spec"]["priority"], 2000001000);
}

TEST_F(DefaultsTest, NewNamespaceHasAccountRootCaAndLabel) {
  start(KubeRelease::Current);
  json ns = get("/api/v1/namespaces/ns");
  EXPECT_EQ(ns["metadata"]["labels"]["kubernetes.io/metadata.name"], "ns");
  EXPECT_EQ(ns["spec"]["finalizers"], json::array({"kubernetes"}));
  EXPECT_FALSE(ns["metadata"].contains("generation"));
  EXPECT_EQ(get("/api/v1/namespaces/ns/configmaps/kube-root-ca.crt")["data"]["ca.crt"],
            "-----BEGIN CERTIFICATE-----\nkubesim\n-----END CERTIFICATE-----\n");
  json account = get("/api/v1/namespaces/ns/serviceaccounts/default");
  EXPECT_FALSE(account.contains("secrets"));  // no token Secrets since 1.24
}

TEST_F(DefaultsTest, Release120NamespaceHasNoNameLabel) {
  start(KubeRelease::V1_20);
  EXPECT_FALSE(get("/api/v1/namespaces/ns")["metadata"].contains("labels"));
}

TEST_F(DefaultsTest, SecretStringDataIsFoldedIntoData) {
  start(KubeRelease::Current);
  json secret =
      create("/api/v1/namespaces/ns/secrets", {{"metadata", {{"name", "s"}}},
                                               {"data", {{"a", "YQ=="}}},
                                               {"stringData", {{"b", "hello"}, {"a", "x"}}}});
  EXPECT_FALSE(secret.contains("stringData"));
  EXPECT_EQ(secret["type"], "Opaque");
  EXPECT_EQ(secret["data"], json({{"a", "eA=="}, {"b", "aGVsbG8="}}));  // stringData wins
  EXPECT_FALSE(secret["metadata"].contains("generation"));
}

TEST_F(DefaultsTest, ServiceGetsAClusterIpAndItsDefaults) {
  start(KubeRelease::Current);
  json svc = create("/api/v1/namespaces/ns/services",
                    json::parse(R"({"metadata": {"name": "web"}, "spec": {
                      "selector": {"app": "web"}, "ports": [{"port": 80}]}})"));
  const json& spec = svc["spec"];
  const std::string ip = spec["clusterIP"];
  EXPECT_EQ(ip.rfind("10.96.", 0), 0u) << ip;
  EXPECT_EQ(spec["clusterIPs"], json::array({ip}));
  EXPECT_EQ(spec["type"], "ClusterIP");
  EXPECT_EQ(spec["sessionAffinity"], "None");
  EXPECT_EQ(spec["ipFamilies"], json::array({"IPv4"}));
  EXPECT_EQ(spec["ipFamilyPolicy"], "SingleStack");
  EXPECT_EQ(spec["internalTrafficPolicy"], "Cluster");
  EXPECT_EQ(spec["ports"][0], json({{"port", 80}, {"protocol", "TCP"}, {"targetPort", 80}}));
  EXPECT_EQ(svc["status"], json({{"loadBalancer", json::object()}}));

  // The same IP again: the real 422.
  json clash = create("/api/v1/namespaces/ns/services",
                      {{"metadata", {{"name", "web2"}}},
                       {"spec", {{"clusterIP", ip}, {"ports", {{{"port", 80}}}}}}},
                      422);
  EXPECT_EQ(clash["message"],
            "Service \"web2\" is invalid: spec.clusterIPs: Invalid value: "
            "[]string{\"" +
                ip + "\"}: failed to allocate IP " + ip + ": provided IP is already allocated");

  // An update that leaves the IP out keeps it; one that changes it is refused.
  json put = svc;
  put["spec"].erase("clusterIP");
  put["spec"].erase("clusterIPs");
  Response kept = call("PUT", "/api/v1/namespaces/ns/services/web", put.dump());
  ASSERT_EQ(kept.status, 200) << kept.body;
  EXPECT_EQ(json::parse(kept.body)["spec"]["clusterIP"], ip);
  put = json::parse(kept.body);
  put["spec"]["clusterIP"] = "10.96.0.9";
  EXPECT_EQ(call("PUT", "/api/v1/namespaces/ns/services/web", put.dump()).status, 422);
}

TEST_F(DefaultsTest, Release120ServiceHasNoInternalTrafficPolicy) {
  start(KubeRelease::V1_20);
  json svc = create("/api/v1/namespaces/ns/services",
                    {{"metadata", {{"name", "web"}}},
                     {"spec", {{"clusterIP", "10.96.0.77"}, {"ports", {{{"port", 80}}}}}}});
  EXPECT_EQ(svc["spec"]["clusterIP"], "10.96.0.77");
  EXPECT_FALSE(svc["spec"].contains("internalTrafficPolicy"));
  json clash = create("/api/v1/namespaces/ns/services",
                      {{"metadata", {{"name", "web2"}}},
                       {"spec", {{"clusterIP", "10.96.0.77"}, {"ports", {{{"port", 80}}}}}}},
                      422);
  EXPECT_EQ(clash["message"],
            "Service \"web2\" is invalid: spec.clusterIPs: Invalid value: "
            "[]string{\"10.96.0.77\"}: failed to allocated ip:10.96.0.77 with error:provided IP "
            "is already allocated");
}

TEST_F(DefaultsTest, NodePortsAreAllocatedOnce) {
  start(KubeRelease::Current);
  json svc = create("/api/v1/namespaces/ns/services",
                    {{"metadata", {{"name", "np"}}},
                     {"spec", {{"type", "NodePort"}, {"ports", {{{"port", 80}}}}}}});
  const int port = svc["spec"]["ports"][0]["nodePort"];
  EXPECT_GE(port, 30000);
  EXPECT_LE(port, 32767);
  EXPECT_EQ(svc["spec"]["externalTrafficPolicy"], "Cluster");
  json clash =
      create("/api/v1/namespaces/ns/services",
             {{"metadata", {{"name", "np2"}}},
              {"spec", {{"type", "NodePort"}, {"ports", {{{"port", 81}, {"nodePort", port}}}}}}},
             422);
  EXPECT_EQ(clash["message"],
            "Service \"np2\" is invalid: spec.ports[0].nodePort: Invalid "
            "value: " +
                std::to_string(port) + ": provided port is already allocated");
  // Deleting the Service frees its port.
  ASSERT_EQ(call("DELETE", "/api/v1/namespaces/ns/services/np").status, 200);
  create("/api/v1/namespaces/ns/services",
         {{"metadata", {{"name", "np2"}}},
          {"spec", {{"type", "NodePort"}, {"ports", {{{"port", 81}, {"nodePort", port}}}}}}});
}

TEST_F(DefaultsTest, ClaimsAndVolumesGetModeAndProtection) {
  api.set_storage_protection(true);
  start(KubeRelease::Current);
  json claim = create("/api/v1/namespaces/ns/persistentvolumeclaims",
                      json::parse(R"({"metadata": {"name": "c"}, "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}}})"));
  EXPECT_EQ(claim["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(claim["metadata"]["finalizers"], json::array({"kubernetes.io/pvc-protection"}));
  json pv = create("/api/v1/persistentvolumes", json::parse(R"({"metadata": {"name": "v"}, "spec": {
                     "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                     "hostPath": {"path": "/tmp/v"}}})"));
  EXPECT_EQ(pv["spec"]["persistentVolumeReclaimPolicy"], "Retain");
  EXPECT_EQ(pv["spec"]["hostPath"]["type"], "");
  EXPECT_EQ(pv["metadata"]["finalizers"], json::array({"kubernetes.io/pv-protection"}));
}

TEST_F(DefaultsTest, WorkloadTemplatesAreDefaultedAndKeepAGeneration) {
  start(KubeRelease::V1_20);
  json d = create("/apis/apps/v1/namespaces/ns/deployments",
                  json::parse(R"({"metadata": {"name": "d"}, "spec": {
                    "selector": {"matchLabels": {"app": "d"}},
                    "template": {"metadata": {"labels": {"app": "d"}},
                                 "spec": {"containers": [{"name": "c", "image": "debian:12"}]}}}})"));
  EXPECT_EQ(d["metadata"]["generation"], 1);
  const json& tpl = d["spec"]["template"];
  EXPECT_TRUE(tpl["metadata"].contains("creationTimestamp"));
  EXPECT_TRUE(tpl["metadata"]["creationTimestamp"].is_null());
  EXPECT_EQ(tpl["spec"]["restartPolicy"], "Always");
  EXPECT_EQ(tpl["spec"]["containers"][0]["terminationMessagePath"], "/dev/termination-log");
  // Admission is for pods, not templates.
  EXPECT_FALSE(tpl["spec"].contains("serviceAccountName"));
  EXPECT_FALSE(tpl["spec"].contains("enableServiceLinks"));
  json ds = create("/apis/apps/v1/namespaces/ns/daemonsets",
                   json::parse(R"({"metadata": {"name": "ds"}, "spec": {
                     "selector": {"matchLabels": {"app": "ds"}},
                     "template": {"metadata": {"labels": {"app": "ds"}},
                                  "spec": {"containers": [{"name": "c", "image": "debian:12"}]}}}})"));
  EXPECT_EQ(ds["spec"]["updateStrategy"]["rollingUpdate"], json({{"maxUnavailable", 1}}));
  EXPECT_EQ(ds["metadata"]["annotations"]["deprecated.daemonset.template.generation"], "1");
  // A template change bumps the template generation, whatever the client sends.
  ds["spec"]["template"]["spec"]["containers"][0]["image"] = "debian:13";
  ds["metadata"]["annotations"].erase("deprecated.daemonset.template.generation");
  Response put = call("PUT", "/apis/apps/v1/namespaces/ns/daemonsets/ds", ds.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(
      json::parse(put.body)["metadata"]["annotations"]["deprecated.daemonset.template.generation"],
      "2");
  json sts = create("/apis/apps/v1/namespaces/ns/statefulsets",
                    json::parse(R"({"metadata": {"name": "db"}, "spec": {
                      "selector": {"matchLabels": {"app": "db"}}, "serviceName": "db",
                      "template": {"metadata": {"labels": {"app": "db"}},
                                   "spec": {"containers": [{"name": "c", "image": "debian:12"}]}},
                      "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                        "accessModes": ["ReadWriteOnce"],
                        "resources": {"requests": {"storage": "1Gi"}}}}]}})"));
  const json& claim = sts["spec"]["volumeClaimTemplates"][0];
  EXPECT_EQ(claim["kind"], "PersistentVolumeClaim");
  EXPECT_EQ(claim["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(claim["status"]["phase"], "Pending");
  EXPECT_FALSE(sts["spec"].contains("persistentVolumeClaimRetentionPolicy"));  // 1.27+
  json cm = create("/api/v1/namespaces/ns/configmaps", {{"metadata", {{"name", "c"}}}});
  EXPECT_FALSE(cm["metadata"].contains("generation"));
}

TEST_F(DefaultsTest, QosClassFollowsResources) {
  start(KubeRelease::Current);
  json pod = kPod;
  pod["spec"]["containers"][0]["resources"] = {{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}};
  pod["spec"].erase("initContainers");
  // Requests default to limits, which makes the pod Guaranteed.
  json created = create("/api/v1/namespaces/ns/pods", pod);
  EXPECT_EQ(created["spec"]["containers"][0]["resources"]["requests"]["cpu"], "1");
  EXPECT_EQ(created["status"]["qosClass"], "Guaranteed");
  pod["metadata"]["name"] = "p2";
  pod["spec"]["containers"][0]["resources"] = {{"requests", {{"cpu", "100m"}}}};
  EXPECT_EQ(create("/api/v1/namespaces/ns/pods", pod)["status"]["qosClass"], "Burstable");
}

}  // namespace
}  // namespace stillpoint::kubesim
