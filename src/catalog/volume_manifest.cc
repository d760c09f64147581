#include "catalog/volume_manifest.h"

#include "catalog/backup_catalog.h"
#include "catalog/backup_keys.h"
#include "catalog/gzip_object_writer.h"
#include "catalog/status_schema.h"

namespace stillpoint::catalog {

using nlohmann::json;

std::string volume_manifest_key(const std::string& backup) {
  return backup_prefix(backup) + backup + "-podvolumes.json.gz";
}

std::string volume_data_key(const std::string& backup, const std::string& ns,
                            const std::string& pod, const std::string& volume) {
  return backup_prefix(backup) + "volumes/" + ns + "/" + pod + "/" + volume + ".tar.zst";
}

json to_json(const VolumeRecord& r) {
  json j = {{"namespace", r.namespace_name}, {"pod", r.pod},
            {"volume", r.volume},            {"type", r.type},
            {"container", r.container},      {"mountPath", r.mount_path},
            {"result", r.result},            {"size", r.size},
            {"storedSize", r.stored_size},   {"startTimestamp", rfc3339(r.start)},
            {"completionTimestamp", rfc3339(r.completion)}};
  if (!r.key.empty()) j["key"] = r.key;
  if (!r.sha256.empty()) j["sha256"] = r.sha256;
  if (!r.error.empty()) j["error"] = r.error;
  return j;
}

core::Result<VolumeRecord> volume_record_from_json(const json& e, size_t index) {
  const std::string where = "volume manifest entry " + std::to_string(index);
  if (!e.is_object()) {
    return core::unexpected(core::ErrorCode::InvalidArgument, where + ": not an object");
  }
  VolumeRecord r;
  auto text = [&](const char* field, std::string& out, bool required) -> core::Status {
    const auto it = e.find(field);
    if (it == e.end() || it->is_null()) {
      if (!required) return core::ok();
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              where + ": missing field \"" + field + "\"");
    }
    if (!it->is_string()) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              where + ": field \"" + field + "\" is not a string");
    }
    out = it->get<std::string>();
    return core::ok();
  };
  for (auto s : {text("namespace", r.namespace_name, true), text("pod", r.pod, true),
                 text("volume", r.volume, true), text("result", r.result, true),
                 text("type", r.type, false), text("container", r.container, false),
                 text("mountPath", r.mount_path, false), text("key", r.key, false),
                 text("sha256", r.sha256, false), text("error", r.error, false)}) {
    if (!s) return core::unexpected(s.error());
  }
  for (auto [field, out] : {std::pair{"size", &r.size}, std::pair{"storedSize", &r.stored_size}}) {
    const auto it = e.find(field);
    if (it == e.end()) continue;
    if (!it->is_number_unsigned()) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              where + ": field \"" + field + "\" is not a byte count");
    }
    *out = it->get<uint64_t>();
  }
  if (r.completed() && (r.key.empty() || r.sha256.size() != 64)) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            where + ": a Completed volume needs \"key\" and a SHA-256");
  }
  return r;
}

core::Status write_volume_manifest(storage::ObjectStore& store, const std::string& backup,
                                   const std::vector<VolumeRecord>& records) {
  json list = json::array();
  for (const auto& r : records) list.push_back(to_json(r));
  return write_gzip(store, volume_manifest_key(backup), list.dump());
}

core::Result<std::vector<VolumeRecord>> read_volume_manifest(storage::ObjectStore& store,
                                                             const std::string& backup) {
  std::string text;
  auto s = read_gzip_object(store, volume_manifest_key(backup),
                            "volume manifest of backup \"" + backup + "\"",
                            [&](std::string_view piece) { text.append(piece); });
  if (!s) {
    if (s.error().code == core::ErrorCode::NotFound) return std::vector<VolumeRecord>{};
    return core::unexpected(s.error());
  }
  json list;
  try {
    list = json::parse(text);
  } catch (const std::exception&) {
    list = nullptr;
  }
  if (!list.is_array()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "volume manifest of backup \"" + backup + "\" is not a JSON array");
  }
  std::vector<VolumeRecord> records;
  for (size_t i = 0; i < list.size(); ++i) {
    auto r = volume_record_from_json(list[i], i);
    if (!r) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              "backup \"" + backup + "\": " + r.error().message);
    }
    records.push_back(std::move(*r));
  }
  return records;
}

}  // namespace stillpoint::catalog
