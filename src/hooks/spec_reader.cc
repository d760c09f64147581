#include "hooks/spec_reader.h"

#include "core/json_fields.h"
#include "core/text.h"
#include "hooks/resource_names.h"
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
                                     std::initializer_list<std::string_view> known,
                                     const std::string& path) {
  for (const auto& field : core::unknown_fields(object, known, path)) {
    warn(field + ": unknown field, ignored (a typo?)");
  }
}

core::Result<core::IncludesExcludes> SpecReader::namespaces(const nlohmann::json& object,
                                                            const std::string& path) {
  auto includes = core::optional_string_list(object, "includedNamespaces", path);
  if (!includes) {
    return fail(includes.error());
  }
  auto excludes = core::optional_string_list(object, "excludedNamespaces", path);
  if (!excludes) {
    return fail(excludes.error());
  }
  auto ie = core::IncludesExcludes::compile(std::move(*includes), std::move(*excludes),
                                            core::field_path(path, "includedNamespaces"),
                                            core::field_path(path, "excludedNamespaces"));
  if (!ie) {
    return fail(ie.error());
  }
  return ie;
}

core::Result<core::IncludesExcludes> SpecReader::resources(const nlohmann::json& object,
                                                           const std::string& path) {
  auto includes = core::optional_string_list(object, "includedResources", path);
  if (!includes) {
    return fail(includes.error());
  }
  auto excludes = core::optional_string_list(object, "excludedResources", path);
  if (!excludes) {
    return fail(excludes.error());
  }
  for (auto& name : *includes) {
    name = canonical_resource(name);
  }
  std::vector<std::string> kept;
  for (const auto& name : *excludes) {
    if (name == "*") {
      warn(core::field_path(path, "excludedResources") +
           ": \"*\" is ignored (Velero drops it too); list the resources to exclude");
      continue;
    }
    kept.push_back(canonical_resource(name));
  }
  auto ie = core::IncludesExcludes::compile(std::move(*includes), std::move(kept),
                                            core::field_path(path, "includedResources"),
                                            core::field_path(path, "excludedResources"));
  if (!ie) {
    return fail(ie.error());
  }
  return ie;
}

core::Result<std::optional<core::LabelSelector>> SpecReader::label_selector(
    const nlohmann::json& object,
    const std::string& path) {
  const auto it = object.find("labelSelector");
  if (it == object.end() || it->is_null()) {
    return std::optional<core::LabelSelector>{};
  }
  auto selector = core::LabelSelector::from_json(*it, core::field_path(path, "labelSelector"));
  if (!selector) {
    return fail(selector.error());
  }
  return std::optional<core::LabelSelector>{std::move(*selector)};
}

core::Result<ItemFilter> SpecReader::item_filter(const nlohmann::json& spec) {
  ItemFilter filter;
  auto namespaces_filter = namespaces(spec, "spec");
  if (!namespaces_filter) {
    return core::unexpected(namespaces_filter.error());
  }
  filter.namespaces = std::move(*namespaces_filter);
  auto resources_filter = resources(spec, "spec");
  if (!resources_filter) {
    return core::unexpected(resources_filter.error());
  }
  filter.resources = std::move(*resources_filter);
  auto selector = label_selector(spec, "spec");
  if (!selector) {
    return core::unexpected(selector.error());
  }
  filter.label_selector = std::move(*selector);
  const auto it = spec.find("orLabelSelectors");
  if (it == spec.end() || it->is_null()) {
    return filter;
  }
  if (!it->is_array()) {
    return fail("spec.orLabelSelectors: expected a list, got " + core::describe_json(*it));
  }
  if (filter.label_selector) {
    return fail("spec.orLabelSelectors: only one of labelSelector and orLabelSelectors can be "
                "set");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    auto s = core::LabelSelector::from_json((*it)[i], core::index_path("spec.orLabelSelectors", i));
    if (!s) {
      return fail(s.error());
    }
    filter.or_label_selectors.push_back(std::move(*s));
  }
  return filter;
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
