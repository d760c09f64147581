#include "restore/object_transform.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace stillpoint::restore {
namespace {

using nlohmann::json;

TransformContext context() {
  TransformContext c;
  c.backup_name = "nightly";
  c.restore_name = "nightly-20261129";
  c.namespace_mapping = {{"shop", "shop-copy"}};
  return c;
}

Transformed restore(const std::string& object_json,
                    std::string_view group_resource,
                    const TransformContext& c = context()) {
  return prepare_for_restore(json::parse(object_json), group_resource, c);
}

// An object that is restored (no skip reason); a failed expectation names the reason.
json restored(const std::string& object_json,
              std::string_view group_resource,
              const TransformContext& c = context()) {
  auto t = restore(object_json, group_resource, c);
  EXPECT_EQ(t.skip_reason, "");
  return t.object;
}

// Server-generated and cluster-specific fields go, status goes, user data stays, and Velero's
// backup/restore labels are added (§3.8). managedFields are dropped, unlike Velero.
TEST(ObjectTransform, StripsServerFieldsAndStatusAndAddsRestoreLabels) {
  const json out = restored(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "other", "generateName": "settings-",
      "selfLink": "/api/v1/namespaces/other/configmaps/settings", "uid": "u-1",
      "resourceVersion": "42", "generation": 3, "creationTimestamp": "2026-11-01T00:00:00Z",
      "deletionTimestamp": "2026-11-02T00:00:00Z", "deletionGracePeriodSeconds": 30,
      "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "u-0"}],
      "managedFields": [{"manager": "kubectl"}],
      "labels": {"app": "web"}, "annotations": {"note": "kept"}, "finalizers": ["x/y"]},
    "data": {"k": "v"},
    "status": {"anything": true}})",
                            "configmaps");
  EXPECT_EQ(out, json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap",
    "metadata": {"name": "settings", "namespace": "other",
      "labels": {"app": "web", "velero.io/backup-name": "nightly",
                 "velero.io/restore-name": "nightly-20261129"},
      "annotations": {"note": "kept"}, "finalizers": ["x/y"]},
    "data": {"k": "v"}})"));
}

// generateName is only dropped when a name is set; otherwise the server needs it.
TEST(ObjectTransform, KeepsGenerateNameWithoutName) {
  const json out = restored(R"({"metadata": {"generateName": "job-"}})", "configmaps");
  EXPECT_EQ(out["metadata"]["generateName"], "job-");
  EXPECT_EQ(out["metadata"]["labels"]["velero.io/backup-name"], "nightly");
  const json empty_name =
      restored(R"({"metadata": {"name": "", "generateName": "job-"}})", "configmaps");
  EXPECT_EQ(empty_name["metadata"]["generateName"], "job-");
}

