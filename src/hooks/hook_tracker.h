// Collects HookRecords from every worker of a backup or restore. Thread-safe: ItemBlocks run
// in parallel. Records keep the order they were added in.
#pragma once

#include <mutex>
#include <vector>

#include "hooks/hook_record.h"

namespace stillpoint::hooks {

class HookTracker {
 public:
  void record(HookRecord record);
  std::vector<HookRecord> records() const;
  HookStatus status() const;

 private:
  mutable std::mutex mu_;
  std::vector<HookRecord> records_;
};

}  // namespace stillpoint::hooks
