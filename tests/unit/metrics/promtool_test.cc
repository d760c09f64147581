// /metrics passes Prometheus' own lint: `promtool check metrics` (Debian's `prometheus`
// package) reads the exposition on stdin and prints one line per problem.
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"
#include "metrics/server_metrics.h"

namespace stillpoint::metrics {
namespace {

struct Lint {
  int exit_code = -1;
  std::string output;
};

// Runs promtool check metrics on `text`; its stdout and stderr together.
Lint promtool_check(const std::string& text) {
  testing::TempDir dir;
  const std::string input = dir.write("metrics.txt", text);
  const std::string cmd =
      std::string(STILLPOINT_PROMTOOL) + " check metrics < '" + input + "' 2>&1";
  Lint out;
  FILE* p = ::popen(cmd.c_str(), "r");
  if (p == nullptr)
    return out;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
    out.output.append(buf, n);
  const int status = ::pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class Promtool : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(std::filesystem::exists(STILLPOINT_PROMTOOL))
        << STILLPOINT_PROMTOOL << " is missing: scripts/install-deps installs Debian's prometheus";
  }
};

// The harness sees a problem when there is one: a gauge named like a counter fails the lint.
TEST_F(Promtool, ReportsALintProblem) {
  const Lint lint = promtool_check(
      "# HELP stillpoint_things_total Things.\n# TYPE stillpoint_things_total gauge\n"
      "stillpoint_things_total 1\n");
  EXPECT_NE(lint.exit_code, 0);
  EXPECT_NE(lint.output.find("_total"), std::string::npos) << lint.output;
}

// Every metric, each with observations (several schedules, every hook phase and result), passes
// promtool's lint with no output at all.
TEST_F(Promtool, ServerMetricsWithEveryMetricObservedPassesTheLint) {
  ServerMetrics m;
  m.init_schedule("nightly");
  for (const std::string schedule : {"", "nightly", "with \"quotes\" and \\"}) {
    m.backup_started(schedule);
    ASSERT_TRUE(m.backup_finished(schedule, "Completed", 75, 300, 0, 1765000000));
    m.backup_started(schedule);
    ASSERT_TRUE(m.backup_finished(schedule, "PartiallyFailed", 12, 290, 4, 1765000100));
    m.backup_started(schedule);
    ASSERT_TRUE(m.backup_finished(schedule, "Failed", 2, 0, 1, 1765000200));
    m.backup_validation_failed(schedule);
    m.restore_started(schedule);
    ASSERT_TRUE(m.restore_finished(schedule, "Completed"));
    m.restore_started(schedule);
    ASSERT_TRUE(m.restore_finished(schedule, "PartiallyFailed"));
    m.restore_started(schedule);
    ASSERT_TRUE(m.restore_finished(schedule, "Failed"));
    m.restore_validation_failed(schedule);
  }
  m.set_backup_count(9);
  m.set_restore_count(4);
  for (auto phase : kHookPhases) {
    for (auto result : kHookResults) {
      ASSERT_TRUE(m.hook_observed(phase, result, 0.4));
    }
  }
  ASSERT_TRUE(m.freeze_window(3.5));
  const Lint lint = promtool_check(m.serialize());
  EXPECT_EQ(lint.exit_code, 0) << lint.output;
  EXPECT_EQ(lint.output, "");
}

}  // namespace
}  // namespace stillpoint::metrics
