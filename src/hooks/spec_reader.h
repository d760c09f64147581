// Shared pieces for decoding Backup and Restore specs: field-path errors, the warnings list,
// and the decoders both specs use (the spec.hooks.resources list, an exec hook's command,
// onError, durations). Which objects a spec selects is decoded in resource_filter_parser.h.
// Internal to spec decoding; callers use spec_file.h.
#pragma once

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/result.h"
#include "hooks/model.h"
#include "hooks/timeouts.h"

namespace stillpoint::hooks {

// The fields every exec hook has, in both spec kinds.
struct ExecCommand {
  std::string container;  // empty: the pod's first container
  std::vector<std::string> command;
  std::optional<OnError> on_error;
  std::optional<Duration> timeout;  // of the command (backup: timeout, restore: execTimeout)
};

class SpecReader {
 public:
  explicit SpecReader(std::string origin) : origin_(std::move(origin)) {}

  // "<origin>: <message>" as an InvalidArgument error; the message starts with a field path.
  core::Unexpected fail(const std::string& message) const;
  // Adds the origin to an error produced by a core decoder (which already names the field).
  core::Unexpected fail(const core::Error& error) const;
  void warn(const std::string& message) { warnings_.push_back(origin_ + ": " + message); }
  void warn_unknown_fields(const nlohmann::json& object,
                           std::initializer_list<std::string_view> known,
                           const std::string& path) {
    warn_unknown_fields(object, std::span(known.begin(), known.size()), path);
  }
  void warn_unknown_fields(const nlohmann::json& object,
                           std::span<const std::string_view> known,
                           const std::string& path);

  std::vector<std::string> take_warnings() { return std::move(warnings_); }

  // spec.hooks.resources, checked to be a list (an empty one when spec.hooks or its resources
  // are absent or null); unknown fields of spec.hooks are warned about.
  core::Result<const nlohmann::json*> hook_entries(const nlohmann::json& spec);
  // Field decoders; all name `path` in their errors.
  // An `exec` object: container, command (required, at least one element), onError and the
  // command's timeout under `timeout_key`, in that order. Fields that are none of these nor
  // `kind_fields` (read by the caller) are warned about as unknown.
  core::Result<ExecCommand> exec_command(const nlohmann::json& exec,
                                         const std::string& path,
                                         std::string_view timeout_key,
                                         std::initializer_list<std::string_view> kind_fields);
  // An ExecHook or RestoreExecHook with exec_command()'s fields set (the timeout into
  // `timeout`); the kind's other fields are left to the caller.
  template <class Hook>
  core::Result<Hook> exec_hook(const nlohmann::json& exec,
                               const std::string& path,
                               std::string_view timeout_key,
                               std::optional<Duration> Hook::*timeout,
                               std::initializer_list<std::string_view> kind_fields = {}) {
    auto fields = exec_command(exec, path, timeout_key, kind_fields);
    if (!fields) {
      return core::unexpected(fields.error());
    }
    Hook hook;
    hook.container = std::move(fields->container);
    hook.command = std::move(fields->command);
    hook.on_error = fields->on_error;
    hook.*timeout = fields->timeout;
    return hook;
  }
  core::Result<std::optional<OnError>> on_error(const nlohmann::json& object,
                                                const std::string& path);
  // A Go duration string, bounded as hook timeouts are (≤ 0 → default, > 4h → 4h).
  core::Result<std::optional<Duration>> hook_duration(const nlohmann::json& object,
                                                      std::string_view key,
                                                      const std::string& path,
                                                      const std::string& default_text,
                                                      DurationBound bound =
                                                          DurationBound::CappedAt4h);

 private:
  std::string origin_;
  std::vector<std::string> warnings_;
};

// `spec.hooks.resources[i]` annotated with the entry's name, for messages.
std::string entry_label(const std::string& path, const std::string& name);

// `decoded` (a BackupSpec or RestoreSpec) with its hooks: each element of spec.hooks.resources
// decoded by `parse_entry(entry, path, reader)`. The first error stops the decoding and is
// returned.
template <class Spec, class Entry>
core::Result<Spec> with_hook_entries(
    Spec decoded,
    const nlohmann::json& spec,
    SpecReader& reader,
    core::Result<Entry> (*parse_entry)(const nlohmann::json&, const std::string&, SpecReader&)) {
  auto list = reader.hook_entries(spec);
  if (!list) {
    return core::unexpected(list.error());
  }
  for (size_t i = 0; i < (*list)->size(); ++i) {
    auto entry = parse_entry((**list)[i], core::index_path("spec.hooks.resources", i), reader);
    if (!entry) {
      return core::unexpected(entry.error());
    }
    decoded.hooks.push_back(std::move(*entry));
  }
  return decoded;
}

}  // namespace stillpoint::hooks
