#include "hooks/resource_filter_parser.h"

#include <vector>

#include "core/json_fields.h"
#include "hooks/resource_names.h"
#include "hooks/spec_reader.h"

namespace stillpoint::hooks {
namespace {

// included<Things> and excluded<Things> of `object`, as written.
struct FilterLists {
  std::vector<std::string> includes;
  std::vector<std::string> excludes;
};

core::Result<FilterLists> read_lists(const nlohmann::json& object,
                                     const std::string& things,
                                     const std::string& path,
                                     SpecReader& reader) {
  auto includes = core::optional_string_list(object, "included" + things, path);
  if (!includes) {
    return reader.fail(includes.error());
  }
  auto excludes = core::optional_string_list(object, "excluded" + things, path);
  if (!excludes) {
    return reader.fail(excludes.error());
  }
  return FilterLists{std::move(*includes), std::move(*excludes)};
}

core::Result<core::IncludesExcludes> compile(FilterLists lists,
                                             const std::string& things,
                                             const std::string& path,
                                             SpecReader& reader) {
  auto ie = core::IncludesExcludes::compile(std::move(lists.includes), std::move(lists.excludes),
                                            core::field_path(path, "included" + things),
                                            core::field_path(path, "excluded" + things));
  if (!ie) {
    return reader.fail(ie.error());
  }
  return ie;
}

// The fields of a hook entry besides its hooks.
constexpr std::string_view kEntryFilterFields[] = {"name",
                                                   "includedNamespaces",
                                                   "excludedNamespaces",
                                                   "includedResources",
                                                   "excludedResources",
                                                   "labelSelector"};

// Resource fields of a restore hook are read by nobody; saying so beats silently ignoring them.
core::IncludesExcludes pods_only(const nlohmann::json& entry,
                                 const std::string& label,
                                 SpecReader& reader) {
  for (const char* field : {"includedResources", "excludedResources"}) {
    if (entry.contains(field) && !entry[field].is_null()) {
      reader.warn(core::field_path(label, field) +
                  ": ignored: restore hooks always apply to pods (as in Velero)");
    }
  }
  return *core::IncludesExcludes::compile({"pods"}, {}, "", "");
}

}  // namespace

core::Result<core::IncludesExcludes> parse_namespaces(const nlohmann::json& object,
                                                      const std::string& path,
                                                      SpecReader& reader) {
  auto lists = read_lists(object, "Namespaces", path, reader);
  if (!lists) {
    return core::unexpected(lists.error());
  }
  return compile(std::move(*lists), "Namespaces", path, reader);
}

core::Result<core::IncludesExcludes> parse_resources(const nlohmann::json& object,
                                                     const std::string& path,
                                                     SpecReader& reader) {
  auto lists = read_lists(object, "Resources", path, reader);
  if (!lists) {
    return core::unexpected(lists.error());
  }
  for (auto& name : lists->includes) {
    name = canonical_resource(name);
  }
  std::vector<std::string> kept;
  for (const auto& name : lists->excludes) {
    if (name == "*") {
      reader.warn(core::field_path(path, "excludedResources") +
                  ": \"*\" is ignored (Velero drops it too); list the resources to exclude");
      continue;
    }
    kept.push_back(canonical_resource(name));
  }
  lists->excludes = std::move(kept);
  return compile(std::move(*lists), "Resources", path, reader);
}

core::Result<std::optional<core::LabelSelector>> parse_label_selector(const nlohmann::json& object,
                                                                      const std::string& path,
                                                                      SpecReader& reader) {
  const auto it = object.find("labelSelector");
  if (it == object.end() || it->is_null()) {
    return std::optional<core::LabelSelector>{};
  }
  auto selector = core::LabelSelector::from_json(*it, core::field_path(path, "labelSelector"));
  if (!selector) {
    return reader.fail(selector.error());
  }
  return std::optional<core::LabelSelector>{std::move(*selector)};
}

core::Result<ItemFilter> parse_item_filter(const nlohmann::json& spec, SpecReader& reader) {
  ItemFilter filter;
  auto namespaces = parse_namespaces(spec, "spec", reader);
  if (!namespaces) {
    return core::unexpected(namespaces.error());
  }
  filter.namespaces = std::move(*namespaces);
  auto resources = parse_resources(spec, "spec", reader);
  if (!resources) {
    return core::unexpected(resources.error());
  }
  filter.resources = std::move(*resources);
  auto selector = parse_label_selector(spec, "spec", reader);
  if (!selector) {
    return core::unexpected(selector.error());
  }
  filter.label_selector = std::move(*selector);
  const auto it = spec.find("orLabelSelectors");
  if (it == spec.end() || it->is_null()) {
    return filter;
  }
  if (!it->is_array()) {
    return reader.fail("spec.orLabelSelectors: expected a list, got " + core::describe_json(*it));
  }
  if (filter.label_selector) {
    return reader.fail(
        "spec.orLabelSelectors: only one of labelSelector and orLabelSelectors can be set");
  }
  for (size_t i = 0; i < it->size(); ++i) {
    auto s = core::LabelSelector::from_json((*it)[i], core::index_path("spec.orLabelSelectors", i));
    if (!s) {
      return reader.fail(s.error());
    }
    filter.or_label_selectors.push_back(std::move(*s));
  }
  return filter;
}

core::Result<HookEntryFilter> parse_hook_entry_filter(
    const nlohmann::json& entry,
    const std::string& path,
    std::initializer_list<std::string_view> hook_fields,
    HookResources resources,
    SpecReader& reader) {
  if (!entry.is_object()) {
    return reader.fail(path + ": expected an object, got " + core::describe_json(entry));
  }
  HookEntryFilter filter;
  auto name = core::optional_string(entry, "name", path);
  if (!name) {
    return reader.fail(name.error());
  }
  if (!name->has_value() || (*name)->empty()) {
    return reader.fail(path + ".name: required (hooks are named in logs and results)");
  }
  filter.name = **name;
  filter.label = entry_label(path, filter.name);
  std::vector<std::string_view> known(std::begin(kEntryFilterFields), std::end(kEntryFilterFields));
  known.insert(known.end(), hook_fields);
  reader.warn_unknown_fields(entry, known, filter.label);
  auto namespaces = parse_namespaces(entry, filter.label, reader);
  if (!namespaces) {
    return core::unexpected(namespaces.error());
  }
  filter.selector.namespaces = std::move(*namespaces);
  if (resources == HookResources::PodsOnly) {
    filter.selector.resources = pods_only(entry, filter.label, reader);
  } else {
    auto parsed = parse_resources(entry, filter.label, reader);
    if (!parsed) {
      return core::unexpected(parsed.error());
    }
    filter.selector.resources = std::move(*parsed);
  }
  auto selector = parse_label_selector(entry, filter.label, reader);
  if (!selector) {
    return core::unexpected(selector.error());
  }
  filter.selector.label_selector = std::move(*selector);
  return filter;
}

}  // namespace stillpoint::hooks
