// The backup log (`<name>-logs.gz`): JSON lines, one event per line, with Velero's field names
// where they exist (level, msg, time, backup; hookName, hookSource, hookType, hookPhase,
// hookContainer, hookCommand, hookOnError, hookTimeout) plus namespace, pod, durationMs,
// exitCode (../shared/spec/hooks.md §5). Compressed as written; thread-safe.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "catalog/gzip_object_writer.h"
#include "hooks/hook_record.h"
#include "hooks/plan.h"

namespace stillpoint::catalog {

class OperationLog {
 public:
  // `subject` is the field naming the run on every line: "backup", or "restore" for a
  // restore's log (Velero's field names in both).
  OperationLog(std::string backup_name, std::unique_ptr<GzipObjectWriter> out,
            std::string subject = "backup");

  void info(std::string_view msg, nlohmann::json fields = nlohmann::json::object());
  void warning(std::string_view msg, nlohmann::json fields = nlohmann::json::object());
  void error(std::string_view msg, nlohmann::json fields = nlohmann::json::object());
  // One line per finished hook, with its output (bounded by the exec output limit).
  void hook(const hooks::HookRecord& record, const hooks::PlannedExecHook* planned);

  int errors() const;
  int warnings() const;
  // Ends and stores the log; the first write error, if any, is returned here.
  core::Status finish();

 private:
  void line(std::string_view level, std::string_view msg, nlohmann::json fields);

  std::string backup_;
  std::string subject_;
  mutable std::mutex mu_;
  std::unique_ptr<GzipObjectWriter> out_;
  core::Status status_ = core::ok();
  int errors_ = 0;
  int warnings_ = 0;
};

}  // namespace stillpoint::catalog
