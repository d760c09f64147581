#include "hooks/spec_reader.h"

#include <algorithm>

#include "core/json_fields.h"
#include "core/text.h"
#include "hooks/timeouts.h"

namespace stillpoint::hooks {

using core::ErrorCode;

core::Unexpected SpecReader::fail(const std::string& message) const {
  return core::unexpected(ErrorCode::InvalidArgument, origin_ + ": " + message);
}

core::Unexpected SpecReader::fail(const core::Error& error) const {
  return core::unexpected(error.code, origin_ + ": " + error.message);
}

void SpecReader::warn_unknown_fields(const nlohmann::json& object,
                                     std::span<const std::string_view> known,
                                     const std::string& path) {
  if (!object.is_object()) {
    return;
  }
  for (const auto& [key, value] : object.items()) {
    if (std::find(known.begin(), known.end(), key) == known.end()) {
      warn(core::field_path(path, key) + ": unknown field, ignored (a typo?)");
    }
  }
}

core::Result<const nlohmann::json*> SpecReader::hook_entries(const nlohmann::json& spec) {
  static const nlohmann::json kNone = nlohmann::json::array();
  const auto hooks = spec.find("hooks");
  if (hooks == spec.end() || hooks->is_null()) {
    return &kNone;
  }
  if (!hooks->is_object()) {
    return fail("spec.hooks: expected an object, got " + core::describe_json(*hooks));
  }
  warn_unknown_fields(*hooks, {"resources"}, "spec.hooks");
  const auto list = hooks->find("resources");
  if (list == hooks->end() || list->is_null()) {
    return &kNone;
  }
  if (!list->is_array()) {
    return fail("spec.hooks.resources: expected a list, got " + core::describe_json(*list));
  }
  return &*list;
}

core::Result<ExecCommand> SpecReader::exec_command(
    const nlohmann::json& exec,
    const std::string& path,
    std::string_view timeout_key,
    std::initializer_list<std::string_view> kind_fields) {
  if (!exec.is_object()) {
    return fail(path + ": expected an object, got " + core::describe_json(exec));
  }
  std::vector<std::string_view> known = {"container", "command", "onError", timeout_key};
  known.insert(known.end(), kind_fields);
  warn_unknown_fields(exec, known, path);
  ExecCommand fields;
  auto container = core::optional_string(exec, "container", path);
  if (!container) {
    return fail(container.error());
  }
  fields.container = container->value_or("");
  const auto command = exec.find("command");
  if (command == exec.end() || command->is_null()) {
    return fail(path + ".command: required");
  }
  auto argv = core::string_list(*command, path + ".command");
  if (!argv) {
    return fail(argv.error());
  }
  if (argv->empty()) {
    return fail(path + ".command: must hold at least one element");
  }
  fields.command = std::move(*argv);
  auto on_error = this->on_error(exec, path);
  if (!on_error) {
    return core::unexpected(on_error.error());
  }
  fields.on_error = *on_error;
  auto timeout = hook_duration(exec, timeout_key, path, "the default 30s");
  if (!timeout) {
    return core::unexpected(timeout.error());
  }
  fields.timeout = *timeout;
  return fields;
}

core::Result<std::optional<OnError>> SpecReader::on_error(const nlohmann::json& object,
                                                          const std::string& path) {
  auto value = core::optional_string(object, "onError", path);
  if (!value) {
    return fail(value.error());
  }
  if (!value->has_value()) {
    return std::optional<OnError>{};
  }
  if (**value == "Fail") {
    return std::optional<OnError>{OnError::Fail};
  }
  if (**value == "Continue") {
    return std::optional<OnError>{OnError::Continue};
  }
  return fail(core::field_path(path, "onError") + ": " + core::go_quote(**value) +
              " is not one of Continue, Fail");
}

core::Result<std::optional<Duration>> SpecReader::hook_duration(const nlohmann::json& object,
                                                                std::string_view key,
                                                                const std::string& path,
                                                                const std::string& default_text,
                                                                DurationBound bound) {
  const std::string field = core::field_path(path, key);
  auto value = core::optional_string(object, key, path);
  if (!value) {
    return fail(value.error());
  }
  if (!value->has_value()) {
    return std::optional<Duration>{};
  }
  auto parsed = core::parse_go_duration(**value);
  if (!parsed) {
    return fail(field + ": " + core::go_quote(**value) + " is not a duration (" +
                parsed.error().message + ")");
  }
  BoundedDuration bounded = bound_hook_timeout(*parsed, bound);
  if (!bounded.note.empty()) {
    warn(field + ": " + core::go_quote(**value) + " " + bounded.note + "; " +
         (bounded.value ? core::format_go_duration(*bounded.value) : default_text) + " applies");
  }
  return bounded.value;
}

std::string entry_label(const std::string& path, const std::string& name) {
  return name.empty() ? path : path + " (" + core::go_quote(name) + ")";
}

}  // namespace stillpoint::hooks