// Label values are at most 63 characters: long names become 57 characters, "-" and a stable
// 5-hex-digit hash of the whole name.
TEST(ObjectTransform, LongNamesAreTruncatedWithAHashInLabels) {
  const std::string exact(63, 'a');
  EXPECT_EQ(label_value(exact), exact);
  const std::string long_a = std::string(60, 'b') + "-one";
  const std::string long_b = std::string(60, 'b') + "-two";
  const std::string value = label_value(long_a);
  ASSERT_EQ(value.size(), 63u);
  EXPECT_EQ(value.substr(0, 58), std::string(57, 'b') + "-");
  EXPECT_EQ(value.substr(58).find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(label_value(long_a), value);
  EXPECT_NE(label_value(long_b), value);

  TransformContext c = context();
  c.restore_name = long_a;
  const json out = restored(R"({"metadata": {"name": "x"}})", "configmaps", c);
  EXPECT_EQ(out["metadata"]["labels"]["velero.io/restore-name"], value);
}

// Namespace mapping applies to metadata.namespace, a volume's claimRef, role binding subjects
// and the namespace object's own name; unmapped namespaces are left alone.
TEST(ObjectTransform, MapsNamespacesEverywhereVeleroDoes) {
  EXPECT_EQ(restored(R"({"metadata": {"name": "a", "namespace": "shop"}})",
                     "configmaps")["metadata"]["namespace"],
            "shop-copy");
  EXPECT_EQ(restored(R"({"metadata": {"name": "a", "namespace": "other"}})",
                     "configmaps")["metadata"]["namespace"],
            "other");
  const json pv = restored(R"({"metadata": {"name": "pv-1"}, "spec": {
      "persistentVolumeReclaimPolicy": "Retain",
      "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "shop", "name": "data"}}})",
                           "persistentvolumes");
  EXPECT_EQ(pv["spec"]["claimRef"]["namespace"], "shop-copy");
  for (const char* kind : {"rolebindings.rbac.authorization.k8s.io",
                           "clusterrolebindings.rbac.authorization.k8s.io"}) {
    SCOPED_TRACE(kind);
    const json binding = restored(R"({"metadata": {"name": "b", "namespace": "shop"},
      "roleRef": {"kind": "Role", "name": "r"},
      "subjects": [{"kind": "ServiceAccount", "name": "app", "namespace": "shop"},
                   {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"},
                   {"kind": "User", "name": "jane"}, 7]})",
                                  kind);
    EXPECT_EQ(binding["subjects"], json::parse(R"([
      {"kind": "ServiceAccount", "name": "app", "namespace": "shop-copy"},
      {"kind": "ServiceAccount", "name": "ci", "namespace": "tools"},
      {"kind": "User", "name": "jane"}, 7])"));
  }
  EXPECT_EQ(restored(R"({"metadata": {"name": "shop"}})", "namespaces")["metadata"]["name"],
            "shop-copy");
  // Only role bindings have subjects mapped.
  EXPECT_EQ(restored(R"({"metadata": {"name": "x"}, "subjects": [{"namespace": "shop"}]})",
                     "widgets.example.com")["subjects"][0]["namespace"],
            "shop");
}

struct SkipCase {
  const char* name;
  const char* group_resource;
  const char* object;
  const char* reason_contains;  // empty: restored
};

// Velero does not re-create finished pods, mirror pods, dynamically provisioned volumes,
// auto-generated token secrets or completed jobs (§3.8).
TEST(ObjectTransform, SkipsWhatVeleroDoesNotRecreate) {
  const SkipCase cases[] = {
      {"succeeded pod", "pods", R"({"metadata": {"name": "p"}, "status": {"phase": "Succeeded"}})",
       "Succeeded"},
      {"failed pod", "pods", R"({"metadata": {"name": "p"}, "status": {"phase": "Failed"}})",
       "Failed"},
      {"running pod", "pods", R"({"metadata": {"name": "p"}, "status": {"phase": "Running"}})", ""},
      {"mirror pod", "pods",
       R"({"metadata": {"name": "p", "annotations": {"kubernetes.io/config.mirror": "abc"}}})",
       "mirror"},
      {"delete volume", "persistentvolumes",
       R"({"metadata": {"name": "pv"}, "spec": {"persistentVolumeReclaimPolicy": "Delete"}})",
       "dynamically provisioned"},
      {"retain volume", "persistentvolumes",
       R"({"metadata": {"name": "pv"}, "spec": {"persistentVolumeReclaimPolicy": "Retain"}})", ""},
      {"generated token", "secrets",
       R"({"metadata": {"name": "app-token-x7k2p",
           "annotations": {"kubernetes.io/service-account.name": "app"}},
           "type": "kubernetes.io/service-account-token"})",
       "service account app"},
      {"hand-made token", "secrets",
       R"({"metadata": {"name": "app-long-lived",
           "annotations": {"kubernetes.io/service-account.name": "app"}},
           "type": "kubernetes.io/service-account-token"})",
       ""},
      {"opaque secret named like a token", "secrets",
       R"({"metadata": {"name": "app-token-x7k2p",
           "annotations": {"kubernetes.io/service-account.name": "app"}}, "type": "Opaque"})",
       ""},
      {"completed job", "jobs.batch",
       R"({"metadata": {"name": "j"}, "status": {"completionTime": "2026-11-01T00:00:00Z"}})",
       "completed"},
      {"running job", "jobs.batch", R"({"metadata": {"name": "j"}, "status": {"active": 1}})", ""},
      {"not an object", "pods", R"(["a"])", "not a JSON object"},
      {"no metadata", "configmaps", R"({"data": {}})", "invalid item: metadata"},
      {"labels not an object", "configmaps", R"({"metadata": {"name": "c", "labels": "x"}})",
       "invalid item: metadata.labels"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto t = restore(c.object, c.group_resource);
    if (std::string(c.reason_contains).empty()) {
      EXPECT_EQ(t.skip_reason, "");
    } else {
      EXPECT_NE(t.skip_reason.find(c.reason_contains), std::string::npos) << t.skip_reason;
    }
  }
  EXPECT_EQ(prepare_for_restore(json("text"), "pods", context()).skip_reason, "not a JSON object");
}

