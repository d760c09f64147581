#include "metrics/server_metrics.h"

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <algorithm>
#include <cmath>

namespace stillpoint::metrics {
namespace {

using prometheus::Counter;
using prometheus::Family;
using prometheus::Gauge;
using prometheus::Histogram;

constexpr const char* kSchedule = "schedule";

// Backups take seconds on a small namespace and hours on a large one with volume data. The
// buckets are Velero's (1 min to 4 h, so a Velero dashboard's `le` values exist here too) with
// 1 s to 30 s below them, where stillpoint's small backups fall and Velero's buckets would put
// every one of them into the first.
const Histogram::BucketBoundaries kBackupBuckets = {1,   5,    10,   30,   60,    300,  600,
                                                    900, 1800, 3600, 7200, 10800, 14400};

// A hook is an fsfreeze or a FLUSH TABLES (milliseconds), a pg_dump (seconds to minutes), or a
// command that hits its timeout: 30 s is Velero's default hook timeout, so hooks that ran into it
// stand out in the 30 s bucket; 10 min covers the longest timeouts we have seen set.
const Histogram::BucketBoundaries kHookBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
                                                  2.5,   5,    10,    30,   60,  120,  300, 600};

// The freeze window holds the pod's writes: the pre hooks, the items of its ItemBlock and its
// volume data, then the post hooks. Sub-second for a pod without volume data, up to an hour for
// one whose volumes are copied while frozen.
const Histogram::BucketBoundaries kFreezeBuckets = {0.1, 0.5, 1,   2.5, 5,    10,  30,
                                                    60,  120, 300, 600, 1800, 3600};

bool is_hook_phase(std::string_view v) {
  return std::find(std::begin(kHookPhases), std::end(kHookPhases), v) != std::end(kHookPhases);
}
bool is_hook_result(std::string_view v) {
  return std::find(std::begin(kHookResults), std::end(kHookResults), v) != std::end(kHookResults);
}

std::string joined(const std::string_view* begin, const std::string_view* end) {
  std::string out;
  for (auto it = begin; it != end; ++it) {
    if (!out.empty())
      out += ", ";
    out += *it;
  }
  return out;
}

// Durations come from clocks the caller reads; a negative one is a bug upstream that would
// lower a histogram's _sum, which Prometheus reads as a counter reset.
core::Status check_duration(std::string_view what, double seconds) {
  if (std::isnan(seconds) || seconds < 0) {
    return core::unexpected(
        core::ErrorCode::InvalidArgument,
        std::string(what) + ": duration " + std::to_string(seconds) + " s is negative or NaN");
  }
  return core::ok();
}

}  // namespace

// Members are initialized in declaration order: the registry first, then the families that
// live in it (and are destroyed with it).
struct ServerMetrics::Families {
  // One registry per ServerMetrics, never prometheus-cpp's global state: tests and several
  // servers in one process do not share series.
  prometheus::Registry registry;

  Family<Counter>& backup_attempt =
      counter("backup_attempt_total", "Total number of attempted backups");
  Family<Counter>& backup_success =
      counter("backup_success_total", "Total number of successful backups");
  Family<Counter>& backup_partial_failure =
      counter("backup_partial_failure_total", "Total number of partially failed backups");
  Family<Counter>& backup_failure =
      counter("backup_failure_total", "Total number of failed backups");
  Family<Counter>& backup_validation_failure =
      counter("backup_validation_failure_total", "Total number of validation failed backups");
  Family<Histogram>& backup_duration =
      histogram("backup_duration_seconds", "Time taken to complete backup, in seconds");
  // Velero's backup_items_total, backup_total and restore_total are gauges; promtool's lint
  // (which /metrics must pass) refuses `_total` on anything but a counter, because rate() over
  // a gauge named like a counter gives nonsense. They lose the suffix here (docs/metrics.md).
  Family<Gauge>& backup_items =
      gauge("backup_items", "Total number of items backed up by the last backup");
  Family<Gauge>& backup_items_errors =
      gauge("backup_items_errors", "Total number of errors encountered during the last backup");
  Family<Gauge>& backup_last_successful =
      gauge("backup_last_successful_timestamp",
            "Last time a backup ran successfully, Unix timestamp in seconds");
  Family<Gauge>& backups = gauge("backups", "Current number of existent backups");
  Family<Counter>& deletion_attempt =
      counter("backup_deletion_attempt_total", "Total number of attempted backup deletions");
  Family<Counter>& deletion_success =
      counter("backup_deletion_success_total", "Total number of successful backup deletions");
  Family<Counter>& deletion_failure =
      counter("backup_deletion_failure_total", "Total number of failed backup deletions");
  Family<Gauge>& schedule_interval =
      gauge("schedule_expected_interval_seconds",
            "Seconds between a schedule's next two backups, as its cron expression says");

