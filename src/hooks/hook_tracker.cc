#include "hooks/hook_tracker.h"

namespace stillpoint::hooks {

void HookTracker::record(HookRecord record) {
  std::lock_guard lock(mu_);
  records_.push_back(std::move(record));
}

std::vector<HookRecord> HookTracker::records() const {
  std::lock_guard lock(mu_);
  return records_;
}

HookStatus HookTracker::status() const {
  std::lock_guard lock(mu_);
  HookStatus status;
  for (const auto& r : records_) {
    switch (r.result) {
      case HookResult::Succeeded:
        ++status.hooks_attempted;
        break;
      case HookResult::Failed:
      case HookResult::NotExecuted:
        ++status.hooks_attempted;
        ++status.hooks_failed;
        break;
      case HookResult::Skipped:
        ++status.hooks_skipped;
        break;
    }
  }
  return status;
}

}  // namespace stillpoint::hooks
