#include "catalog/restore_catalog.h"

#include "catalog/backup_catalog.h"
#include "catalog/record_objects.h"
#include "catalog/restore_keys.h"

namespace stillpoint::catalog {

namespace {
const RecordLayout kLayout{"restore", "restores/", "velero-restore.json"};
}  // namespace

core::Result<std::vector<nlohmann::json>> list_restores(storage::ObjectStore& store) {
  return list_records(store, kLayout);
}

core::Result<nlohmann::json> read_restore(storage::ObjectStore& store, const std::string& name) {
  return read_record(store, kLayout, name);
}

core::Status read_restore_log(storage::ObjectStore& store,
                              const std::string& name,
                              const std::function<void(std::string_view)>& sink) {
  return read_gzip_object(store, restore_log_key(name),
                                  "log of restore \"" + name + "\"", sink);
}

core::Result<nlohmann::json> read_restore_results(storage::ObjectStore& store,
                                                  const std::string& name) {
  std::string text;
  auto s = read_gzip_object(store, restore_results_key(name),
                                    "results of restore \"" + name + "\"",
                                    [&](std::string_view piece) { text.append(piece); });
  if (!s) return core::unexpected(s.error());
  auto parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return core::unexpected(core::ErrorCode::Protocol,
                            "results of restore \"" + name + "\" are not a JSON object");
  }
  return parsed;
}

}  // namespace stillpoint::catalog
