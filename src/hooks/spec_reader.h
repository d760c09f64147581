// Shared pieces for decoding Backup and Restore specs: field-path errors, the warnings list,
// and the decoders both specs use (selectors, namespace/resource filters, onError, durations).
// Internal to spec decoding; callers use spec_file.h.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "hooks/model.h"
#include "hooks/timeouts.h"

namespace stillpoint::hooks {

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
                           const std::string& path);

  std::vector<std::string> take_warnings() { return std::move(warnings_); }

  // Field decoders; all name `path` in their errors.
  core::Result<core::IncludesExcludes> namespaces(const nlohmann::json& object,
                                                  const std::string& path);
  // Resolves names (`po` → `pods`); drops `*` from excludes with a warning, as Velero does.
  core::Result<core::IncludesExcludes> resources(const nlohmann::json& object,
                                                 const std::string& path);
  core::Result<std::optional<core::LabelSelector>> label_selector(const nlohmann::json& object,
                                                                  const std::string& path);
  // spec.{included,excluded}{Namespaces,Resources}, labelSelector, orLabelSelectors.
  core::Result<ItemFilter> item_filter(const nlohmann::json& spec);
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

}  // namespace stillpoint::hooks