  Family<Counter>& restore_attempt =
      counter("restore_attempt_total", "Total number of attempted restores");
  Family<Counter>& restore_success =
      counter("restore_success_total", "Total number of successful restores");
  Family<Counter>& restore_partial_failure =
      counter("restore_partial_failure_total", "Total number of partially failed restores");
  Family<Counter>& restore_failed =
      counter("restore_failed_total", "Total number of failed restores");
  Family<Counter>& restore_validation_failed = counter(
      "restore_validation_failed_total", "Total number of failed restores failing validations");
  Family<Gauge>& restores = gauge("restores", "Current number of existent restores");

  Family<Histogram>& hook_duration =
      histogram("hook_duration_seconds", "Time taken by one hook, in seconds, by phase and result");
  Family<Counter>& hook_failures =
      counter("hook_failures_total", "Total number of hooks that failed or timed out, by phase");
  Family<Histogram>& freeze_window =
      histogram("freeze_window_seconds",
                "Time from a pod's first pre hook start to its last post hook end, in seconds");

  Family<Counter>& counter(const char* name, const char* help) {
    return prometheus::BuildCounter().Name(kPrefix + name).Help(help).Register(registry);
  }
  Family<Gauge>& gauge(const char* name, const char* help) {
    return prometheus::BuildGauge().Name(kPrefix + name).Help(help).Register(registry);
  }
  Family<Histogram>& histogram(const char* name, const char* help) {
    return prometheus::BuildHistogram().Name(kPrefix + name).Help(help).Register(registry);
  }

  static inline const std::string kPrefix = "stillpoint_";
};

ServerMetrics::ServerMetrics() : f_(std::make_unique<Families>()) {
  init_schedule("");
  for (auto phase : kHookPhases)
    f_->hook_failures.Add({{"phase", std::string(phase)}});
  f_->backups.Add({});
  f_->restores.Add({});
  f_->freeze_window.Add({}, kFreezeBuckets);
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::init_schedule(const std::string& schedule) {
  const prometheus::Labels l = {{kSchedule, schedule}};
  for (auto* family :
       {&f_->backup_attempt, &f_->backup_success, &f_->backup_partial_failure, &f_->backup_failure,
        &f_->backup_validation_failure, &f_->restore_attempt, &f_->restore_success,
        &f_->restore_partial_failure, &f_->restore_failed, &f_->restore_validation_failed,
        &f_->deletion_attempt, &f_->deletion_success, &f_->deletion_failure}) {
    family->Add(l);
  }
  // Velero starts the items gauges at 0 too, but not the last-success timestamp: a 0 there
  // would read as "last success in 1970".
  f_->backup_items.Add(l);
  f_->backup_items_errors.Add(l);
}

void ServerMetrics::backup_deletion(const std::string& schedule, bool succeeded) {
  const prometheus::Labels l = {{kSchedule, schedule}};
  f_->deletion_attempt.Add(l).Increment();
  (succeeded ? f_->deletion_success : f_->deletion_failure).Add(l).Increment();
}

void ServerMetrics::set_schedule_interval(const std::string& schedule, double seconds) {
  f_->schedule_interval.Add({{kSchedule, schedule}}).Set(seconds);
}

void ServerMetrics::remove_schedule_interval(const std::string& schedule) {
  auto& g = f_->schedule_interval.Add({{kSchedule, schedule}});
  f_->schedule_interval.Remove(&g);
}

void ServerMetrics::backup_started(const std::string& schedule) {
  f_->backup_attempt.Add({{kSchedule, schedule}}).Increment();
}

core::Status ServerMetrics::backup_finished(const std::string& schedule,
                                            std::string_view phase,
                                            double duration_seconds,
                                            int64_t items,
                                            int64_t errors,
                                            int64_t completion_unix_seconds) {
  Family<Counter>* outcome = nullptr;
  if (phase == "Completed") {
    outcome = &f_->backup_success;
  } else if (phase == "PartiallyFailed") {
    outcome = &f_->backup_partial_failure;
  } else if (phase == "Failed") {
    outcome = &f_->backup_failure;
  } else {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "backup_finished: phase \"" + std::string(phase) +
                                "\" is not a finished backup's (Completed, PartiallyFailed, "
                                "Failed; FailedValidation goes to backup_validation_failed)");
  }
  if (auto st = check_duration("backup_finished", duration_seconds); !st)
    return st;
  const prometheus::Labels l = {{kSchedule, schedule}};
  outcome->Add(l).Increment();
  f_->backup_duration.Add(l, kBackupBuckets).Observe(duration_seconds);
  f_->backup_items.Add(l).Set(static_cast<double>(items));
  f_->backup_items_errors.Add(l).Set(static_cast<double>(errors));
  if (outcome == &f_->backup_success) {
    f_->backup_last_successful.Add(l).Set(static_cast<double>(completion_unix_seconds));
  }
  return core::ok();
}