// Pods get a new node and a recomputed priority, and lose the legacy service-account token
// volumes and their mounts, whose secrets are not restored.
TEST(ObjectTransform, PodsLoseNodePriorityAndTokenVolumes) {
  const json pod = restored(R"({"metadata": {"name": "web-0", "namespace": "shop"},
    "spec": {"nodeName": "node-3", "priority": 1000, "priorityClassName": "high",
      "serviceAccountName": "app",
      "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                  {"name": "app-token-x7k2p", "secret": {"secretName": "app-token-x7k2p"}},
                  {"name": "default-token-abcde", "secret": {"secretName": "default-token-abcde"}}],
      "initContainers": [{"name": "init", "volumeMounts": [
          {"name": "app-token-x7k2p", "mountPath": "/var/run/secrets"}]}],
      "containers": [{"name": "app", "volumeMounts": [
          {"name": "data", "mountPath": "/data"},
          {"name": "app-token-x7k2p", "mountPath": "/var/run/secrets"}]}]},
    "status": {"phase": "Running"}})",
                            "pods");
  EXPECT_EQ(pod["spec"], json::parse(R"({"priorityClassName": "high",
      "serviceAccountName": "app",
      "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}},
                  {"name": "default-token-abcde", "secret": {"secretName": "default-token-abcde"}}],
      "initContainers": [{"name": "init", "volumeMounts": []}],
      "containers": [{"name": "app", "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]})"));
  EXPECT_FALSE(pod.contains("status"));
  EXPECT_EQ(pod["metadata"]["namespace"], "shop-copy");
}

