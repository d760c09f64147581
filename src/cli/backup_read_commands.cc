// `stillpoint backup get | describe | logs | delete`: reading the backups of a location.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog/backup_catalog.h"
#include "catalog/backup_checksums.h"
#include "catalog/volume_manifest.h"
#include "cli/backup_commands.h"
#include "cli/exit_codes.h"
#include "cli/object_fields.h"
#include "cli/storage_flags.h"
#include "cli/table.h"
#include "core/documents.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

struct ReadOptions {
  std::string name;
  StorageFlags storage;
  std::string output = "table";
  bool details = false;
};

std::string str(const json& object, const char* pointer) { return field_text(object, pointer); }

core::Result<std::unique_ptr<storage::ObjectStore>> open(const ReadOptions& o) {
  return open_storage(o.storage);
}

int fail(const core::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.message.c_str());
  return kExitFailed;
}

int run_get(const ReadOptions& o) {
  auto store = open(o);
  if (!store) return fail(store.error());
  std::vector<json> backups;
  if (!o.name.empty()) {
    auto one = catalog::read_backup(**store, o.name);
    if (!one) return fail(one.error());
    backups.push_back(std::move(*one));
  } else {
    auto all = catalog::list_backups(**store);
    if (!all) return fail(all.error());
    backups = std::move(*all);
  }
  if (o.output == "json") {
    json list = {{"apiVersion", "velero.io/v1"}, {"kind", "BackupList"}, {"items", backups}};
    std::printf("%s\n", list.dump(2).c_str());
    return kExitOk;
  }
  Table table({"NAME", "STATUS", "ERRORS", "WARNINGS", "CREATED", "EXPIRES", "LOCATION"});
  for (const json& b : backups) {
    table.add_row({str(b, "/metadata/name"), str(b, "/status/phase"), str(b, "/status/errors"),
                   str(b, "/status/warnings"), str(b, "/status/startTimestamp"),
                   str(b, "/status/expiration"), (*store)->describe()});
  }
  const std::string text = table.render();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

int run_describe(const ReadOptions& o) {
  auto store = open(o);
  if (!store) return fail(store.error());
  auto b = catalog::read_backup(**store, o.name);
  if (!b) return fail(b.error());
  if (o.output == "json") {
    std::printf("%s\n", b->dump(2).c_str());
    return kExitOk;
  }
  if (o.output == "yaml") {
    const std::string text = core::to_yaml(*b);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  std::string out;
  out += fmt::format("Name:         {}\n", str(*b, "/metadata/name"));
  out += fmt::format("Phase:        {}\n", str(*b, "/status/phase"));
  if (const auto reason = str(*b, "/status/failureReason"); !reason.empty()) {
    out += fmt::format("Failure:      {}\n", reason);
  }
  out += fmt::format("Errors:       {}\nWarnings:     {}\n", str(*b, "/status/errors"),
                     str(*b, "/status/warnings"));
  out += fmt::format("Started:      {}\nCompleted:    {}\nExpiration:   {}\n",
                     str(*b, "/status/startTimestamp"), str(*b, "/status/completionTimestamp"),
                     str(*b, "/status/expiration"));
  out += fmt::format("Items:        {} of {} backed up\n", str(*b, "/status/progress/itemsBackedUp"),
                     str(*b, "/status/progress/totalItems"));
  out += fmt::format("HooksAttempted: {}\nHooksFailed:    {}\nHooksSkipped:   {}\n",
                     str(*b, "/status/hookStatus/hooksAttempted"),
                     str(*b, "/status/hookStatus/hooksFailed"),
                     str(*b, "/status/hookStatus/hooksSkipped"));
  if (b->contains("/status/podVolumeBackups"_json_pointer)) {
    out += fmt::format("Pod volumes:  {} of {} backed up\n",
                       str(*b, "/status/podVolumeBackups/completed"),
                       str(*b, "/status/podVolumeBackups/attempted"));
  }
  out += fmt::format("Location:     {}\n", (*store)->describe());
  if (o.details) {
    Table hooks({"POD", "CONTAINER", "PHASE", "NAME", "SOURCE", "RESULT", "EXIT", "DURATION",
                 "ERROR"});
    const json results = b->value("/status/hookResults"_json_pointer, json::array());
    for (const json& r : results) {
      hooks.add_row({r.value("namespace", "") + "/" + r.value("pod", ""),
                     r.value("container", ""), r.value("phase", ""), r.value("name", ""),
                     r.value("source", ""), r.value("result", ""),
                     r.contains("exitCode") ? r["exitCode"].dump() : "",
                     r.contains("durationMs") ? r["durationMs"].dump() + "ms" : "",
                     r.value("error", "")});
    }
    out += "\nHooks:\n" + (results.empty() ? std::string("  <none>\n") : hooks.render());
    auto verified = catalog::open_verified_backup(**store, o.name);
    if (!verified) return fail(verified.error());
    auto records = catalog::read_volume_manifest(**verified, o.name);
    if (!records) return fail(records.error());
    Table volumes({"POD", "VOLUME", "CONTAINER", "RESULT", "SIZE", "STORED", "SHA256", "ERROR"});
    for (const auto& r : *records) {
      volumes.add_row({r.pod_key(), r.volume, r.container, r.result,
                       r.completed() ? human_bytes(r.size) : "",
                       r.completed() ? human_bytes(r.stored_size) : "",
                       r.sha256.substr(0, 12), r.error});
    }
    out += "\nPod volumes:\n" + (records->empty() ? std::string("  <none>\n") : volumes.render());
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int run_logs(const ReadOptions& o) {
  auto store = open(o);
  if (!store) return fail(store.error());
  // Checked against the backup's checksums: a damaged log fails once all of it was printed.
  auto verified = catalog::open_verified_backup(**store, o.name);
  if (!verified) return fail(verified.error());
  auto s = catalog::read_backup_log(**verified, o.name, [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
  });
  if (!s) return fail(s.error());
  return kExitOk;
}

int run_delete(const ReadOptions& o) {
  auto store = open(o);
  if (!store) return fail(store.error());
  if (auto s = catalog::delete_backup(**store, o.name); !s) return fail(s.error());
  std::printf("Backup \"%s\" deleted from %s\n", o.name.c_str(), (*store)->describe().c_str());
  return kExitOk;
}

CLI::App* read_command(CLI::App& backup, const char* name, const char* help,
                       const std::shared_ptr<ReadOptions>& o, bool name_required) {
  CLI::App* cmd = backup.add_subcommand(name, help);
  auto* arg = cmd->add_option("NAME", o->name, "Backup name");
  if (name_required) arg->required();
  add_storage_flags(*cmd, o->storage);
  return cmd;
}

}  // namespace

void add_backup_read_commands(CLI::App& backup, Action& action) {
  auto get = std::make_shared<ReadOptions>();
  CLI::App* g = read_command(backup, "get", "List backups (or one) with their phase", get, false);
  g->add_option("-o,--output", get->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  g->callback([get, &action] { action = [get] { return run_get(*get); }; });

  auto describe = std::make_shared<ReadOptions>();
  describe->output = "text";
  CLI::App* d = read_command(backup, "describe",
                             "A backup's phase, item, hook and volume counts; --details lists every hook and volume",
                             describe, true);
  d->add_flag("--details", describe->details, "One line per hook and per pod volume");
  d->add_option("-o,--output", describe->output, "text, json or yaml (the velero.io/v1 Backup)")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  d->callback([describe, &action] { action = [describe] { return run_describe(*describe); }; });

  auto logs = std::make_shared<ReadOptions>();
  CLI::App* l = read_command(backup, "logs", "A backup's log, JSON lines", logs, true);
  l->callback([logs, &action] { action = [logs] { return run_logs(*logs); }; });

  auto del = std::make_shared<ReadOptions>();
  CLI::App* x = read_command(backup, "delete", "Delete a backup from the location", del, true);
  x->callback([del, &action] { action = [del] { return run_delete(*del); }; });
}

void add_backup_commands(CLI::App& app, Action& action) {
  CLI::App* backup = app.add_subcommand("backup", "Create and inspect backups");
  backup->require_subcommand(1);
  add_backup_create_command(*backup, action);
  add_backup_read_commands(*backup, action);
}

}  // namespace stillpoint::cli
