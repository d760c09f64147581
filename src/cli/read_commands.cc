#include "cli/read_commands.h"

#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/exit_codes.h"
#include "cli/report_failure.h"
#include "cli/table.h"
#include "core/documents.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

void print_text(std::string_view text) {
  std::fwrite(text.data(), 1, text.size(), stdout);
}

int run_get(const StoredKind& kind, const ReadOptions& o) {
  auto store = open_storage(o.storage);
  if (!store) {
    return report_failure(store.error());
  }
  std::vector<json> objects;
  if (!o.name.empty()) {
    auto one = kind.read(**store, o.name);
    if (!one) {
      return report_failure(one.error());
    }
    objects.push_back(std::move(*one));
  } else {
    auto all = kind.list(**store);
    if (!all) {
      return report_failure(all.error());
    }
    objects = std::move(*all);
  }
  if (o.output == "json") {
    json list = {{"apiVersion", "velero.io/v1"}, {"kind", kind.kind + "List"}, {"items", objects}};
    std::printf("%s\n", list.dump(2).c_str());
    return kExitOk;
  }
  Table table(kind.columns);
  for (const json& object : objects) {
    table.add_row(kind.row(object, **store));
  }
  print_text(table.render());
  return kExitOk;
}

int run_describe(const StoredKind& kind, const ReadOptions& o) {
  auto store = open_storage(o.storage);
  if (!store) {
    return report_failure(store.error());
  }
  auto object = kind.read(**store, o.name);
  if (!object) {
    return report_failure(object.error());
  }
  if (o.output == "json") {
    std::printf("%s\n", object->dump(2).c_str());
    return kExitOk;
  }
  if (o.output == "yaml") {
    print_text(core::to_yaml(*object));
    return kExitOk;
  }
  auto text = kind.describe_text(*object, **store, o.name, o.details);
  if (!text) {
    return report_failure(text.error());
  }
  print_text(*text);
  return kExitOk;
}

int run_logs(const StoredKind& kind, const ReadOptions& o) {
  auto store = open_storage(o.storage);
  if (!store) {
    return report_failure(store.error());
  }
  auto s = kind.read_log(**store, o.name, print_text);
  if (!s) {
    return report_failure(s.error());
  }
  return kExitOk;
}

}  // namespace

CLI::App* read_command(CLI::App& parent,
                       const char* name,
                       const std::string& help,
                       const std::string& kind,
                       ReadOptions& options,
                       bool name_required) {
  CLI::App* cmd = parent.add_subcommand(name, help);
  auto* arg = cmd->add_option("NAME", options.name, kind + " name");
  if (name_required) {
    arg->required();
  }
  add_storage_flags(*cmd, options.storage);
  return cmd;
}

void add_read_commands(CLI::App& parent, const StoredKind& stored_kind, Action& action) {
  // The actions run after parsing, when the caller's StoredKind may be gone.
  auto kind = std::make_shared<const StoredKind>(stored_kind);

  auto get = std::make_shared<ReadOptions>();
  get->output = "table";
  CLI::App* g = read_command(parent, "get", kind->get_help, kind->kind, *get, false);
  g->add_option("-o,--output", get->output, "table or json")
      ->check(CLI::IsMember({"table", "json"}));
  g->callback([kind, get, &action] { action = [kind, get] { return run_get(*kind, *get); }; });

  auto describe = std::make_shared<ReadOptions>();
  describe->output = "text";
  CLI::App* d = read_command(parent, "describe", kind->describe_help, kind->kind, *describe, true);
  d->add_flag("--details", describe->details, kind->details_help);
  d->add_option("-o,--output", describe->output,
                "text, json or yaml (the velero.io/v1 " + kind->kind + ")")
      ->check(CLI::IsMember({"text", "json", "yaml"}));
  d->callback([kind, describe, &action] {
    action = [kind, describe] { return run_describe(*kind, *describe); };
  });

  auto logs = std::make_shared<ReadOptions>();
  CLI::App* l = read_command(parent, "logs", kind->logs_help, kind->kind, *logs, true);
  l->callback([kind, logs, &action] { action = [kind, logs] { return run_logs(*kind, *logs); }; });
}

}  // namespace stillpoint::cli
