#include "metrics/server_metrics.h"

#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "unit/metrics/exposition.h"

namespace stillpoint::metrics {
namespace {

using testing::Exposition;
using testing::parse_exposition;

// The family a sample belongs to: histogram samples carry _bucket, _sum or _count.
std::string family_of(const Exposition& e, const std::string& sample) {
  if (e.families.count(sample))
    return sample;
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (sample.size() > s.size() && sample.ends_with(s)) {
      const std::string base = sample.substr(0, sample.size() - s.size());
      if (e.families.count(base))
        return base;
    }
  }
  return sample;
}

// A ServerMetrics with every metric observed at least once.
void observe_everything(ServerMetrics& m) {
  m.backup_started("nightly");
  ASSERT_TRUE(m.backup_finished("nightly", "Completed", 42.5, 120, 0, 1765000000));
  m.backup_started("");
  ASSERT_TRUE(m.backup_finished("", "PartiallyFailed", 3, 10, 2, 1765000100));
  m.backup_started("");
  ASSERT_TRUE(m.backup_finished("", "Failed", 0.5, 1, 1, 1765000200));
  m.backup_validation_failed("");
  m.set_backup_count(7);
  m.backup_deletion("nightly", true);
  m.backup_deletion("", false);
  m.set_schedule_interval("nightly", 86400);
  m.restore_started("nightly");
  ASSERT_TRUE(m.restore_finished("nightly", "Completed"));
  m.restore_started("");
  ASSERT_TRUE(m.restore_finished("", "PartiallyFailed"));
  m.restore_started("");
  ASSERT_TRUE(m.restore_finished("", "Failed"));
  m.restore_validation_failed("");
  m.set_restore_count(2);
  ASSERT_TRUE(m.hook_observed("pre", "succeeded", 0.02));
  ASSERT_TRUE(m.hook_observed("post", "failed", 1.5));
  ASSERT_TRUE(m.hook_observed("init", "skipped", 0));
  ASSERT_TRUE(m.hook_observed("exec", "timed_out", 30));
  ASSERT_TRUE(m.freeze_window(2.25));
}

// Every sample's family is announced by a HELP and a TYPE line before its first sample, and no
// line is malformed.
TEST(ServerMetrics, EveryFamilyHasHelpAndTypeBeforeItsSamples) {
  ServerMetrics m;
  observe_everything(m);
  const Exposition e = parse_exposition(m.serialize());
  EXPECT_TRUE(e.malformed.empty()) << "first malformed line: " << e.malformed.front();
  ASSERT_FALSE(e.samples.empty());
  for (const auto& s : e.samples) {
    SCOPED_TRACE(s.name + "{" + s.labels + "}");
    const auto it = e.families.find(family_of(e, s.name));
    ASSERT_NE(it, e.families.end());
    EXPECT_FALSE(it->second.help.empty());
    EXPECT_GT(it->second.help_line, 0u);
    EXPECT_LT(it->second.help_line, s.line);
    EXPECT_LT(it->second.type_line, s.line);
    EXPECT_TRUE(s.name.starts_with("stillpoint_"));
  }
}

// Counters and only counters end in _total (promtool's lint rule and the format's convention).
TEST(ServerMetrics, CountersAndOnlyCountersEndInTotal) {
  ServerMetrics m;
  observe_everything(m);
  const Exposition e = parse_exposition(m.serialize());
  std::set<std::string> types;
  for (const auto& [name, f] : e.families) {
    SCOPED_TRACE(name);
    types.insert(f.type);
    EXPECT_EQ(f.type == "counter", name.ends_with("_total")) << "type " << f.type;
  }
  EXPECT_EQ(types, (std::set<std::string>{"counter", "gauge", "histogram"}));
}

// Every metric docs/metrics.md lists is exposed, with its type.
TEST(ServerMetrics, ExposesEveryDocumentedMetricWithItsType) {
  ServerMetrics m;
  observe_everything(m);
  const Exposition e = parse_exposition(m.serialize());
  const std::map<std::string, std::string> want = {
      {"stillpoint_backup_attempt_total", "counter"},
      {"stillpoint_backup_success_total", "counter"},
      {"stillpoint_backup_partial_failure_total", "counter"},
      {"stillpoint_backup_failure_total", "counter"},
      {"stillpoint_backup_validation_failure_total", "counter"},
      {"stillpoint_backup_duration_seconds", "histogram"},
      {"stillpoint_backup_items", "gauge"},
      {"stillpoint_backup_items_errors", "gauge"},
      {"stillpoint_backup_last_successful_timestamp", "gauge"},
      {"stillpoint_backups", "gauge"},
      {"stillpoint_backup_deletion_attempt_total", "counter"},
      {"stillpoint_backup_deletion_success_total", "counter"},
      {"stillpoint_backup_deletion_failure_total", "counter"},
      {"stillpoint_schedule_expected_interval_seconds", "gauge"},
      {"stillpoint_restore_attempt_total", "counter"},
      {"stillpoint_restore_success_total", "counter"},
      {"stillpoint_restore_partial_failure_total", "counter"},
      {"stillpoint_restore_failed_total", "counter"},
      {"stillpoint_restore_validation_failed_total", "counter"},
      {"stillpoint_restores", "gauge"},
      {"stillpoint_hook_duration_seconds", "histogram"},
      {"stillpoint_hook_failures_total", "counter"},
      {"stillpoint_freeze_window_seconds", "histogram"},
  };
  std::map<std::string, std::string> got;
  for (const auto& [name, f] : e.families)
    got[name] = f.type;
  EXPECT_EQ(got, want);
}

// Histograms: one _bucket per boundary in increasing order, cumulative, ending in le="+Inf"
// equal to _count, and _sum the sum of the observations.
TEST(ServerMetrics, BackupDurationHistogramIsCumulativeWithInfSumAndCount) {
  ServerMetrics m;
  for (double s : {3.0, 45.0, 20000.0}) {
    m.backup_started("weekly");
    ASSERT_TRUE(m.backup_finished("weekly", "Completed", s, 1, 0, 1));
  }
  const Exposition e = parse_exposition(m.serialize());
  std::vector<std::pair<double, double>> buckets;  // (le, count)
  for (const auto& s : e.samples) {
    if (s.name != "stillpoint_backup_duration_seconds_bucket")
      continue;
    const std::string prefix = "schedule=\"weekly\",le=\"";
    ASSERT_TRUE(s.labels.starts_with(prefix)) << s.labels;
    const std::string le = s.labels.substr(prefix.size(), s.labels.size() - prefix.size() - 1);
    buckets.emplace_back(le == "+Inf" ? std::numeric_limits<double>::infinity() : std::stod(le),
                         s.value);
  }
  ASSERT_GE(buckets.size(), 2u);
  EXPECT_TRUE(std::isinf(buckets.back().first)) << "last bucket is not +Inf";
  for (size_t i = 1; i < buckets.size(); ++i) {
    EXPECT_LT(buckets[i - 1].first, buckets[i].first) << "bucket " << i;
    EXPECT_LE(buckets[i - 1].second, buckets[i].second) << "bucket " << i << " not cumulative";
  }
  auto count_at = [&](double le) {
    for (auto [b, c] : buckets) {
      if (b == le)
        return c;
    }
    ADD_FAILURE() << "no bucket le=" << le;
    return -1.0;
  };
  EXPECT_EQ(count_at(1), 0);
  EXPECT_EQ(count_at(5), 1);
  EXPECT_EQ(count_at(60), 2);
  EXPECT_EQ(count_at(14400), 2);  // Velero's largest boundary, 4 h
  EXPECT_EQ(buckets.back().second, 3);
  EXPECT_EQ(e.value("stillpoint_backup_duration_seconds_count", "schedule=\"weekly\""), 3);
  EXPECT_EQ(e.value("stillpoint_backup_duration_seconds_sum", "schedule=\"weekly\""), 20048);
}

// A finished backup counts under its phase and schedule; items and errors are the last
// backup's; the last-success timestamp moves only on Completed.
TEST(ServerMetrics, BackupOutcomesCountByPhaseAndSchedule) {
  ServerMetrics m;
  m.backup_started("nightly");
  ASSERT_TRUE(m.backup_finished("nightly", "Completed", 10, 120, 0, 1765000000));
  m.backup_started("nightly");
  ASSERT_TRUE(m.backup_finished("nightly", "PartiallyFailed", 10, 118, 3, 1765000500));
  m.backup_started("");
  ASSERT_TRUE(m.backup_finished("", "Failed", 1, 0, 1, 1765000600));
  m.backup_validation_failed("nightly");
  m.set_backup_count(12);
  const Exposition e = parse_exposition(m.serialize());
  const std::string nightly = "schedule=\"nightly\"";
  const std::string none = "schedule=\"\"";
  EXPECT_EQ(e.value("stillpoint_backup_attempt_total", nightly), 2);
  EXPECT_EQ(e.value("stillpoint_backup_attempt_total", none), 1);
  EXPECT_EQ(e.value("stillpoint_backup_success_total", nightly), 1);
  EXPECT_EQ(e.value("stillpoint_backup_partial_failure_total", nightly), 1);
  EXPECT_EQ(e.value("stillpoint_backup_failure_total", nightly), std::nullopt);
  EXPECT_EQ(e.value("stillpoint_backup_failure_total", none), 1);
  EXPECT_EQ(e.value("stillpoint_backup_validation_failure_total", nightly), 1);
  EXPECT_EQ(e.value("stillpoint_backup_validation_failure_total", none), 0);
  EXPECT_EQ(e.value("stillpoint_backup_items", nightly), 118);
  EXPECT_EQ(e.value("stillpoint_backup_items_errors", nightly), 3);
  EXPECT_EQ(e.value("stillpoint_backup_last_successful_timestamp", nightly), 1765000000);
  EXPECT_EQ(e.value("stillpoint_backup_last_successful_timestamp", none), std::nullopt);
  EXPECT_EQ(e.value("stillpoint_backups"), 12);
}

// Restores count by phase and by the schedule of the backup they restore.
TEST(ServerMetrics, RestoreOutcomesCountByPhaseAndSchedule) {
  ServerMetrics m;
  m.restore_started("nightly");
  ASSERT_TRUE(m.restore_finished("nightly", "Completed"));
  m.restore_started("nightly");
  ASSERT_TRUE(m.restore_finished("nightly", "Failed"));
  m.restore_started("");
  ASSERT_TRUE(m.restore_finished("", "PartiallyFailed"));
  m.restore_validation_failed("");
  m.set_restore_count(3);
  const Exposition e = parse_exposition(m.serialize());
  EXPECT_EQ(e.value("stillpoint_restore_attempt_total", "schedule=\"nightly\""), 2);
  EXPECT_EQ(e.value("stillpoint_restore_success_total", "schedule=\"nightly\""), 1);
  EXPECT_EQ(e.value("stillpoint_restore_failed_total", "schedule=\"nightly\""), 1);
  EXPECT_EQ(e.value("stillpoint_restore_partial_failure_total", "schedule=\"\""), 1);
  EXPECT_EQ(e.value("stillpoint_restore_validation_failed_total", "schedule=\"\""), 1);
  EXPECT_EQ(e.value("stillpoint_restores"), 3);
}

// Before any event, schedule "" has every counter at 0 and each hook phase a failure counter at
// 0, so rate() sees the first event; init_schedule does the same for a named schedule.
TEST(ServerMetrics, CountersStartAtZeroForTheEmptyScheduleAndInitializedSchedules) {
  ServerMetrics m;
  m.init_schedule("hourly");
  const Exposition e = parse_exposition(m.serialize());
  for (const char* name :
       {"stillpoint_backup_attempt_total", "stillpoint_backup_success_total",
        "stillpoint_backup_partial_failure_total", "stillpoint_backup_failure_total",
        "stillpoint_backup_validation_failure_total", "stillpoint_restore_attempt_total",
        "stillpoint_restore_success_total", "stillpoint_restore_partial_failure_total",
        "stillpoint_restore_failed_total", "stillpoint_restore_validation_failed_total",
        "stillpoint_backup_items", "stillpoint_backup_items_errors"}) {
    SCOPED_TRACE(name);
    EXPECT_EQ(e.value(name, "schedule=\"\""), 0);
    EXPECT_EQ(e.value(name, "schedule=\"hourly\""), 0);
  }
  for (auto phase : kHookPhases) {
    EXPECT_EQ(e.value("stillpoint_hook_failures_total", "phase=\"" + std::string(phase) + "\""), 0);
  }
  EXPECT_EQ(e.value("stillpoint_freeze_window_seconds_count"), 0);
}

// A phase that is not a finished one is refused, named, and records nothing.
TEST(ServerMetrics, UnknownPhaseIsRefusedAndRecordsNothing) {
  ServerMetrics m;
  const std::string before = m.serialize();
  auto st = m.backup_finished("", "FailedValidation", 1, 1, 0, 1);
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(st.error().message.find("\"FailedValidation\""), std::string::npos)
      << st.error().message;
  auto rst = m.restore_finished("", "InProgress");
  ASSERT_FALSE(rst);
  EXPECT_NE(rst.error().message.find("\"InProgress\""), std::string::npos);
  EXPECT_EQ(m.serialize(), before);
}

// Hooks: the histogram by phase and result; failed and timed-out hooks count as failures of
// their phase, succeeded and skipped ones do not.
TEST(ServerMetrics, HookObservationsFillTheHistogramAndCountFailuresByPhase) {
  ServerMetrics m;
  ASSERT_TRUE(m.hook_observed("pre", "succeeded", 0.003));
  ASSERT_TRUE(m.hook_observed("pre", "succeeded", 0.2));
  ASSERT_TRUE(m.hook_observed("pre", "failed", 4));
  ASSERT_TRUE(m.hook_observed("post", "timed_out", 30));
  ASSERT_TRUE(m.hook_observed("post", "skipped", 0));
  const Exposition e = parse_exposition(m.serialize());
  EXPECT_EQ(e.value("stillpoint_hook_duration_seconds_count", "phase=\"pre\",result=\"succeeded\""),
            2);
  EXPECT_DOUBLE_EQ(
      *e.value("stillpoint_hook_duration_seconds_sum", "phase=\"pre\",result=\"succeeded\""),
      0.203);
  EXPECT_EQ(e.value("stillpoint_hook_duration_seconds_bucket",
                    "phase=\"pre\",result=\"succeeded\",le=\"0.005\""),
            1);
  EXPECT_EQ(e.value("stillpoint_hook_duration_seconds_bucket",
                    "phase=\"post\",result=\"timed_out\",le=\"30\""),
            1);
  EXPECT_EQ(e.value("stillpoint_hook_failures_total", "phase=\"pre\""), 1);
  EXPECT_EQ(e.value("stillpoint_hook_failures_total", "phase=\"post\""), 1);
  EXPECT_EQ(e.value("stillpoint_hook_failures_total", "phase=\"init\""), 0);
}

// Phases and results outside the fixed sets, and negative or NaN durations, are refused with
// the value named; nothing is recorded (the label cardinality stays bounded).
TEST(ServerMetrics, HookObservationOutsideTheFixedLabelsIsRefused) {
  ServerMetrics m;
  const std::string before = m.serialize();
  struct Case {
    const char* name;
    const char* phase;
    const char* result;
    double seconds;
    const char* named;
  };
  for (const Case& c : std::vector<Case>{
           {"phase", "Pre", "succeeded", 1, "\"Pre\""},
           {"result", "pre", "Succeeded", 1, "\"Succeeded\""},
           {"negative", "pre", "succeeded", -0.5, "negative"},
           {"nan", "pre", "succeeded", std::nan(""), "NaN"},
       }) {
    SCOPED_TRACE(c.name);
    auto st = m.hook_observed(c.phase, c.result, c.seconds);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(st.error().message.find(c.named), std::string::npos) << st.error().message;
  }
  EXPECT_FALSE(m.freeze_window(-1));
  EXPECT_FALSE(m.backup_finished("", "Completed", -1, 0, 0, 0));
  EXPECT_EQ(m.serialize(), before);
}

// The freeze window is one histogram without labels: one observation per pod.
TEST(ServerMetrics, FreezeWindowIsObservedPerPod) {
  ServerMetrics m;
  ASSERT_TRUE(m.freeze_window(0.3));
  ASSERT_TRUE(m.freeze_window(700));
  const Exposition e = parse_exposition(m.serialize());
  EXPECT_EQ(e.value("stillpoint_freeze_window_seconds_count"), 2);
  EXPECT_DOUBLE_EQ(*e.value("stillpoint_freeze_window_seconds_sum"), 700.3);
  EXPECT_EQ(e.value("stillpoint_freeze_window_seconds_bucket", "le=\"0.5\""), 1);
  EXPECT_EQ(e.value("stillpoint_freeze_window_seconds_bucket", "le=\"600\""), 1);
  EXPECT_EQ(e.value("stillpoint_freeze_window_seconds_bucket", "le=\"1800\""), 2);
}

// A schedule name is a label value: quotes, backslashes and newlines are escaped as the format
// requires.
TEST(ServerMetrics, ScheduleLabelValuesAreEscaped) {
  ServerMetrics m;
  m.backup_started("a\"b\\c\nd");
  const std::string text = m.serialize();
  EXPECT_NE(text.find("stillpoint_backup_attempt_total{schedule=\"a\\\"b\\\\c\\nd\"} 1"),
            std::string::npos)
      << text;
}

// Counts from many threads at once add up exactly.
TEST(ServerMetrics, ConcurrentUpdatesAllCount) {
  ServerMetrics m;
  constexpr int kThreads = 8;
  constexpr int kEach = 2000;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&m, t] {
      const std::string schedule = t % 2 == 0 ? "even" : "odd";
      for (int i = 0; i < kEach; ++i) {
        m.backup_started(schedule);
        (void)m.hook_observed("pre", "failed", 0.01);
        if (i % 100 == 0)
          (void)m.serialize();
      }
    });
  }
  for (auto& t : threads)
    t.join();
  const Exposition e = parse_exposition(m.serialize());
  EXPECT_EQ(e.value("stillpoint_backup_attempt_total", "schedule=\"even\""), kThreads / 2 * kEach);
  EXPECT_EQ(e.value("stillpoint_backup_attempt_total", "schedule=\"odd\""), kThreads / 2 * kEach);
  EXPECT_EQ(e.value("stillpoint_hook_failures_total", "phase=\"pre\""), kThreads * kEach);
  EXPECT_EQ(e.value("stillpoint_hook_duration_seconds_count", "phase=\"pre\",result=\"failed\""),
            kThreads * kEach);
}

}  // namespace
}  // namespace stillpoint::metrics
