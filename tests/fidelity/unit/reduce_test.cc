#include "reduce.h"

#include <gtest/gtest.h>

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;

json pod() {
  return json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "solo", "namespace": "fidelity", "uid": "0b5c-11",
                 "resourceVersion": "42", "creationTimestamp": "2024-01-01T00:00:00Z",
                 "labels": {"app.kubernetes.io/name": "solo"},
                 "managedFields": [{"manager": "kubectl"}]},
    "spec": {"restartPolicy": "Always", "securityContext": {},
             "containers": [{"name": "app", "terminationMessagePath": "/dev/termination-log",
                             "command": ["sh", "-c"]},
                            {"name": "side", "resources": {}}],
             "tolerations": [{"key": "a", "tolerationSeconds": 300}, {"key": "b"}]},
    "status": {"podIP": "10.244.0.7", "podIPs": [{"ip": "10.244.0.7"}],
               "conditions": [{"type": "Ready", "status": "True",
                               "lastTransitionTime": "2024-01-01T00:00:01Z"}]}
  })");
}

// Stable values are kept with their paths; lists are keyed by name, conditions by type, and
// other lists collapse to [] with their elements merged.
TEST(FidelityReduce, PathsWithStableValuesKeyedByNameOrType) {
  const std::set<std::string> lines = reduce(pod());
  for (const char* want :
       {"kind=Pod", "spec.restartPolicy=Always",
        "spec.containers[app].terminationMessagePath=/dev/termination-log",
        "spec.containers[app].command[]=sh", "spec.containers[app].command[]=-c",
        "spec.containers[side].resources={}", "spec.securityContext={}", "spec.tolerations[].key=a",
        "spec.tolerations[].key=b", "spec.tolerations[].tolerationSeconds=300",
        "status.conditions[Ready].status=True", "metadata.labels.app.kubernetes.io/name=solo"}) {
    EXPECT_EQ(lines.count(want), 1u) << want;
  }
}

// Values that change from run to run keep their path only; managedFields goes entirely.
TEST(FidelityReduce, VolatileValuesKeepOnlyTheirPath) {
  const std::set<std::string> lines = reduce(pod());
  for (const char* want :
       {"metadata.uid", "metadata.resourceVersion", "metadata.creationTimestamp", "status.podIP",
        "status.podIPs[].ip", "status.conditions[Ready].lastTransitionTime"}) {
    EXPECT_EQ(lines.count(want), 1u) << want;
  }
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find("10.244"), std::string::npos) << line;
    EXPECT_EQ(line.find("managedFields"), std::string::npos) << line;
  }
}

// Service IPs and node ports are allocated; a token Secret's data and a provisioned volume's
// directory are new on every cluster; a static volume's path and an Opaque Secret's data are not.
TEST(FidelityReduce, AllocatedAndGeneratedValuesAreVolatileByKind) {
  const json service = json::parse(R"({"kind": "Service", "spec": {"type": "NodePort",
      "clusterIP": "10.96.0.12", "clusterIPs": ["10.96.0.12"],
      "ports": [{"port": 80, "nodePort": 31234, "protocol": "TCP"}]}})");
  const std::set<std::string> s = reduce(service);
  EXPECT_EQ(s, (std::set<std::string>{"kind=Service", "spec.type=NodePort", "spec.clusterIP",
                                      "spec.clusterIPs[]", "spec.ports[].port=80",
                                      "spec.ports[].nodePort", "spec.ports[].protocol=TCP"}));

  const json token =
      json::parse(R"({"kind": "Secret", "type": "kubernetes.io/service-account-token",
      "data": {"token": "ZXlK"}})");
  EXPECT_EQ(reduce(token).count("data.token"), 1u);
  const json opaque = json::parse(R"({"kind": "Secret", "type": "Opaque", "data": {"k": "dg=="}})");
  EXPECT_EQ(reduce(opaque).count("data.k=dg=="), 1u);

  json volume = json::parse(R"({"kind": "PersistentVolume", "metadata": {"name": "v"},
      "spec": {"hostPath": {"path": "/tmp/hostpath_pv/1234"}}})");
  EXPECT_EQ(reduce(volume).count("spec.hostPath.path=/tmp/hostpath_pv/1234"), 1u);
  volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] = "kubernetes.io/host-path";
  EXPECT_EQ(reduce(volume).count("spec.hostPath.path"), 1u);
}

// A value with a line break stays on one line.
TEST(FidelityReduce, ControlCharactersAreQuoted) {
  const json cm = json::parse(R"({"kind": "ConfigMap", "data": {"a": "x\ny"}})");
  EXPECT_EQ(reduce(cm).count(R"(data.a="x\ny")"), 1u);
}

}  // namespace
}  // namespace stillpoint::fidelity
