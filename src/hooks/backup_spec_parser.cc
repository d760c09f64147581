// Decodes a Backup's spec: the item filters and spec.hooks.resources (Velero's BackupSpec and
// BackupResourceHookSpec, pkg/apis/velero/v1/backup_types.go).
#include "core/json_fields.h"
#include "hooks/spec_file.h"
#include "hooks/spec_reader.h"

namespace stillpoint::hooks {
namespace {

core::Result<std::optional<ExecHook>> parse_exec_hook(const nlohmann::json& item,
                                                      const std::string& path,
                                                      SpecReader& reader) {
  if (!item.is_object()) {
    return reader.fail(path + ": expected an object, got " + core::describe_json(item));
  }
  reader.warn_unknown_fields(item, {"exec"}, path);
  const auto exec = item.find("exec");
  if (exec == item.end() || exec->is_null()) {
    reader.warn(path + ": has no exec: the hook is skipped (Velero requires exec)");
    return std::optional<ExecHook>{};
  }
  const std::string at = path + ".exec";
  if (!exec->is_object()) {
    return reader.fail(at + ": expected an object, got " + core::describe_json(*exec));
  }
  reader.warn_unknown_fields(*exec, {"container", "command", "onError", "timeout"}, at);
  ExecHook hook;
  auto container = core::optional_string(*exec, "container", at);
  if (!container) {
    return reader.fail(container.error());
  }
  hook.container = container->value_or("");
  const auto command = exec->find("command");
  if (command == exec->end() || command->is_null()) {
    return reader.fail(at + ".command: required");
  }
  auto argv = core::string_list(*command, at + ".command");
  if (!argv) {
    return reader.fail(argv.error());
  }
  if (argv->empty()) {
    return reader.fail(at + ".command: must hold at least one element");
  }
  hook.command = std::move(*argv);
  auto on_error = reader.on_error(*exec, at);
  if (!on_error) {
    return core::unexpected(on_error.error());
  }
  hook.on_error = *on_error;
  auto timeout = reader.hook_duration(*exec, "timeout", at, "the default 30s");
  if (!timeout) {
    return core::unexpected(timeout.error());
  }
  hook.timeout = *timeout;
  return std::optional<ExecHook>{std::move(hook)};
}

core::Result<BackupResourceHookSpec> parse_entry(const nlohmann::json& entry,
                                                 const std::string& path,
                                                 SpecReader& reader) {
  if (!entry.is_object()) {
    return reader.fail(path + ": expected an object, got " + core::describe_json(entry));
  }
  BackupResourceHookSpec spec;
  auto name = core::optional_string(entry, "name", path);
  if (!name) {
    return reader.fail(name.error());
  }
  if (!name->has_value() || (*name)->empty()) {
    return reader.fail(path + ".name: required (hooks are named in logs and results)");
  }
  spec.name = **name;
  const std::string at = entry_label(path, spec.name);
  reader.warn_unknown_fields(entry,
                             {"name", "includedNamespaces", "excludedNamespaces",
                              "includedResources", "excludedResources", "labelSelector", "pre",
                              "post"},
                             at);
  auto namespaces = reader.namespaces(entry, at);
  if (!namespaces) {
    return core::unexpected(namespaces.error());
  }
  spec.selector.namespaces = std::move(*namespaces);
  auto resources = reader.resources(entry, at);
  if (!resources) {
    return core::unexpected(resources.error());
  }
  spec.selector.resources = std::move(*resources);
  auto selector = reader.label_selector(entry, at);
  if (!selector) {
    return core::unexpected(selector.error());
  }
  spec.selector.label_selector = std::move(*selector);
  for (auto [field, target] : {std::pair{"pre", &spec.pre}, std::pair{"post", &spec.post}}) {
    const auto list = entry.find(field);
    if (list == entry.end() || list->is_null()) {
      continue;
    }
    const std::string list_path = core::field_path(at, field);
    if (!list->is_array()) {
      return reader.fail(list_path + ": expected a list, got " + core::describe_json(*list));
    }
    for (size_t i = 0; i < list->size(); ++i) {
      auto hook = parse_exec_hook((*list)[i], core::index_path(list_path, i), reader);
      if (!hook) {
        return core::unexpected(hook.error());
      }
      target->push_back(std::move(*hook));
    }
  }
  if (spec.pre.empty() && spec.post.empty()) {
    reader.warn(at + ": has neither pre nor post hooks");
  }
  return spec;
}

}  // namespace

core::Result<BackupSpec> parse_backup_spec(const nlohmann::json& spec, SpecReader& reader) {
  BackupSpec backup;
  auto filter = reader.item_filter(spec);
  if (!filter) {
    return core::unexpected(filter.error());
  }
  backup.filter = std::move(*filter);
  if (const auto fsb = spec.find("defaultVolumesToFsBackup");
      fsb != spec.end() && !fsb->is_null()) {
    if (!fsb->is_boolean()) {
      return reader.fail("spec.defaultVolumesToFsBackup: expected true or false, got " +
                         core::describe_json(*fsb));
    }
    backup.default_volumes_to_fs_backup = fsb->get<bool>();
  }
  const auto hooks = spec.find("hooks");
  if (hooks == spec.end() || hooks->is_null()) {
    return backup;
  }
  if (!hooks->is_object()) {
    return reader.fail("spec.hooks: expected an object, got " + core::describe_json(*hooks));
  }
  reader.warn_unknown_fields(*hooks, {"resources"}, "spec.hooks");
  const auto resources_list = hooks->find("resources");
  if (resources_list == hooks->end() || resources_list->is_null()) {
    return backup;
  }
  if (!resources_list->is_array()) {
    return reader.fail("spec.hooks.resources: expected a list, got " +
                       core::describe_json(*resources_list));
  }
  for (size_t i = 0; i < resources_list->size(); ++i) {
    auto entry = parse_entry((*resources_list)[i],
                             core::index_path("spec.hooks.resources", i), reader);
    if (!entry) {
      return core::unexpected(entry.error());
    }
    backup.hooks.push_back(std::move(*entry));
  }
  return backup;
}

}  // namespace stillpoint::hooks
