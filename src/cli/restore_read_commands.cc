// `stillpoint restore get | describe | logs`: reading the restores recorded in a location.
// The commands are read_commands.h's; this file says what a restore shows.
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog/restore_catalog.h"
#include "cli/describe_text.h"
#include "cli/object_fields.h"
#include "cli/read_commands.h"
#include "cli/restore_commands.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

std::vector<std::string> table_row(const json& r, const storage::ObjectStore&) {
  return {field_text(r, "/metadata/name"),       field_text(r, "/spec/backupName"),
          field_text(r, "/status/phase"),        field_text(r, "/status/startTimestamp"),
          field_text(r, "/status/completionTimestamp"), field_text(r, "/status/errors"),
          field_text(r, "/status/warnings")};
}

// Velero's describe layout for results: "Errors:\n  Namespaces:\n    ns: message".
std::string results_text(const json& messages) {
  if (!messages.is_object() || messages.empty()) return "  <none>\n";
  std::string out;
  auto list = [&](const json& items, const std::string& indent) {
    if (!items.is_array()) return;
    for (const auto& m : items) out += indent + (m.is_string() ? m.get<std::string>() : m.dump()) + "\n";
  };
  if (messages.contains("velero")) {
    out += "  Restore:\n";
    list(messages["velero"], "    ");
  }
  if (messages.contains("cluster")) {
    out += "  Cluster:\n";
    list(messages["cluster"], "    ");
  }
  if (messages.contains("namespaces") && messages["namespaces"].is_object()) {
    out += "  Namespaces:\n";
    for (const auto& [ns, items] : messages["namespaces"].items()) {
      out += "    " + ns + ":\n";
      list(items, "      ");
    }
  }
  return out;
}

core::Result<std::string> describe_text(const json& v,
                                        storage::ObjectStore& store,
                                        const std::string& name,
                                        bool details) {
  std::string out = fmt::format("Name:         {}\n", field_text(v, "/metadata/name"));
  out += fmt::format("Backup:       {}\n", field_text(v, "/spec/backupName"));
  out += phase_lines(v);
  out += fmt::format("Started:      {}\nCompleted:    {}\n", field_text(v, "/status/startTimestamp"),
                     field_text(v, "/status/completionTimestamp"));
  out += fmt::format("Items:        {} restored, {} skipped, {} failed (of {})\n",
                     field_text(v, "/status/progress/itemsRestored"),
                     field_text(v, "/status/progress/itemsSkipped"),
                     field_text(v, "/status/progress/itemsFailed"),
                     field_text(v, "/status/progress/totalItems"));
  out += fmt::format("HooksAttempted: {}\nHooksFailed:    {}\n",
                     field_text(v, "/status/hookStatus/hooksAttempted"),
                     field_text(v, "/status/hookStatus/hooksFailed"));
  out += pod_volumes_line(v, "podVolumeRestores", "restored");
  if (auto mapping = v.value("/spec/namespaceMapping"_json_pointer, json::object());
      mapping.is_object() && !mapping.empty()) {
    out += "Namespace mappings:\n";
    for (const auto& [from, to] : mapping.items()) {
      out += "  " + from + ": " + (to.is_string() ? to.get<std::string>() : to.dump()) + "\n";
    }
  }
  auto results = catalog::read_restore_results(store, name);
  if (results) {
    out += fmt::format("\nWarnings ({}):\n", field_text(v, "/status/warnings"));
    out += results_text(results->value("warnings", json::object()));
    out += fmt::format("\nErrors ({}):\n", field_text(v, "/status/errors"));
    out += results_text(results->value("errors", json::object()));
  } else {
    out += "\nResults: " + results.error().message + "\n";
  }
  if (details) out += hook_results_text(v, /*with_phase=*/false);
  return out;
}

StoredKind restores() {
  return StoredKind{
      .kind = "Restore",
      .get_help = "List restores (or one) with their phase",
      .describe_help = "A restore's phase, item counts, warnings and errors per namespace; "
                       "--details lists every hook",
      .details_help = "One line per hook",
      .logs_help = "A restore's log, JSON lines (hook output included)",
      .read = catalog::read_restore,
      .list = catalog::list_restores,
      .columns = {"NAME", "BACKUP", "STATUS", "STARTED", "COMPLETED", "ERRORS", "WARNINGS"},
      .row = table_row,
      .describe_text = describe_text,
      .read_log = catalog::read_restore_log,
  };
}

}  // namespace

void add_restore_commands(CLI::App& app, Action& action) {
  CLI::App* restore = app.add_subcommand("restore", "Restore backups and inspect restores");
  restore->require_subcommand(1);
  add_restore_create_command(*restore, action);
  add_read_commands(*restore, restores(), action);
}

}  // namespace stillpoint::cli
