// The kubesim half of the fidelity diff test (issue 15, point 4): the manifests applied to a
// kubesim that answers as Kubernetes 1.20 does (`KubeRelease::V1_20`, the realcluster tier's
// release), reduced and compared with what the real 1.20 cluster answered
// (recorded-1.20/, re-recorded by the realcluster half) less accepted-differences.txt.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "collect.h"
#include "kubectl_harness.h"
#include "kubesim.h"
#include "recording.h"

namespace stillpoint::fidelity {
namespace {

using kubesim::testing::CommandResult;
using kubesim::testing::run_command;
namespace fs = std::filesystem;

const fs::path kDir = fs::path(STILLPOINT_SOURCE_DIR) / "tests" / "fidelity";

// Settling takes a few seconds when kubesim does what a real server does; the limit only
// matters while it does not (claims never bound, Jobs never run), and then the diff says why.
constexpr auto kSettleLimit = std::chrono::seconds(60);

std::string read_text(const fs::path& file) {
  std::ifstream in(file);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A kubesim answering as 1.20 and the real /usr/bin/kubectl in front of it.
class KubesimFidelityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kubesim::Options o;
    o.data_dir = dir_.path() / "data";
    o.kubeconfig = dir_.path() / "kubeconfig";
    o.release = kubesim::KubeRelease::V1_20;
    auto s = kubesim::Server::start(o);
    ASSERT_TRUE(s) << "kubesim failed to start: " << s.error().message;
    server_ = std::move(*s);
  }
  void TearDown() override {
    if (server_)
      server_->stop();
  }

  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv = {"/usr/bin/kubectl",
                                     "--kubeconfig=" + server_->kubeconfig_path().string(),
                                     "--cache-dir=" + (dir_.path() / "kubectl-cache").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input, std::chrono::seconds(60), {"HOME=" + dir_.path().string()});
  }

  kubesim::testing::TempDir dir_;
  std::unique_ptr<kubesim::Server> server_;
};

// kubesim answers the fixed manifests as the real Kubernetes 1.20 did, path for path and value
// for value where values are stable, except the differences accepted in review.
TEST_F(KubesimFidelityTest, AnswersAsTheRecordedRealCluster) {
  auto recorded = read_recording(kDir / "recorded-1.20");
  ASSERT_TRUE(recorded) << recorded.error().message;
  auto accepted = parse_accepted(read_text(kDir / "accepted-differences.txt"));
  ASSERT_TRUE(accepted) << "accepted-differences.txt: " << accepted.error().message;

  const Kubectl run = [this](const auto& args, const auto& input) { return kubectl(args, input); };
  const Answer answer = apply_and_settle(run, kDir / "manifests", kSettleLimit);
  std::cout << "settled in " << answer.took.count() << " ms" << (answer.settled() ? "" : " (not)")
            << "\n";
  for (const std::string& e : answer.errors)
    ADD_FAILURE() << e;
  std::string unsettled;
  for (const std::string& u : answer.unsettled)
    unsettled += "  " + u + "\n";
  EXPECT_TRUE(answer.unsettled.empty()) << "not settled after " << kSettleLimit.count() << " s:\n"
                                        << unsettled;

  const Difference d = compare(*recorded, reduce_answer(answer.objects), *accepted);
  EXPECT_TRUE(d.empty()) << "kubesim (--release 1.20) answers differently from the recorded "
                            "real 1.20 cluster (tests/fidelity/recorded-1.20):\n"
                         << describe(d, "real 1.20", "kubesim");
}

}  // namespace
}  // namespace stillpoint::fidelity
