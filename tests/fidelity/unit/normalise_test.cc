#include "normalise.h"

#include <gtest/gtest.h>

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;

json object(const std::string& text) {
  return json::parse(text);
}

std::vector<json> deployment_family() {
  return {
      object(R"({"kind": "Deployment", "metadata": {"name": "web", "namespace": "fidelity",
                 "uid": "d-uid-1111"}})"),
      object(
          R"({"kind": "ReplicaSet", "metadata": {"name": "web-5d8f7c9b4", "namespace": "fidelity",
                 "uid": "rs-uid-2222", "labels": {"pod-template-hash": "5d8f7c9b4"},
                 "ownerReferences": [{"kind": "Deployment", "name": "web", "uid": "d-uid-1111",
                                      "controller": true}]}})"),
      object(R"({"kind": "Pod", "metadata": {"name": "web-5d8f7c9b4-x2k9q", "namespace": "fidelity",
                 "generateName": "web-5d8f7c9b4-", "uid": "p-uid-3333",
                 "labels": {"pod-template-hash": "5d8f7c9b4"},
                 "ownerReferences": [{"kind": "ReplicaSet", "name": "web-5d8f7c9b4",
                                      "uid": "rs-uid-2222", "controller": true}]},
                 "spec": {"nodeName": "127.0.0.1",
                          "volumes": [{"name": "default-token-7hq2z",
                                       "secret": {"secretName": "default-token-7hq2z"}}]}})"),
      object(R"({"kind": "PersistentVolume", "metadata": {"name": "pvc-c-uid-4444"},
                 "spec": {"claimRef": {"name": "data", "uid": "c-uid-4444"}}})"),
      object(R"({"kind": "PersistentVolumeClaim", "metadata": {"name": "data",
                 "namespace": "fidelity", "uid": "c-uid-4444"}})"),
  };
}

// Generated parts of names become placeholders everywhere they are copied, and uids name the
// object they belong to, so a reference to the wrong owner still differs.
TEST(FidelityNormalise, GeneratedNamesAndUidsBecomePlaceholders) {
  const std::vector<json> objects = deployment_family();
  const Normaliser n(objects);
  EXPECT_EQ(n.key(objects[1]), "ReplicaSet fidelity/web-{hash}");
  EXPECT_EQ(n.key(objects[2]), "Pod fidelity/web-{hash}-{rand}");
  EXPECT_EQ(n.key(objects[3]), "PersistentVolume pvc-{uid:PersistentVolumeClaim/data}");
  const json pod = n.apply(objects[2]);
  EXPECT_EQ(pod["metadata"]["generateName"], "web-{hash}-");
  EXPECT_EQ(pod["metadata"]["labels"]["pod-template-hash"], "{hash}");
  EXPECT_EQ(pod["metadata"]["ownerReferences"][0]["uid"], "{uid:ReplicaSet/web-{hash}}");
  EXPECT_EQ(pod["spec"]["nodeName"], "{node}");
  EXPECT_EQ(pod["spec"]["volumes"][0]["name"], "default-token-{rand}");
  EXPECT_EQ(pod["spec"]["volumes"][0]["secret"]["secretName"], "default-token-{rand}");
}

// Names a person chose are left alone, and so is a node-name lookalike inside a longer string.
TEST(FidelityNormalise, ChosenNamesAreKept) {
  const std::vector<json> objects = deployment_family();
  const Normaliser n(objects);
  EXPECT_EQ(n.rewrite("web"), "web");
  EXPECT_EQ(n.rewrite("my-token-store-x"), "my-token-store-x");
  EXPECT_EQ(n.rewrite("http://127.0.0.1:80"), "http://127.0.0.1:80");
  EXPECT_EQ(n.key(objects[4]), "PersistentVolumeClaim fidelity/data");
}

}  // namespace
}  // namespace stillpoint::fidelity
