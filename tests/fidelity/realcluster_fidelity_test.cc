// The realcluster half of the fidelity diff test (issue 15, point 4): the manifests applied to
// the real Kubernetes 1.20 of tests/realcluster, reduced, and compared with recorded-1.20/, the
// copy the kubesim half compares against. A difference means the recording is stale: the test
// fails with the difference. With STILLPOINT_FIDELITY_RECORD=1 in the environment it rewrites
// the recording instead (review the diff of recorded-1.20/ before committing it).
#include <cstdlib>

#include "collect.h"
#include "realcluster_fixture.h"
#include "recording.h"

namespace stillpoint::fidelity {
namespace {

namespace fs = std::filesystem;

const fs::path kRecording = fs::path(STILLPOINT_SOURCE_DIR) / "tests/fidelity/recorded-1.20";
const fs::path kManifests = fs::path(STILLPOINT_SOURCE_DIR) / "tests/fidelity/manifests";

// Images are imported and pods start in a few seconds here; a minute covers a loaded machine.
constexpr auto kSettleLimit = std::chrono::seconds(90);

class RealClusterFidelityTest : public realcluster::RealClusterTest {
 protected:
  Kubectl runner() {
    return [this](const auto& args, const auto& input) { return kubectl(args, input); };
  }
  void SetUp() override {
    RealClusterTest::SetUp();
    if (HasFatalFailure())
      return;
    // A run stopped half-way leaves the fixed names behind; start from nothing.
    const std::string left = delete_fidelity_objects(runner());
    ASSERT_TRUE(left.empty()) << left;
  }
  void TearDown() override {
    const auto start = std::chrono::steady_clock::now();
    const std::string left = delete_fidelity_objects(runner());
    EXPECT_TRUE(left.empty()) << left;
    std::cout << "deleted in "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - start)
                     .count()
              << " ms\n";
    RealClusterTest::TearDown();
  }
};

// The real cluster still answers the fixed manifests as recorded, so the kubesim half compares
// against the truth.
TEST_F(RealClusterFidelityTest, AnswersAsRecorded) {
  const Answer answer = apply_and_settle(runner(), kManifests, kSettleLimit);
  std::cout << "settled in " << answer.took.count() << " ms\n";
  std::string why;
  for (const std::string& e : answer.errors)
    why += e + "\n";
  for (const std::string& u : answer.unsettled)
    why += "  " + u + "\n";
  ASSERT_TRUE(answer.settled()) << "not settled after " << kSettleLimit.count() << " s:\n" << why;
  const Reduced real = reduce_answer(answer.objects);

  const char* record = std::getenv("STILLPOINT_FIDELITY_RECORD");
  if (record != nullptr && std::string(record) == "1") {
    auto written = write_recording(kRecording, real);
    ASSERT_TRUE(written) << written.error().message;
    std::cout << "recorded " << real.size() << " objects in " << kRecording << "\n";
    return;
  }
  auto recorded = read_recording(kRecording);
  ASSERT_TRUE(recorded) << recorded.error().message;
  const Difference d = compare(*recorded, real);
  EXPECT_TRUE(d.empty()) << "the recording is stale: the real cluster now answers differently. "
                            "Re-record with STILLPOINT_FIDELITY_RECORD=1 (tests/fidelity/"
                            "README.md) and review the diff:\n"
                         << describe(d, "the recording", "the real cluster");
}

}  // namespace
}  // namespace stillpoint::fidelity
