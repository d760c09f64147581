// What the server tells its metrics about each Backup and Restore it runs. An interface so
// that the controllers do not depend on the exposition library (server.cc adapts it to
// metrics::ServerMetrics), and tests can count calls.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "hooks/hook_record.h"

namespace stillpoint::server {

enum class OperationKind { Backup, Restore };

struct FinishedOperation {
  OperationKind kind = OperationKind::Backup;
  std::string schedule;  // the velero.io/schedule-name label; empty when not from a schedule
  std::string phase;     // Completed, PartiallyFailed, Failed, FailedValidation
  double seconds = 0;
  size_t items = 0;
  int errors = 0;
  std::chrono::system_clock::time_point completion;
  std::vector<hooks::HookRecord> hooks;  // every hook the run recorded
};

class OperationObserver {
 public:
  virtual ~OperationObserver() = default;
  virtual void started(OperationKind kind, const std::string& schedule) = 0;
  virtual void finished(const FinishedOperation& operation) = 0;
  // A backup deletion (expiry or a DeleteBackupRequest) ended.
  virtual void backup_deleted(const std::string& schedule, bool succeeded) {}
  // A schedule is enabled with `interval_seconds` between its next two runs, or (0) is no
  // longer running (paused, invalid, deleted).
  virtual void schedule_interval(const std::string& schedule, double interval_seconds) {}
};

// Observes nothing (a server started without metrics, and tests).
class NoObserver : public OperationObserver {
 public:
  void started(OperationKind, const std::string&) override {}
  void finished(const FinishedOperation&) override {}
};

}  // namespace stillpoint::server
