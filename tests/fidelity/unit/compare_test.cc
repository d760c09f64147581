#include "compare.h"

#include <gtest/gtest.h>

#include "recording.h"
#include "settle.h"

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;

const Reduced kReal = {
    {"Pod fidelity/solo",
     {"spec.dnsPolicy=ClusterFirst", "spec.restartPolicy=Always", "metadata.uid"}},
    {"ServiceAccount fidelity/default", {"kind=ServiceAccount"}},
};

// Paths one side lacks, values that differ and whole objects are each listed, named by side.
TEST(FidelityCompare, ListsOnlyInEachSideAndValueDifferences) {
  const Reduced kubesim = {
      {"Pod fidelity/solo", {"spec.restartPolicy=Never", "metadata.uid", "metadata.generation=1"}},
      {"Event fidelity/x", {"kind=Event"}},
  };
  const Difference d = compare(kReal, kubesim);
  EXPECT_EQ(d.objects_only_expected, std::vector<std::string>{"ServiceAccount fidelity/default"});
  EXPECT_EQ(d.objects_only_actual, std::vector<std::string>{"Event fidelity/x"});
  ASSERT_EQ(d.objects.size(), 1u);
  EXPECT_EQ(d.objects[0].only_expected, std::vector<std::string>{"spec.dnsPolicy=ClusterFirst"});
  EXPECT_EQ(d.objects[0].only_actual, std::vector<std::string>{"metadata.generation=1"});
  ASSERT_EQ(d.objects[0].values.size(), 1u);
  EXPECT_EQ(d.objects[0].values[0].path, "spec.restartPolicy");
  EXPECT_EQ(d.count(), 5u);
  const std::string text = describe(d, "real 1.20", "kubesim");
  EXPECT_NE(text.find("  only in real 1.20: spec.dnsPolicy=ClusterFirst\n"), std::string::npos);
  EXPECT_NE(text.find("  value differs: spec.restartPolicy: real 1.20 Always, kubesim Never\n"),
            std::string::npos)
      << text;
  EXPECT_TRUE(compare(kReal, kReal).empty());
}

// An accepted entry hides its path (with `*` for any run) on both sides, for its kind only.
TEST(FidelityCompare, AcceptedDifferencesHideTheirPathsForTheirKind) {
  auto accepted = parse_accepted(
      "# comment\n\nPod spec.dns* kubesim has no DNS\n* metadata.generation set by kubesim\n");
  ASSERT_TRUE(accepted) << accepted.error().message;
  ASSERT_EQ(accepted->size(), 2u);
  EXPECT_EQ((*accepted)[0].reason, "kubesim has no DNS");
  const Reduced kubesim = {
      {"Pod fidelity/solo", {"spec.restartPolicy=Always", "metadata.uid", "metadata.generation=1"}},
      {"ServiceAccount fidelity/default", {"kind=ServiceAccount", "spec.dnsPolicy=None"}},
  };
  const Difference d = compare(kReal, kubesim, *accepted);
  ASSERT_EQ(d.objects.size(), 1u);
  EXPECT_EQ(d.objects[0].key, "ServiceAccount fidelity/default");
}

// An entry without a reason is refused, naming its line.
TEST(FidelityCompare, AnAcceptedDifferenceNeedsAReason) {
  auto accepted = parse_accepted("Pod spec.x reason\nPod spec.y\n");
  ASSERT_FALSE(accepted);
  EXPECT_NE(accepted.error().message.find("line 2"), std::string::npos);
}

// A recording reads back as written, keys whose file names coincide included.
TEST(FidelityRecording, RoundTripsThroughFiles) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("fidelity-recording-" + std::to_string(getpid()));
  Reduced answer = kReal;
  answer["Pod fidelity/solo{a}"] = {"kind=Pod"};
  answer["Pod fidelity/solo{b}"] = {"kind=Pod", "spec.x=1"};
  ASSERT_TRUE(write_recording(dir, answer));
  auto back = read_recording(dir);
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, answer);
}

// Settled means Ready pods, rolled-out workloads, Bound claims, a Complete Job.
TEST(FidelitySettle, ListsWhatIsNotSettledYet) {
  const std::vector<json> objects = {
      json::parse(R"({"kind": "Pod", "metadata": {"name": "a", "namespace": "n"},
                      "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}})"),
      json::parse(R"({"kind": "Pod", "metadata": {"name": "b", "namespace": "n"},
                      "status": {"phase": "Succeeded"}})"),
      json::parse(R"({"kind": "PersistentVolumeClaim", "metadata": {"name": "c", "namespace": "n"},
                      "status": {"phase": "Pending"}})"),
      json::parse(
          R"({"kind": "Deployment", "metadata": {"name": "d", "namespace": "n", "generation": 2},
                      "spec": {"replicas": 1}, "status": {"observedGeneration": 2,
                      "readyReplicas": 1, "updatedReplicas": 1, "availableReplicas": 1}})"),
      json::parse(R"({"kind": "Job", "metadata": {"name": "e", "namespace": "n"},
                      "status": {"conditions": [{"type": "Complete", "status": "True"}]}})"),
      json::parse(R"({"kind": "ConfigMap", "metadata": {"name": "f", "namespace": "n"}})"),
  };
  EXPECT_EQ(unsettled(objects),
            (std::vector<std::string>{"Pod n/a: not Ready",
                                      "PersistentVolumeClaim n/c: phase 'Pending'"}));
}

}  // namespace
}  // namespace stillpoint::fidelity
