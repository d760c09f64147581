// `stillpoint backup get | describe | logs`: reading the backups of a location (read_commands.h);
// this file says what a backup shows, and groups the `backup` commands.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog/backup_catalog.h"
#include "catalog/backup_checksums.h"
#include "catalog/volume_manifest.h"
#include "cli/backup_commands.h"
#include "cli/describe_text.h"
#include "cli/exit_codes.h"
#include "cli/object_fields.h"
#include "cli/read_commands.h"
#include "cli/report_failure.h"
#include "cli/storage_flags.h"
#include "cli/table.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

std::string str(const json& object, const char* pointer) { return field_text(object, pointer); }

std::vector<std::string> table_row(const json& b, const storage::ObjectStore& store) {
  return {str(b, "/metadata/name"),         str(b, "/status/phase"),
          str(b, "/status/errors"),         str(b, "/status/warnings"),
          str(b, "/status/startTimestamp"), str(b, "/status/expiration"),
          store.describe()};
}

// --details' pod volume section, from the backup's verified volume manifest.
core::Result<std::string> volumes_text(storage::ObjectStore& store, const std::string& name) {
  auto verified = catalog::open_verified_backup(store, name);
  if (!verified) return core::unexpected(verified.error());
  auto records = catalog::read_volume_manifest(**verified, name);
  if (!records) return core::unexpected(records.error());
  Table volumes({"POD", "VOLUME", "CONTAINER", "RESULT", "SIZE", "STORED", "SHA256", "ERROR"});
  for (const auto& r : *records) {
    volumes.add_row({r.pod_key(), r.volume, r.container, r.result,
                     r.completed() ? human_bytes(r.size) : "",
                     r.completed() ? human_bytes(r.stored_size) : "", r.sha256.substr(0, 12),
                     r.error});
  }
  return "\nPod volumes:\n" + (records->empty() ? std::string("  <none>\n") : volumes.render());
}

core::Result<std::string> describe_text(const json& b,
                                        storage::ObjectStore& store,
                                        const std::string& name,
                                        bool details) {
  std::string out = fmt::format("Name:         {}\n", str(b, "/metadata/name"));
  out += phase_lines(b);
  out += fmt::format("Errors:       {}\nWarnings:     {}\n", str(b, "/status/errors"),
                     str(b, "/status/warnings"));
  out += fmt::format("Started:      {}\nCompleted:    {}\nExpiration:   {}\n",
                     str(b, "/status/startTimestamp"), str(b, "/status/completionTimestamp"),
                     str(b, "/status/expiration"));
  out += fmt::format("Items:        {} of {} backed up\n", str(b, "/status/progress/itemsBackedUp"),
                     str(b, "/status/progress/totalItems"));
  out += fmt::format("HooksAttempted: {}\nHooksFailed:    {}\nHooksSkipped:   {}\n",
                     str(b, "/status/hookStatus/hooksAttempted"),
                     str(b, "/status/hookStatus/hooksFailed"),
                     str(b, "/status/hookStatus/hooksSkipped"));
  out += pod_volumes_line(b, "podVolumeBackups", "backed up");
  out += fmt::format("Location:     {}\n", store.describe());
  if (details) {
    out += hook_results_text(b, /*with_phase=*/true);
    auto volumes = volumes_text(store, name);
    if (!volumes) return core::unexpected(volumes.error());
    out += *volumes;
  }
  return out;
}

// Checked against the backup's checksums: a damaged log fails once all of it was printed.
core::Status read_log(storage::ObjectStore& store,
                      const std::string& name,
                      const std::function<void(std::string_view)>& sink) {
  auto verified = catalog::open_verified_backup(store, name);
  if (!verified) return core::unexpected(verified.error());
  return catalog::read_backup_log(**verified, name, sink);
}

StoredKind backups() {
  return StoredKind{
      .kind = "Backup",
      .get_help = "List backups (or one) with their phase",
      .describe_help =
          "A backup's phase, item, hook and volume counts; --details lists every hook and volume",
      .details_help = "One line per hook and per pod volume",
      .logs_help = "A backup's log, JSON lines",
      .read = catalog::read_backup,
      .list = catalog::list_backups,
      .columns = {"NAME", "STATUS", "ERRORS", "WARNINGS", "CREATED", "EXPIRES", "LOCATION"},
      .row = table_row,
      .describe_text = describe_text,
      .read_log = read_log,
  };
}

}  // namespace

void add_backup_commands(CLI::App& app, Action& action) {
  CLI::App* backup = app.add_subcommand("backup", "Create and inspect backups");
  backup->require_subcommand(1);
  add_backup_create_command(*backup, action);
  add_read_commands(*backup, backups(), action);
  add_backup_delete_command(*backup, action);
}

}  // namespace stillpoint::cli