// The projected `kube-api-access-*` token volume of current clusters is kept with its mounts, as
// Velero keeps it: it names nothing that is not restored (the kubelet asks for a token of the
// pod's own service account when it mounts it, the CA comes from the kube-root-ca.crt ConfigMap
// every namespace gets), and the ServiceAccount admission plugin adds no second one to a pod that
// has one. So it is kept whatever the account, and also when the pod opts out of automounting
// (then the user wrote the volume). Only the legacy `<account>-token-*` secret volume goes.
TEST(ObjectTransform, PodsKeepProjectedServiceAccountTokenVolumes) {
  const json projected = json::parse(R"({"name": "kube-api-access-x7k2p", "projected": {
      "defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1",
                                                 "fieldPath": "metadata.namespace"}}]}}]}})");
  const json mount = json::parse(R"({"name": "kube-api-access-x7k2p", "readOnly": true,
      "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"})");
  struct Case {
    const char* name;
    json spec_fields;  // merged into the pod's spec
  } cases[] = {
      {"default account", json::object()},
      {"named account", json::parse(R"({"serviceAccountName": "builder"})")},
      {"automount off in the pod",
       json::parse(R"({"serviceAccountName": "builder", "automountServiceAccountToken": false})")},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    json pod = json::parse(R"({"metadata": {"name": "web-0", "namespace": "shop"}, "spec": {
        "initContainers": [{"name": "init"}], "containers": [{"name": "app"}]}})");
    pod["spec"]["volumes"] = json::array({projected});
    pod["spec"]["initContainers"][0]["volumeMounts"] = json::array({mount});
    pod["spec"]["containers"][0]["volumeMounts"] = json::array({mount});
    pod["spec"].update(c.spec_fields);
    const json out = restored(pod.dump(), "pods");
    EXPECT_EQ(out["spec"]["volumes"], json::array({projected}));
    EXPECT_EQ(out["spec"]["initContainers"][0]["volumeMounts"], json::array({mount}));
    EXPECT_EQ(out["spec"]["containers"][0]["volumeMounts"], json::array({mount}));
  }

  // Beside a legacy token volume (a pod from a 1.2x cluster that mounted both): only the legacy
  // one and its mounts go.
  const json legacy_mount = json::parse(R"({"name": "default-token-abcde",
      "mountPath": "/var/run/secrets/legacy"})");
  json both = json::parse(R"({"metadata": {"name": "web-1"}, "spec": {
      "volumes": [{"name": "default-token-abcde", "secret": {"secretName": "default-token-abcde"}}],
      "containers": [{"name": "app"}]}})");
  both["spec"]["volumes"].insert(both["spec"]["volumes"].begin(), projected);
  both["spec"]["containers"][0]["volumeMounts"] = json::array({mount, legacy_mount});
  const json out = restored(both.dump(), "pods");
  EXPECT_EQ(out["spec"]["volumes"], json::array({projected}));
  EXPECT_EQ(out["spec"]["containers"][0]["volumeMounts"], json::array({mount}));
}

// The token prefix comes from serviceAccountName, else the deprecated serviceAccount, else
// "default".
TEST(ObjectTransform, PodTokenPrefixFallsBackToServiceAccountThenDefault) {
  const json legacy = restored(R"({"metadata": {"name": "p"}, "spec": {"serviceAccount": "old",
      "volumes": [{"name": "old-token-1"}, {"name": "default-token-1"}]}})",
                               "pods");
  EXPECT_EQ(legacy["spec"]["volumes"], json::parse(R"([{"name": "default-token-1"}])"));
  const json bare = restored(R"({"metadata": {"name": "p"}, "spec": {
      "volumes": [{"name": "old-token-1"}, {"name": "default-token-1"}]}})",
                             "pods");
  EXPECT_EQ(bare["spec"]["volumes"], json::parse(R"([{"name": "old-token-1"}])"));
}

// Cluster IPs are reallocated unless the service is headless; healthCheckNodePort always.
TEST(ObjectTransform, ServicesLoseClusterIpUnlessHeadless) {
  const json svc = restored(R"({"metadata": {"name": "web"}, "spec": {"type": "LoadBalancer",
      "clusterIP": "10.0.0.7", "clusterIPs": ["10.0.0.7"], "healthCheckNodePort": 31000,
      "externalTrafficPolicy": "Local", "ports": []}})",
                            "services");
  EXPECT_EQ(svc["spec"], json::parse(R"({"type": "LoadBalancer",
      "externalTrafficPolicy": "Local", "ports": []})"));
  const json headless = restored(R"({"metadata": {"name": "db"}, "spec": {"clusterIP": "None",
      "clusterIPs": ["None"]}})",
                                 "services");
  EXPECT_EQ(headless["spec"]["clusterIP"], "None");
  EXPECT_EQ(headless["spec"]["clusterIPs"], json::parse(R"(["None"])"));
}

