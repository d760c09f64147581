#include "hooks/hook_record.h"

namespace stillpoint::hooks {

const char* to_string(HookResult v) {
  switch (v) {
    case HookResult::Succeeded:
      return "Succeeded";
    case HookResult::Failed:
      return "Failed";
    case HookResult::NotExecuted:
      return "NotExecuted";
    case HookResult::Skipped:
      return "Skipped";
  }
  return "Unknown";
}

}  // namespace stillpoint::hooks
