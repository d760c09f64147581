// Decodes a Restore's spec: item filters, namespaceMapping and spec.hooks.resources (Velero's
// RestoreSpec and RestoreResourceHookSpec, pkg/apis/velero/v1/restore_types.go).
#include "core/json_fields.h"
#include "core/text.h"
#include "hooks/resource_filter_parser.h"
#include "hooks/spec_file.h"
#include "hooks/spec_reader.h"

namespace stillpoint::hooks {
namespace {

core::Result<RestoreExecHook> parse_exec(const nlohmann::json& exec,
                                         const std::string& at,
                                         SpecReader& reader) {
  auto hook = reader.exec_hook(exec, at, "execTimeout", &RestoreExecHook::exec_timeout,
                               {"waitTimeout", "waitForReady"});
  if (!hook) {
    return core::unexpected(hook.error());
  }
  auto wait_timeout =
      reader.hook_duration(exec, "waitTimeout", at, "the restore's hook wait limit",
                           DurationBound::Uncapped);
  if (!wait_timeout) {
    return core::unexpected(wait_timeout.error());
  }
  hook->wait_timeout = *wait_timeout;
  auto wait_for_ready = core::optional_bool(exec, "waitForReady", at);
  if (!wait_for_ready) {
    return reader.fail(wait_for_ready.error());
  }
  hook->wait_for_ready = *wait_for_ready;
  return hook;
}

core::Result<RestoreInitHook> parse_init(const nlohmann::json& init,
                                         const std::string& at,
                                         SpecReader& reader) {
  if (!init.is_object()) {
    return reader.fail(at + ": expected an object, got " + core::describe_json(init));
  }
  reader.warn_unknown_fields(init, {"initContainers", "timeout"}, at);
  RestoreInitHook hook;
  if (init.contains("timeout") && !init["timeout"].is_null()) {
    auto timeout = reader.hook_duration(init, "timeout", at, "no timeout");
    if (!timeout) {
      return core::unexpected(timeout.error());
    }
    reader.warn(at + ".timeout: ignored: init containers have no timeout (as in Velero)");
  }
  const auto list = init.find("initContainers");
  if (list == init.end() || list->is_null()) {
    return hook;
  }
  const std::string list_path = at + ".initContainers";
  if (!list->is_array()) {
    return reader.fail(list_path + ": expected a list, got " + core::describe_json(*list));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& container = (*list)[i];
    const std::string path = core::index_path(list_path, i);
    if (!container.is_object()) {
      return reader.fail(path + ": expected a container object, got " +
                         core::describe_json(container));
    }
    // Once the name is known, errors name it too: it is what the user wrote and searches for.
    std::string at = path;
    for (const char* field : {"name", "image"}) {
      auto value = core::optional_string(container, field, at);
      if (!value) {
        return reader.fail(value.error());
      }
      if (!value->has_value() || (*value)->empty()) {
        return reader.fail(core::field_path(at, field) +
                           ": required (an init container needs a name and an image)");
      }
      if (std::string_view(field) == "name") {
        at = entry_label(path, **value);
      }
    }
    hook.init_containers.push_back(container);
  }
  return hook;
}

core::Result<RestoreResourceHookSpec> parse_entry(const nlohmann::json& entry,
                                                  const std::string& path,
                                                  SpecReader& reader) {
  auto filter =
      parse_hook_entry_filter(entry, path, {"postHooks"}, HookResources::PodsOnly, reader);
  if (!filter) {
    return core::unexpected(filter.error());
  }
  const std::string& at = filter->label;
  auto spec = filter->entry<RestoreResourceHookSpec>();
  const auto list = entry.find("postHooks");
  if (list == entry.end() || list->is_null()) {
    reader.warn(at + ": has no postHooks");
    return spec;
  }
  const std::string list_path = at + ".postHooks";
  if (!list->is_array()) {
    return reader.fail(list_path + ": expected a list, got " + core::describe_json(*list));
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const auto& item = (*list)[i];
    const std::string item_path = core::index_path(list_path, i);
    if (!item.is_object()) {
      return reader.fail(item_path + ": expected an object, got " + core::describe_json(item));
    }
    reader.warn_unknown_fields(item, {"exec", "init"}, item_path);
    RestoreResourceHook hook;
    if (auto exec = item.find("exec"); exec != item.end() && !exec->is_null()) {
      auto parsed = parse_exec(*exec, item_path + ".exec", reader);
      if (!parsed) {
        return core::unexpected(parsed.error());
      }
      hook.exec = std::move(*parsed);
    }
    if (auto init = item.find("init"); init != item.end() && !init->is_null()) {
      auto parsed = parse_init(*init, item_path + ".init", reader);
      if (!parsed) {
        return core::unexpected(parsed.error());
      }
      hook.init = std::move(*parsed);
    }
    if (!hook.exec && !hook.init) {
      reader.warn(item_path + ": has neither exec nor init: nothing runs");
    }
    spec.post_hooks.push_back(std::move(hook));
  }
  return spec;
}

}  // namespace

core::Result<RestoreSpec> parse_restore_spec(const nlohmann::json& spec, SpecReader& reader) {
  RestoreSpec restore;
  auto backup_name = core::optional_string(spec, "backupName", "spec");
  if (!backup_name) {
    return reader.fail(backup_name.error());
  }
  restore.backup_name = backup_name->value_or("");
  auto filter = parse_item_filter(spec, reader);
  if (!filter) {
    return core::unexpected(filter.error());
  }
  restore.filter = std::move(*filter);
  if (auto it = spec.find("namespaceMapping"); it != spec.end() && !it->is_null()) {
    auto mapping = core::string_map(*it, "spec.namespaceMapping");
    if (!mapping) {
      return reader.fail(mapping.error());
    }
    restore.namespace_mapping.insert(mapping->begin(), mapping->end());
  }
  return with_hook_entries(std::move(restore), spec, reader, parse_entry);
}

}  // namespace stillpoint::hooks
