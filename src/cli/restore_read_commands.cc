// `stillpoint restore get | describe | logs`: reading the restores recorded in a location.
#include <cstdio>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog/restore_catalog.h"
#include "cli/exit_codes.h"
#include "cli/object_fields.h"
#include "cli/restore_commands.h"
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

int fail(const core::Error& e) {
  std::fprintf(stderr, "error: %s\n", e.message.c_str());
  return kExitFailed;
}

int run_get(const ReadOptions& o) {
  auto store = open_storage(o.storage);
  if (!store) return fail(store.error());
  std::vector<json> restores;
  if (!o.name.empty()) {
    auto one = catalog::read_restore(**store, o.name);
    if (!one) return fail(one.error());
    restores.push_back(std::move(*one));
  } else {
    auto all = catalog::list_restores(**store);
    if (!all) return fail(all.error());
    restores = std::move(*all);
  }
  if (o.output == "json") {
    json list = {{"apiVersion", "velero.io/v1"}, {"kind", "RestoreList"}, {"items", restores}};
    std::printf("%s\n", list.dump(2).c_str());
    return kExitOk;
  }
  Table table({"NAME", "BACKUP", "STATUS", "STARTED", "COMPLETED", "ERRORS", "WARNINGS"});
  for (const json& r : restores) {
    table.add_row({field_text(r, "/metadata/name"), field_text(r, "/spec/backupName"),
                   field_text(r, "/status/phase"), field_text(r, "/status/startTimestamp"),
                   field_text(r, "/status/completionTimestamp"), field_text(r, "/status/errors"),
                   field_text(r, "/status/warnings")});
  }
  const std::string text = table.render();
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
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

int run_describe(const ReadOptions& o) {
  auto store = open_storage(o.storage);
  if (!store) return fail(store.error());
  auto r = catalog::read_restore(**store, o.name);
  if (!r) return fail(r.error());
  if (o.output == "json") {
    std::printf("%s\n", r->dump(2).c_str());
    return kExitOk;
  }
  if (o.output == "yaml") {
    const std::string text = core::to_yaml(*r);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  const json& v = *r;
  std::string out;
  out += fmt::format("Name:         {}\n", field_text(v, "/metadata/name"));
  out += fmt::format("Backup:       {}\n", field_text(v, "/spec/backupName"));
  out += fmt::format("Phase:        {}\n", field_text(v, "/status/phase"));
  if (const auto reason = field_text(v, "/status/failureReason"); !reason.empty()) {
    out += fmt::format("Failure:      {}\n", reason);
  }
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
  if (v.contains("/status/podVolumeRestores"_json_pointer)) {
    out += fmt::format("Pod volumes:  {} of {} restored\n",
                       field_text(v, "/status/podVolumeRestores/completed"),
                       field_text(v, "/status/podVolumeRestores/attempted"));
  }
  if (auto mapping = v.value("/spec/namespaceMapping"_json_pointer, json::object());
      mapping.is_object() && !mapping.empty()) {
    out += "Namespace mappings:\n";
    for (const auto& [from, to] : mapping.items()) {
      out += "  " + from + ": " + (to.is_string() ? to.get<std::string>() : to.dump()) + "\n";
    }
  }
  auto results = catalog::read_restore_results(**store, o.name);
  if (results) {
    out += fmt::format("\nWarnings ({}):\n", field_text(v, "/status/warnings"));
    out += results_text(results->value("warnings", json::object()));
    out += fmt::format("\nErrors ({}):\n", field_text(v, "/status/errors"));
    out += results_text(results->value("errors", json::object()));
  } else {
    out += "\nResults: " + results.error().message + "\n";
  }
  if (o.details) {
    Table hooks({"POD", "CONTAINER", "NAME", "SOURCE", "RESULT", "EXIT", "DURATION", "ERROR"});
    const json list = v.value("/status/hookResults"_json_pointer, json::array());
    for (const json& h : list) {
      hooks.add_row({h.value("namespace", "") + "/" + h.value("pod", ""),
                     h.value("container", ""), h.value("name", ""), h.value("source", ""),
                     h.value("result", ""), h.contains("exitCode") ? h["exitCode"].dump() : "",
                     h.contains("durationMs") ? h["durationMs"].dump() + "ms" : "",
                     h.value("error", "")});
    }
    out += "\nHooks:\n" + (list.empty() ? std::string("  <none>\n") : hooks.render());
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

int run_logs(const ReadOptions& o) {
  auto store = open_storage(o.storage);
  if (!store) return fail(store.error());
  auto s = catalog::read_restore_log(**store, o.name, [](std::string_view piece) {
    std::fwrite(piece.data(), 1, piece.size(), stdout);
  });
  if (!s) return fail(s.error());
  return kExitOk;
}

CLI::App* read_command(CLI::App& restore, const char* name, const char* help,
                       const std::shared_ptr<ReadOptions>& o, bool name_required) {
  CLI::App* cmd = restore.add_subcommand(name, help);
  auto* arg = cmd->add_option("NAME", o->name, "Restore name");
  if (name_required) arg->required();
  add_storage_flags(*cmd, o->storage);
  return cmd;
}

}  // namespace

void add_restore_read_commands(CLI::App& restore, Action& action) {
  auto get = std::make_shared<ReadOptions>();
  CLI::App* g = read_command(restore, "get", "List restores (or one) with their phase", get, false);
  g->add_option("-o,--output", get->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  g->callback([get, &action] { action = [get] { return run_get(*get); }; });

  auto describe = std::make_shared<ReadOptions>();
  describe->output = "text";
  CLI::App* d = read_command(
      restore, "describe",
      "A restore's phase, item counts, warnings and errors per namespace; --details lists "
      "every hook",
      describe, true);
  d->add_flag("--details", describe->details, "One line per hook");
  d->add_option("-o,--output", describe->output, "text, json or yaml (the velero.io/v1 Restore)")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  d->callback([describe, &action] { action = [describe] { return run_describe(*describe); }; });

  auto logs = std::make_shared<ReadOptions>();
  CLI::App* l =
      read_command(restore, "logs", "A restore's log, JSON lines (hook output included)", logs, true);
  l->callback([logs, &action] { action = [logs] { return run_logs(*logs); }; });
}

void add_restore_commands(CLI::App& app, Action& action) {
  CLI::App* restore = app.add_subcommand("restore", "Restore backups and inspect restores");
  restore->require_subcommand(1);
  add_restore_create_command(*restore, action);
  add_restore_read_commands(*restore, action);
}

}  // namespace stillpoint::cli
