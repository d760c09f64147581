// `get`, `describe` and `logs` for one kind of operation recorded in a backup location
// (backups and restores; Schedules are API objects with commands of their own,
// schedule_commands.h): the flags, opening the location, -o json and yaml, the table and the
// errors are the same for every kind; a StoredKind says what differs (how objects are read,
// the table's columns, describe's text, where the log is). Commands that only some kinds have
// use read_command() for the same NAME and storage flags.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/storage_flags.h"
#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::cli {

struct ReadOptions {
  std::string name;  // NAME; empty for `get` of every object
  StorageFlags storage;
  std::string output;
  bool details = false;  // describe --details
};

struct StoredKind {
  // "Backup": names the list (BackupList), NAME's help ("Backup name") and describe's -o help.
  std::string kind;
  const char* get_help;
  const char* describe_help;
  const char* details_help;
  const char* logs_help;
  // NotFound names the object and the location.
  std::function<core::Result<nlohmann::json>(storage::ObjectStore&, const std::string& name)> read;
  std::function<core::Result<std::vector<nlohmann::json>>(storage::ObjectStore&)> list;
  std::vector<std::string> columns;  // of `get`'s table
  std::function<std::vector<std::string>(const nlohmann::json&, const storage::ObjectStore&)> row;
  // describe's text output for `object`; an error is printed instead of any of the text.
  std::function<core::Result<std::string>(
      const nlohmann::json& object, storage::ObjectStore&, const std::string& name, bool details)>
      describe_text;
  // Streams the log (JSON lines) to the sink; an error may come after part of it.
  std::function<core::Status(storage::ObjectStore&,
                             const std::string& name,
                             const std::function<void(std::string_view)>& sink)>
      read_log;
};

// Adds `get`, `describe` and `logs` of `kind` under `parent`.
void add_read_commands(CLI::App& parent, const StoredKind& kind, Action& action);

// A subcommand taking NAME (help "<kind> name") and the storage flags into `options`.
CLI::App* read_command(CLI::App& parent,
                       const char* name,
                       const std::string& help,
                       const std::string& kind,
                       ReadOptions& options,
                       bool name_required);

}  // namespace stillpoint::cli
