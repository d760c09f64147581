// The server's Prometheus metrics: Velero's backup and restore metrics under the `stillpoint_`
// prefix, plus what Velero lacks (hook durations and failures, the freeze window per pod), kept
// in a prometheus-cpp registry and rendered in the text exposition format 0.0.4. docs/metrics.md
// lists every metric.
//
// It deliberately does no I/O: /metrics (http_endpoints.h) asks serialize() for the body. It
// does not decide what a backup's phase is either; the caller says which phase it ended in.
//
// Thread-safe: every method may be called from any thread (prometheus-cpp's counters are atomic,
// its histograms and families lock).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::metrics {

// The phases and results a hook observation may carry. A fixed set keeps the label cardinality
// bounded: hook_duration_seconds has one series per (phase, result) pair and no more.
// Backup hooks run "pre" and "post" an ItemBlock; restore hooks are "init" containers and "exec"
// commands.
inline constexpr std::string_view kHookPhases[] = {"pre", "post", "init", "exec"};
inline constexpr std::string_view kHookResults[] = {"succeeded", "failed", "timed_out", "skipped"};

class ServerMetrics {
 public:
  // Registers every metric, with the series of schedule "" (a backup or restore no Schedule
  // created) and hook_failures_total of every phase at 0, so that rate() and increase() see the
  // first event.
  ServerMetrics();
  ~ServerMetrics();
  ServerMetrics(const ServerMetrics&) = delete;
  ServerMetrics& operator=(const ServerMetrics&) = delete;

  // Creates the counters and gauges of `schedule` at 0 (Velero's InitSchedule): a new Schedule's
  // series exist before its first backup. Not needed for correctness; every method below creates
  // the series it touches.
  void init_schedule(const std::string& schedule);

  // A backup passed validation and starts running: backup_attempt_total. A backup that fails
  // validation is not an attempt (as in Velero): see backup_validation_failed.
  void backup_started(const std::string& schedule);

  // A backup ended in `phase` ("Completed", "PartiallyFailed" or "Failed"): the matching
  // outcome counter, backup_duration_seconds, the items and errors gauges of its schedule, and,
  // when Completed, backup_last_successful_timestamp = `completion_unix_seconds`.
  // Errors: InvalidArgument naming the phase (other phases, FailedValidation included) or a
  // negative or NaN duration; nothing is recorded then.
  core::Status backup_finished(const std::string& schedule,
                               std::string_view phase,
                               double duration_seconds,
                               int64_t items,
                               int64_t errors,
                               int64_t completion_unix_seconds);

  // A backup's spec failed validation (phase FailedValidation).
  void backup_validation_failed(const std::string& schedule);

  // One backup deletion (expiry or a DeleteBackupRequest) ended: backup_deletion_attempt_total
  // and backup_deletion_success_total or backup_deletion_failure_total (Velero's names).
  void backup_deletion(const std::string& schedule, bool succeeded);

  // schedule_expected_interval_seconds{schedule}: the gap between the schedule's next two
  // runs (an alert compares it with time() - backup_last_successful_timestamp). Removed when
  // the schedule is deleted, paused or invalid.
  void set_schedule_interval(const std::string& schedule, double seconds);
  void remove_schedule_interval(const std::string& schedule);

  // How many Backup objects exist now (Velero's backup_total, a gauge).
  void set_backup_count(int64_t backups);

  // The restore equivalents. A restore's schedule is the schedule of the backup it restores,
  // as Velero labels it. Phases: "Completed", "PartiallyFailed", "Failed".
  void restore_started(const std::string& schedule);
  core::Status restore_finished(const std::string& schedule, std::string_view phase);
  void restore_validation_failed(const std::string& schedule);
  void set_restore_count(int64_t restores);

  // One hook ran (or was skipped) in `phase` with `result` and took `seconds`. From a
  // hooks::HookRecord: Succeeded -> "succeeded", Failed -> "failed" or, when its timeout
  // stopped it, "timed_out", Skipped -> "skipped"; a NotExecuted hook did not run and is not
  // observed. Its record's "post" phase in a restore is "exec" here.
  // hook_duration_seconds{phase,result}, and hook_failures_total{phase} when the result is
  // "failed" or "timed_out".
  // Errors: InvalidArgument naming a phase or result outside kHookPhases / kHookResults, or a
  // negative or NaN duration; nothing is recorded then.
  core::Status hook_observed(std::string_view phase, std::string_view result, double seconds);

  // One pod's freeze window ended: from its first pre hook's start to its last post hook's end.
  // Errors: InvalidArgument for a negative or NaN duration.
  core::Status freeze_window(double seconds);

  // Every metric in the text exposition format 0.0.4 (the body of GET /metrics).
  std::string serialize() const;

 private:
  struct Families;
  std::unique_ptr<Families> f_;
};

}  // namespace stillpoint::metrics
