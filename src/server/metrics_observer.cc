#include "server/metrics_observer.h"

#include <chrono>
#include <map>
#include <utility>

namespace stillpoint::server {

namespace {

using Clock = std::chrono::system_clock;

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The metrics' result label of a hook record; empty for a hook that never ran.
const char* result_label(const hooks::HookRecord& r) {
  switch (r.result) {
    case hooks::HookResult::Succeeded:
      return "succeeded";
    case hooks::HookResult::Failed:
      return r.error.rfind("timed out", 0) == 0 ? "timed_out" : "failed";
    case hooks::HookResult::Skipped:
      return "skipped";
    case hooks::HookResult::NotExecuted:
      return "";
  }
  return "";
}

}  // namespace

void MetricsObserver::check(core::Status s) const {
  if (!s && log_) log_("metrics: " + s.error().message);
}

void MetricsObserver::started(OperationKind kind, const std::string& schedule) {
  if (kind == OperationKind::Backup) {
    metrics_.backup_started(schedule);
  } else {
    metrics_.restore_started(schedule);
  }
}

void MetricsObserver::finished(const FinishedOperation& op) {
  const bool backup = op.kind == OperationKind::Backup;
  if (op.phase == "FailedValidation") {
    backup ? metrics_.backup_validation_failed(op.schedule)
           : metrics_.restore_validation_failed(op.schedule);
    return;
  }
  if (backup) {
    check(metrics_.backup_finished(
        op.schedule, op.phase, op.seconds, static_cast<int64_t>(op.items), op.errors,
        std::chrono::duration_cast<std::chrono::seconds>(op.completion.time_since_epoch())
            .count()));
  } else {
    check(metrics_.restore_finished(op.schedule, op.phase));
  }
  // pod → (first pre start, last post end)
  std::map<std::string, std::pair<Clock::time_point, Clock::time_point>> windows;
  for (const hooks::HookRecord& r : op.hooks) {
    const char* result = result_label(r);
    if (*result == '\0') continue;
    const std::string phase = !backup && r.phase == "post" ? "exec" : r.phase;
    check(metrics_.hook_observed(phase, result, seconds_between(r.start, r.completion)));
    if (!backup || r.result == hooks::HookResult::Skipped) continue;
    auto [it, fresh] = windows.try_emplace(r.namespace_name + "/" + r.pod,
                                           Clock::time_point::max(), Clock::time_point::min());
    if (r.phase == "pre" && r.start < it->second.first) it->second.first = r.start;
    if (r.phase == "post" && r.completion > it->second.second) it->second.second = r.completion;
  }
  for (const auto& [pod, window] : windows) {
    if (window.first != Clock::time_point::max() && window.second != Clock::time_point::min()) {
      check(metrics_.freeze_window(seconds_between(window.first, window.second)));
    }
  }
}

}  // namespace stillpoint::server
