// Reading a Backup or Restore object (velero.io/v1, or stillpoint.io/v1 with the same
// fields) from YAML or JSON. Errors name the file, the document and the field path, e.g.
// `backup.yaml: document 1: spec.hooks.resources[0] ("db").pre[0].exec.timeout: "300" is
// not a duration (time: missing unit in duration "300")`. Problems Velero would silently
// accept (unknown fields inside hooks, clamped timeouts) are warnings.
#pragma once

#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "hooks/model.h"

namespace stillpoint::hooks {

struct ParsedSpec {
  std::variant<BackupSpec, RestoreSpec> spec;
  std::vector<std::string> warnings;

  bool is_restore() const { return std::holds_alternative<RestoreSpec>(spec); }
};

// `origin` prefixes messages ("backup.yaml: document 1").
core::Result<ParsedSpec> parse_spec_object(const nlohmann::json& object, const std::string& origin);

// The file must hold exactly one document, a Backup or a Restore.
core::Result<ParsedSpec> load_spec_file(const std::string& path);

// Decoders of the two kinds' `spec` objects (backup_spec_parser.cc, restore_spec_parser.cc).
class SpecReader;
core::Result<BackupSpec> parse_backup_spec(const nlohmann::json& spec, SpecReader& reader);
core::Result<RestoreSpec> parse_restore_spec(const nlohmann::json& spec, SpecReader& reader);

}  // namespace stillpoint::hooks
