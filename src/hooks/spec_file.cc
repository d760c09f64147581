#include "hooks/spec_file.h"

#include "core/documents.h"
#include "core/json_fields.h"
#include "core/text.h"
#include "hooks/spec_reader.h"

namespace stillpoint::hooks {

using core::ErrorCode;

core::Result<ParsedSpec> parse_spec_object(const nlohmann::json& object,
                                           const std::string& origin) {
  SpecReader reader(origin);
  if (!object.is_object()) {
    return reader.fail("expected a Backup or Restore object, got " + core::describe_json(object));
  }
  auto api_version = core::optional_string(object, "apiVersion", "");
  auto kind = core::optional_string(object, "kind", "");
  if (!api_version) {
    return reader.fail(api_version.error());
  }
  if (!kind) {
    return reader.fail(kind.error());
  }
  const std::string av = api_version->value_or("");
  const std::string k = kind->value_or("");
  if ((av != "velero.io/v1" && av != "stillpoint.io/v1") || (k != "Backup" && k != "Restore")) {
    return reader.fail("expected kind Backup or Restore of apiVersion velero.io/v1 or "
                       "stillpoint.io/v1, got kind " +
                       core::go_quote(k) + " of apiVersion " + core::go_quote(av));
  }
  std::string name;
  if (auto meta = object.find("metadata"); meta != object.end() && meta->is_object()) {
    auto n = core::optional_string(*meta, "name", "metadata");
    if (!n) {
      return reader.fail(n.error());
    }
    name = n->value_or("");
  }
  static const nlohmann::json kEmpty = nlohmann::json::object();
  const nlohmann::json* spec = &kEmpty;
  if (auto it = object.find("spec"); it != object.end() && !it->is_null()) {
    if (!it->is_object()) {
      return reader.fail("spec: expected an object, got " + core::describe_json(*it));
    }
    spec = &*it;
  }
  ParsedSpec parsed;
  if (k == "Backup") {
    auto backup = parse_backup_spec(*spec, reader);
    if (!backup) {
      return core::unexpected(backup.error());
    }
    backup->name = name;
    parsed.spec = std::move(*backup);
  } else {
    auto restore = parse_restore_spec(*spec, reader);
    if (!restore) {
      return core::unexpected(restore.error());
    }
    restore->name = name;
    parsed.spec = std::move(*restore);
  }
  parsed.warnings = reader.take_warnings();
  return parsed;
}

core::Result<ParsedSpec> load_spec_file(const std::string& path) {
  auto docs = core::load_documents(path);
  if (!docs) {
    return core::unexpected(docs.error());
  }
  if (docs->size() != 1) {
    return core::unexpected(ErrorCode::InvalidArgument,
                            path + ": holds " + std::to_string(docs->size()) +
                                " documents; a spec file holds exactly one Backup or Restore");
  }
  const auto& doc = docs->front();
  return parse_spec_object(doc.value, path + ": document " + std::to_string(doc.index));
}

}  // namespace stillpoint::hooks
