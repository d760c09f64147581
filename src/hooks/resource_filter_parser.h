// Decodes which objects a Backup or Restore spec selects: the namespace and resource
// includes/excludes and label selectors, at the spec's top level (the item filter) and in each
// spec.hooks.resources entry (with the entry's name, which messages quote). Both spec kinds use
// these, so a field is read and reported the same way in both. Internal to spec decoding (like
// spec_reader.h); it does not decode hooks themselves (backup_spec_parser.cc,
// restore_spec_parser.cc) and does not match objects (model.h does).
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "hooks/model.h"

namespace stillpoint::hooks {

class SpecReader;

// {included,excluded}Namespaces of `object`; errors name `path`.
core::Result<core::IncludesExcludes> parse_namespaces(const nlohmann::json& object,
                                                      const std::string& path,
                                                      SpecReader& reader);
// {included,excluded}Resources of `object`. Resolves names (`po` → `pods`); drops `*` from
// excludes with a warning, as Velero does.
core::Result<core::IncludesExcludes> parse_resources(const nlohmann::json& object,
                                                     const std::string& path,
                                                     SpecReader& reader);
// labelSelector of `object`; nullopt when absent or null.
core::Result<std::optional<core::LabelSelector>> parse_label_selector(const nlohmann::json& object,
                                                                      const std::string& path,
                                                                      SpecReader& reader);

// spec.{included,excluded}{Namespaces,Resources}, labelSelector, orLabelSelectors.
core::Result<ItemFilter> parse_item_filter(const nlohmann::json& spec, SpecReader& reader);

// Which resources a hook entry may select. Velero hard-wires restore hooks to pods and ignores
// their resource fields (with a warning here); backup hooks select what they name.
enum class HookResources { AsWritten, PodsOnly };

// The part of a spec.hooks.resources entry that is not its hooks.
struct HookEntryFilter {
  std::string name;   // required and non-empty: hooks are named in logs and results
  std::string label;  // `path ("name")`, the prefix of every later message about the entry
  ResourceSelector selector;

  // A BackupResourceHookSpec or RestoreResourceHookSpec with this name and selector; its
  // hooks are the caller's to add.
  template <class Entry>
  Entry entry() const {
    Entry e;
    e.name = name;
    e.selector = selector;
    return e;
  }
};

// Reads `entry` (at `path`, e.g. spec.hooks.resources[0]): its name, then its filter fields.
// Fields that are neither filter fields nor `hook_fields` are warned about as unknown.
core::Result<HookEntryFilter> parse_hook_entry_filter(
    const nlohmann::json& entry,
    const std::string& path,
    std::initializer_list<std::string_view> hook_fields,
    HookResources resources,
    SpecReader& reader);

}  // namespace stillpoint::hooks