// NodePorts survive only when kubectl's last-applied-configuration shows the user chose them:
// named ports match by name, unnamed ones by the nodePort value (Velero's deleteNodePorts).
TEST(ObjectTransform, ServiceNodePortsKeptOnlyWhenExplicitInLastApplied) {
  const std::string last_applied = json({{"spec",
                                          {{"type", "NodePort"},
                                           {"ports",
                                            {{{"name", "http"}, {"port", 80}, {"nodePort", 30080}},
                                             {{"port", 9000}, {"nodePort", "30900"}},
                                             {{"name", "metrics"}, {"port", 9100}}}}}}})
                                       .dump();
  json svc = json::parse(R"({"metadata": {"name": "web"}, "spec": {"type": "NodePort",
      "clusterIP": "10.0.0.7", "ports": [
        {"name": "http", "port": 80, "nodePort": 30080},
        {"name": "https", "port": 443, "nodePort": 31443},
        {"name": "metrics", "port": 9100, "nodePort": 31100},
        {"port": 9000, "nodePort": 30900},
        {"port": 9001, "nodePort": 30901}]}})");
  svc["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] = last_applied;
  const json out = restored(svc.dump(), "services");
  EXPECT_EQ(out["spec"]["ports"], json::parse(R"([
        {"name": "http", "port": 80, "nodePort": 30080},
        {"name": "https", "port": 443},
        {"name": "metrics", "port": 9100},
        {"port": 9000, "nodePort": 30900},
        {"port": 9001}])"));

  // Without the annotation, or with an unreadable one, every nodePort is reallocated.
  for (const char* annotation : {"", "{not json", "1e99999", "[]", R"({"spec": {"ports": 5}})"}) {
    SCOPED_TRACE(annotation);
    json plain = json::parse(R"({"metadata": {"name": "web"}, "spec": {
        "ports": [{"name": "http", "port": 80, "nodePort": 30080}]}})");
    if (*annotation != '\0') {
      plain["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"] =
          annotation;
    }
    EXPECT_EQ(restored(plain.dump(), "services")["spec"]["ports"],
              json::parse(R"([{"name": "http", "port": 80}])"));
  }
}

// A retained volume is re-created for its claim to rebind: the old claim's uid and version
// and the binding annotations go, other annotations stay.
TEST(ObjectTransform, VolumesLoseClaimIdentityAndBindingAnnotations) {
  const json pv = restored(R"({"metadata": {"name": "pv-1", "annotations": {
      "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
      "pv.kubernetes.io/provisioned-by": "csi.example.com"}},
    "spec": {"persistentVolumeReclaimPolicy": "Retain", "capacity": {"storage": "1Gi"},
      "claimRef": {"kind": "PersistentVolumeClaim", "namespace": "other", "name": "data",
                   "uid": "u-9", "resourceVersion": "77", "apiVersion": "v1"}},
    "status": {"phase": "Bound"}})",
                           "persistentvolumes");
  EXPECT_EQ(pv["metadata"]["annotations"],
            json::parse(R"({"pv.kubernetes.io/provisioned-by": "csi.example.com"})"));
  EXPECT_EQ(pv["spec"]["claimRef"], json::parse(R"({"kind": "PersistentVolumeClaim",
      "namespace": "other", "name": "data", "apiVersion": "v1"})"));
  EXPECT_FALSE(pv.contains("status"));
}

// Claims lose binding and provisioning annotations but keep volumeName, unless their volume
// was left to the provisioner: then the claim must be provisioned anew.
TEST(ObjectTransform, ClaimsKeepVolumeNameUnlessTheVolumeIsReprovisioned) {
  const std::string claim = R"({"metadata": {"name": "data", "namespace": "shop", "annotations": {
      "pv.kubernetes.io/bind-completed": "yes", "pv.kubernetes.io/bound-by-controller": "yes",
      "volume.kubernetes.io/storage-provisioner": "csi.example.com",
      "volume.beta.kubernetes.io/storage-provisioner": "csi.example.com",
      "volume.kubernetes.io/selected-node": "node-1",
      "velero.io/volume-snapshot-name": "s", "velero.io/data-upload-name": "d",
      "team": "storage"}},
    "spec": {"volumeName": "pvc-123", "storageClassName": "fast"}})";
  const json kept = restored(claim, "persistentvolumeclaims");
  EXPECT_EQ(kept["metadata"]["annotations"], json::parse(R"({"team": "storage"})"));
  EXPECT_EQ(kept["spec"], json::parse(R"({"volumeName": "pvc-123", "storageClassName": "fast"})"));

  TransformContext c = context();
  c.reprovisioned_volumes = {"pvc-123"};
  const json fresh = restored(claim, "persistentvolumeclaims", c);
  EXPECT_EQ(fresh["metadata"]["annotations"], json::parse(R"({"team": "storage"})"));
  EXPECT_EQ(fresh["spec"], json::parse(R"({"storageClassName": "fast"})"));
}

