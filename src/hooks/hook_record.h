// The outcome of every hook, as `backup describe --details` and `status.hookResults[]` show it
// (../shared/spec/hooks.md §5), and the counts of `status.hookStatus`.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "hooks/model.h"

namespace stillpoint::hooks {

enum class HookResult {
  Succeeded,
  Failed,
  NotExecuted,  // an earlier Fail-mode hook of the pod's phase stopped it
  Skipped,      // the pod or its container was not running
};
const char* to_string(HookResult v);

struct HookRecord {
  std::string namespace_name;
  std::string pod;
  std::string container;
  std::string phase;  // "pre", "post" (backup) or "post" (restore exec)
  std::string name;
  HookSource source = HookSource::Spec;
  size_t index = 0;
  HookResult result = HookResult::NotExecuted;
  std::optional<int> exit_code;
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point completion;
  std::string error;  // empty unless Failed/NotExecuted/Skipped
  std::string stdout_data;
  std::string stderr_data;

  int64_t duration_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(completion - start).count();
  }
};

// status.hookStatus. Velero's hooksAttempted counts hooks selected for pods that were not
// skipped, including hooks not executed after a Fail; hooksFailed counts failed and
// not-executed ones. stillpoint adds hooksSkipped.
struct HookStatus {
  int hooks_attempted = 0;
  int hooks_failed = 0;
  int hooks_skipped = 0;
};

}  // namespace stillpoint::hooks
