// OperationObserver on metrics::ServerMetrics: each finished Backup or Restore becomes
// Velero's counters and histograms (under stillpoint_), each hook a hook_duration_seconds
// observation, and each backed-up pod with hooks one freeze_window_seconds observation (its
// first pre hook's start to its last post hook's end).
#pragma once

#include <functional>
#include <string>

#include "metrics/server_metrics.h"
#include "server/operation_observer.h"

namespace stillpoint::server {

class MetricsObserver : public OperationObserver {
 public:
  // `log` hears of a value the metrics refused (a phase or result they do not know: a bug).
  MetricsObserver(metrics::ServerMetrics& metrics, std::function<void(const std::string&)> log)
      : metrics_(metrics), log_(std::move(log)) {}
  void started(OperationKind kind, const std::string& schedule) override;
  void finished(const FinishedOperation& operation) override;
  void backup_deleted(const std::string& schedule, bool succeeded) override {
    metrics_.backup_deletion(schedule, succeeded);
  }
  void schedule_interval(const std::string& schedule, double interval_seconds) override {
    if (interval_seconds > 0) {
      metrics_.init_schedule(schedule);
      metrics_.set_schedule_interval(schedule, interval_seconds);
    } else {
      metrics_.remove_schedule_interval(schedule);
    }
  }

 private:
  void check(core::Status s) const;

  metrics::ServerMetrics& metrics_;
  std::function<void(const std::string&)> log_;
};

}  // namespace stillpoint::server
