// Decodes a Backup's spec: the item filters and spec.hooks.resources (Velero's BackupSpec and
// BackupResourceHookSpec, pkg/apis/velero/v1/backup_types.go).
#include "core/json_fields.h"
#include "hooks/resource_filter_parser.h"
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
  auto fields = reader.exec_command(*exec, at);
  if (!fields) {
    return core::unexpected(fields.error());
  }
  ExecHook hook;
  hook.container = std::move(fields->container);
  hook.command = std::move(fields->command);
  hook.on_error = fields->on_error;
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
  auto filter = parse_hook_entry_filter(entry, path, {"pre", "post"}, HookResources::AsWritten,
                                        reader);
  if (!filter) {
    return core::unexpected(filter.error());
  }
  BackupResourceHookSpec spec;
  spec.name = filter->name;
  spec.selector = std::move(filter->selector);
  const std::string& at = filter->label;
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
  auto filter = parse_item_filter(spec, reader);
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
  auto hooks = parse_hook_entries(spec, reader, parse_entry);
  if (!hooks) {
    return core::unexpected(hooks.error());
  }
  backup.hooks = std::move(*hooks);
  return backup;
}

}  // namespace stillpoint::hooks
