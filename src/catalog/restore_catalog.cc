#include "catalog/restore_catalog.h"

#include "catalog/backup_catalog.h"
#include "catalog/restore_keys.h"

namespace stillpoint::catalog {

core::Result<std::vector<nlohmann::json>> list_restores(storage::ObjectStore& store) {
  auto keys = store.list("restores/");
  if (!keys) return core::unexpected(keys.error());
  std::vector<nlohmann::json> out;
  const std::string prefix = "restores/";
  const std::string suffix = "/velero-restore.json";
  for (const std::string& key : *keys) {
    if (key.size() <= prefix.size() + suffix.size() ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    const std::string name =
        key.substr(prefix.size(), key.size() - prefix.size() - suffix.size());
    if (name.find('/') != std::string::npos) continue;
    auto object = read_restore(store, name);
    if (!object) return core::unexpected(object.error());
    out.push_back(std::move(*object));
  }
  return out;
}

core::Result<nlohmann::json> read_restore(storage::ObjectStore& store, const std::string& name) {
  auto text = storage::read_all(store, restore_object_key(name));
  if (!text) {
    if (text.error().code == core::ErrorCode::NotFound) {
      return core::unexpected(core::ErrorCode::NotFound,
                              "restore \"" + name + "\" not found in " + store.describe());
    }
    return core::unexpected(text.error());
  }
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return core::unexpected(core::ErrorCode::Protocol, restore_object_key(name) + " in " +
                                                           store.describe() +
                                                           " is not a JSON object");
  }
  return parsed;
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