// A hand-made token secret is re-created empty of the old cluster's token, CA and account uid:
// the token controller fills them for the restored account. Other secrets are untouched.
TEST(ObjectTransform, TokenSecretsLoseTokenCaAndAccountUid) {
  const json secret = restored(R"({"metadata": {"name": "ci-token", "annotations": {
      "kubernetes.io/service-account.name": "ci", "kubernetes.io/service-account.uid": "u-5"}},
    "type": "kubernetes.io/service-account-token",
    "data": {"token": "dG9r", "ca.crt": "Y2E=", "namespace": "c2hvcA=="}})",
                               "secrets");
  EXPECT_EQ(secret["metadata"]["annotations"],
            json::parse(R"({"kubernetes.io/service-account.name": "ci"})"));
  EXPECT_EQ(secret["data"], json::parse(R"({"namespace": "c2hvcA=="})"));
  const json opaque = restored(R"({"metadata": {"name": "creds"}, "type": "Opaque",
      "data": {"token": "dG9r", "ca.crt": "Y2E="}})",
                               "secrets");
  EXPECT_EQ(opaque["data"], json::parse(R"({"token": "dG9r", "ca.crt": "Y2E="})"));
}

TEST(ObjectTransform, ServiceAccountsDropGeneratedTokenSecrets) {
  const json sa = restored(R"({"metadata": {"name": "app"}, "secrets": [
      {"name": "app-token-x7k2p"}, {"name": "app-dockercfg"}, {"name": "other-token-1"}],
    "imagePullSecrets": [{"name": "app-token-x7k2p"}]})",
                           "serviceaccounts");
  EXPECT_EQ(sa["secrets"],
            json::parse(R"([{"name": "app-dockercfg"}, {"name": "other-token-1"}])"));
  EXPECT_EQ(sa["imagePullSecrets"], json::parse(R"([{"name": "app-token-x7k2p"}])"));
  // Only the generated token listed (every `default` account of a 1.20 cluster): the field goes,
  // so the account the cluster already made for the namespace counts as the same.
  const json only_token = restored(
      R"({"metadata": {"name": "default"}, "secrets": [{"name": "default-token-q8x2z"}]})",
      "serviceaccounts");
  EXPECT_FALSE(only_token.contains("secrets")) << only_token.dump();
}

// Restore hooks replace a pod's init containers with the plan's, built from the pod as backed
// up: dropping the token mounts again there keeps a 1.20 API server from rejecting the pod
// ("spec.initContainers[1].volumeMounts[1].name: Not found"; seen on a real cluster).
TEST(ObjectTransform, TokenVolumesDropFromReplacedInitContainers) {
  json pod = json::parse(R"({"metadata": {"name": "db"}, "spec": {
      "volumes": [{"name": "data", "emptyDir": {}}],
      "initContainers": [{"name": "restore-wait", "volumeMounts": [{"name": "data", "mountPath": "/d"}]},
                         {"name": "initdb", "volumeMounts": [
                            {"name": "data", "mountPath": "/d"},
                            {"name": "default-token-hnm7h", "mountPath": "/var/run/secrets"}]}]}})");
  drop_service_account_token_volumes(pod);
  EXPECT_EQ(pod["spec"]["initContainers"][1]["volumeMounts"],
            json::parse(R"([{"name": "data", "mountPath": "/d"}])"));
  EXPECT_EQ(pod["spec"]["initContainers"][0]["volumeMounts"].size(), 1u);
  json not_a_pod = json::parse(R"({"spec": "nonsense"})");
  drop_service_account_token_volumes(not_a_pod);  // never throws on untrusted shapes
  EXPECT_EQ(not_a_pod["spec"], "nonsense");
}