void ServerMetrics::backup_validation_failed(const std::string& schedule) {
  f_->backup_validation_failure.Add({{kSchedule, schedule}}).Increment();
}

void ServerMetrics::set_backup_count(int64_t backups) {
  f_->backups.Add({}).Set(static_cast<double>(backups));
}

void ServerMetrics::restore_started(const std::string& schedule) {
  f_->restore_attempt.Add({{kSchedule, schedule}}).Increment();
}

core::Status ServerMetrics::restore_finished(const std::string& schedule, std::string_view phase) {
  Family<Counter>* outcome = nullptr;
  if (phase == "Completed") {
    outcome = &f_->restore_success;
  } else if (phase == "PartiallyFailed") {
    outcome = &f_->restore_partial_failure;
  } else if (phase == "Failed") {
    outcome = &f_->restore_failed;
  } else {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "restore_finished: phase \"" + std::string(phase) +
                                "\" is not a finished restore's (Completed, PartiallyFailed, "
                                "Failed; FailedValidation goes to restore_validation_failed)");
  }
  outcome->Add({{kSchedule, schedule}}).Increment();
  return core::ok();
}

void ServerMetrics::restore_validation_failed(const std::string& schedule) {
  f_->restore_validation_failed.Add({{kSchedule, schedule}}).Increment();
}

void ServerMetrics::set_restore_count(int64_t restores) {
  f_->restores.Add({}).Set(static_cast<double>(restores));
}

core::Status ServerMetrics::hook_observed(std::string_view phase,
                                          std::string_view result,
                                          double seconds) {
  if (!is_hook_phase(phase)) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "hook_observed: phase \"" + std::string(phase) + "\" is not one of " +
                                joined(std::begin(kHookPhases), std::end(kHookPhases)));
  }
  if (!is_hook_result(result)) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "hook_observed: result \"" + std::string(result) + "\" is not one of " +
                                joined(std::begin(kHookResults), std::end(kHookResults)));
  }
  if (auto st = check_duration("hook_observed", seconds); !st)
    return st;
  f_->hook_duration
      .Add({{"phase", std::string(phase)}, {"result", std::string(result)}}, kHookBuckets)
      .Observe(seconds);
  if (result == "failed" || result == "timed_out") {
    f_->hook_failures.Add({{"phase", std::string(phase)}}).Increment();
  }
  return core::ok();
}

core::Status ServerMetrics::freeze_window(double seconds) {
  if (auto st = check_duration("freeze_window", seconds); !st)
    return st;
  f_->freeze_window.Add({}, kFreezeBuckets).Observe(seconds);
  return core::ok();
}

std::string ServerMetrics::serialize() const {
  return prometheus::TextSerializer().Serialize(f_->registry.Collect());
}

}  // namespace stillpoint::metrics
