// One Backup or Restore object, run to its end by the same runner the CLI uses: decode the
// spec (FailedValidation with the reason when it does not decode), claim the object (phase
// InProgress, with the resourceVersion it was read at as a precondition, so exactly one
// replica starts it), find its location (the BackupStorageLocation marked Unavailable when it
// cannot be opened; a Backup to a read-only one ends FailedValidation), run, write progress every ctx.progress_interval, then the final status.
// backup_processor.cc and restore_processor.cc supply what differs as an ObjectRun.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

// The runner a kind runs, behind what run_object needs of it.
class ObjectRunner {
 public:
  virtual ~ObjectRunner() = default;
  struct Outcome {
    nlohmann::json status;                 // as velero-backup.json / velero-restore.json hold it
    std::vector<hooks::HookRecord> hooks;  // every hook the run recorded
    size_t items = 0;                      // backed up / restored
  };
  // The error is what kept the run from publishing anything.
  virtual boost::asio::awaitable<core::Result<Outcome>> run() = 0;
  virtual void interrupt() = 0;
  virtual nlohmann::json progress() const = 0;  // status.progress
};

struct ObjectRun {
  OperationKind kind;
  kube::GroupVersionResource gvr;
  // Decodes the object; the error is its validation error. On success, make() builds the
  // runner on the resolved store.
  std::function<core::Status(const nlohmann::json& object, const std::string& origin)> decode;
  std::function<std::unique_ptr<ObjectRunner>(storage::ObjectStore& store)> make;
};

boost::asio::awaitable<void> run_object(ServerContext& ctx, ObjectRun run, nlohmann::json object);

}  // namespace stillpoint::server