// The old Job's uid labels go so the API server generates a selector for the new Job.
TEST(ObjectTransform, JobsLoseControllerUidLabels) {
  const json job = restored(R"({"metadata": {"name": "migrate", "labels": {"controller-uid": "u"}},
    "spec": {"selector": {"matchLabels": {"controller-uid": "u",
        "batch.kubernetes.io/controller-uid": "u", "app": "migrate"}},
      "template": {"metadata": {"labels": {"controller-uid": "u",
        "batch.kubernetes.io/controller-uid": "u", "job-name": "migrate"}}}},
    "status": {"active": 1}})",
                            "jobs.batch");
  EXPECT_EQ(job["spec"]["selector"]["matchLabels"], json::parse(R"({"app": "migrate"})"));
  EXPECT_EQ(job["spec"]["template"]["metadata"]["labels"],
            json::parse(R"({"job-name": "migrate"})"));
  // Only the selector and template are rewritten.
  EXPECT_EQ(job["metadata"]["labels"]["controller-uid"], "u");
}

// Items come from an untrusted archive: wrong types anywhere never throw.
TEST(ObjectTransform, WrongTypedFieldsNeverThrow) {
  const char* resources[] = {"pods",
                             "services",
                             "persistentvolumes",
                             "persistentvolumeclaims",
                             "secrets",
                             "serviceaccounts",
                             "jobs.batch",
                             "namespaces",
                             "rolebindings.rbac.authorization.k8s.io",
                             "configmaps"};
  const char* objects[] = {
      R"(5)",
      R"(null)",
      R"({})",
      R"({"metadata": 5})",
      R"({"metadata": []})",
      R"({"metadata": {"name": 5, "namespace": [], "labels": null, "annotations": "x"}})",
      R"({"metadata": {"name": "a", "annotations": {"kubernetes.io/config.mirror": 1,
          "kubectl.kubernetes.io/last-applied-configuration": 7,
          "kubernetes.io/service-account.name": {}}}, "spec": [], "status": {"phase": 7}})",
      R"({"metadata": {"name": "a", "annotations": {
          "kubectl.kubernetes.io/last-applied-configuration":
            "{\"spec\": {\"ports\": [5, {\"name\": 3, \"nodePort\": 1e300}, {\"nodePort\": -1}, {\"nodePort\": \"99999999999999999999\"}, {\"nodePort\": 18446744073709551615}]}}"}},
          "spec": {"clusterIP": 5, "ports": [1, "x", {"name": 5, "nodePort": "a"}, {"nodePort": {}}],
            "volumes": {}, "containers": [5, {"volumeMounts": "x"}], "initContainers": 3,
            "nodeName": [], "serviceAccountName": 4, "claimRef": [], "volumeName": 3,
            "persistentVolumeReclaimPolicy": 1, "selector": {"matchLabels": []},
            "template": {"metadata": 5}},
          "status": {"phase": [], "completionTime": null}, "type": 3, "data": [],
          "secrets": {}, "subjects": "x"})",
      R"({"metadata": {"name": "a"}, "spec": {"ports": {}, "claimRef": {"namespace": 5},
          "volumes": [{"name": 5}], "containers": {}}, "subjects": [5, {"namespace": 3}],
          "secrets": [5, {"name": 3}], "status": 5, "type": "kubernetes.io/service-account-token",
          "data": "x"})",
      R"({"metadata": {"name": "a", "annotations": {"kubernetes.io/service-account.name": "a"}},
          "type": "kubernetes.io/service-account-token", "data": {"token": 1}})",
  };
  for (const char* resource : resources) {
    for (const char* object : objects) {
      SCOPED_TRACE(std::string(resource) + " " + object);
      EXPECT_NO_THROW(restore(object, resource));
    }
  }
  const auto out =
      restore(R"({"metadata": {"name": "a"}, "spec": [], "status": {"phase": 7}})", "pods");
  EXPECT_EQ(out.skip_reason, "");
  EXPECT_EQ(out.object["spec"], json::array());
}

