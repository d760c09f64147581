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
  auto hook = reader.exec_hook(*exec, path + ".exec", "timeout", &ExecHook::timeout);
  if (!hook) {
    return core::unexpected(hook.error());
  }
  return std::optional<ExecHook>{std::move(*hook)};
}

core::Result<BackupResourceHookSpec> parse_entry(const nlohmann::json& entry,
                                                 const std::string& path,
                                                 SpecReader& reader) {
  auto filter = parse_hook_entry_filter(entry, path, {"pre", "post"}, HookResources::AsWritten,
                                        reader);
  if (!filter) {
    return core::unexpected(filter.error());
  }
  const std::string& at = filter->label;
  auto spec = filter->entry<BackupResourceHookSpec>();
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
  return with_hook_entries(std::move(backup), spec, reader, parse_entry);
}

}  // namespace stillpoint::hooks
