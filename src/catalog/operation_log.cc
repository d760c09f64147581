#include "catalog/operation_log.h"

#include <chrono>

#include "catalog/status_schema.h"
#include "core/go_duration.h"
#include "core/text.h"

namespace stillpoint::catalog {

OperationLog::OperationLog(std::string backup_name, std::unique_ptr<GzipObjectWriter> out,
                     std::string subject)
    : backup_("velero/" + std::move(backup_name)),
      subject_(std::move(subject)),
      out_(std::move(out)) {}

void OperationLog::line(std::string_view level, std::string_view msg, nlohmann::json fields) {
  fields["level"] = level;
  fields["msg"] = msg;
  fields["time"] = rfc3339(std::chrono::system_clock::now());
  fields[subject_] = backup_;
  // Invalid UTF-8 in hook output must not make the log unwritable.
  std::string text = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::lock_guard lock(mu_);
  if (level == "error") ++errors_;
  if (level == "warning") ++warnings_;
  if (status_) status_ = out_->write(text);
}

void OperationLog::info(std::string_view msg, nlohmann::json fields) {
  line("info", msg, std::move(fields));
}
void OperationLog::warning(std::string_view msg, nlohmann::json fields) {
  line("warning", msg, std::move(fields));
}
void OperationLog::error(std::string_view msg, nlohmann::json fields) {
  line("error", msg, std::move(fields));
}

void OperationLog::hook(const hooks::HookRecord& r, const hooks::PlannedExecHook* planned) {
  nlohmann::json f = {
      {"namespace", r.namespace_name},
      {"pod", r.pod},
      {"hookName", r.name},
      {"hookSource", r.source == hooks::HookSource::Annotation ? "annotation" : "spec"},
      {"hookType", "exec"},
      {"hookPhase", r.phase},
      {"hookContainer", r.container},
      {"hookResult", hooks::to_string(r.result)},
      {"durationMs", r.duration_ms()},
  };
  if (planned) {
    f["hookCommand"] = planned->command;
    f["hookOnError"] = hooks::to_string(planned->on_error);
    f["hookTimeout"] = core::format_go_duration(planned->timeout);
  }
  if (r.exit_code) f["exitCode"] = *r.exit_code;
  if (!r.stdout_data.empty()) f["stdout"] = r.stdout_data;
  if (!r.stderr_data.empty()) f["stderr"] = r.stderr_data;
  if (!r.error.empty()) f["error"] = r.error;
  // A failed hook is a warning in the log: the backup goes on (PartiallyFailed); only errors
  // that lose items are "error".
  const bool failed =
      r.result == hooks::HookResult::Failed || r.result == hooks::HookResult::NotExecuted;
  line(failed ? "warning" : "info", failed ? "hook failed" : "hook finished", std::move(f));
}

int OperationLog::errors() const {
  std::lock_guard lock(mu_);
  return errors_;
}
int OperationLog::warnings() const {
  std::lock_guard lock(mu_);
  return warnings_;
}

core::Status OperationLog::finish() {
  std::lock_guard lock(mu_);
  if (!status_) return status_;
  return out_->finish();
}

}  // namespace stillpoint::catalog