// A JSON-ish value built from the field names the transform looks at, so that random objects
// reach its branches with every possible type.
json arbitrary_value(int depth) {
  static const std::vector<std::string> kKeys = {"metadata",
                                                 "name",
                                                 "namespace",
                                                 "labels",
                                                 "annotations",
                                                 "generateName",
                                                 "spec",
                                                 "status",
                                                 "phase",
                                                 "completionTime",
                                                 "ports",
                                                 "nodePort",
                                                 "clusterIP",
                                                 "clusterIPs",
                                                 "volumes",
                                                 "volumeMounts",
                                                 "containers",
                                                 "initContainers",
                                                 "serviceAccountName",
                                                 "serviceAccount",
                                                 "claimRef",
                                                 "volumeName",
                                                 "persistentVolumeReclaimPolicy",
                                                 "selector",
                                                 "matchLabels",
                                                 "template",
                                                 "type",
                                                 "data",
                                                 "secrets",
                                                 "subjects",
                                                 "token",
                                                 "ca.crt",
                                                 "uid",
                                                 "kubernetes.io/config.mirror",
                                                 "kubectl.kubernetes.io/last-applied-configuration",
                                                 "kubernetes.io/service-account.name",
                                                 "controller-uid"};
  static const std::vector<std::string> kStrings = {"",
                                                    "shop",
                                                    "None",
                                                    "Delete",
                                                    "Succeeded",
                                                    "a",
                                                    "a-token-x",
                                                    "default-token-1",
                                                    "kubernetes.io/service-account-token",
                                                    "30080",
                                                    "{\"spec\":{\"ports\":[{\"nodePort\":5}]}}",
                                                    "{",
                                                    "1e99999"};
  const int kind = *rc::gen::inRange(0, depth > 0 ? 8 : 6);
  switch (kind) {
    case 0:
      return nullptr;
    case 1:
      return *rc::gen::arbitrary<bool>();
    case 2:
      return *rc::gen::arbitrary<int64_t>();
    case 3:
      return *rc::gen::arbitrary<double>();
    case 4:
      return *rc::gen::elementOf(kStrings);
    case 5:
      return *rc::gen::arbitrary<std::string>();
    case 6: {
      json object = json::object();
      const int size = *rc::gen::inRange(0, 5);
      for (int i = 0; i < size; ++i) {
        object[*rc::gen::elementOf(kKeys)] = arbitrary_value(depth - 1);
      }
      return object;
    }
    default: {
      json array = json::array();
      const int size = *rc::gen::inRange(0, 4);
      for (int i = 0; i < size; ++i)
        array.push_back(arbitrary_value(depth - 1));
      return array;
    }
  }
}

// Whatever the archive holds, prepare_for_restore returns; a restored object carries the
// restore labels and no server identity.
RC_GTEST_PROP(ObjectTransformProperty, NeverThrowsOnArbitraryObjects, ()) {
  const std::string resource = *rc::gen::element<std::string>(
      "pods", "services", "persistentvolumes", "persistentvolumeclaims", "secrets",
      "serviceaccounts", "jobs.batch", "namespaces", "rolebindings.rbac.authorization.k8s.io",
      "clusterrolebindings.rbac.authorization.k8s.io", "configmaps");
  json object = json::object();
  for (const char* key : {"metadata", "spec", "status", "subjects", "secrets", "data", "type"}) {
    if (*rc::gen::arbitrary<bool>())
      object[key] = arbitrary_value(4);
  }
  Transformed out;
  try {
    out = prepare_for_restore(object, resource, context());
  } catch (const std::exception& e) {
    RC_FAIL(std::string("threw: ") + e.what() + " on " + object.dump());
  }
  if (out.skip_reason.empty()) {
    RC_ASSERT(out.object["metadata"]["labels"]["velero.io/backup-name"] == "nightly");
    RC_ASSERT(!out.object["metadata"].contains("uid"));
    RC_ASSERT(!out.object.contains("status"));
  }
}

}  // namespace
}  // namespace stillpoint::restore
