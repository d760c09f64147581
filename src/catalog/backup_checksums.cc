#include "catalog/backup_checksums.h"

#include <nlohmann/json.hpp>

#include "catalog/backup_catalog.h"
#include "catalog/backup_keys.h"
#include "catalog/gzip_object_writer.h"

namespace stillpoint::catalog {

using nlohmann::json;

namespace {

constexpr const char* kApiVersion = "stillpoint.io/v1";
constexpr const char* kKind = "BackupChecksums";
constexpr const char* kAlgorithm = "SHA-256";

bool is_sha256_hex(const std::string& s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

core::Status write_backup_checksums(storage::ObjectStore& store,
                                    const std::string& backup,
                                    const storage::ObjectDigests& digests) {
  json objects = json::object();
  for (const auto& [key, digest] : digests) {
    objects[key] = {{"sha256", digest.sha256}, {"size", digest.size}};
  }
  const json doc = {{"apiVersion", kApiVersion},
                    {"kind", kKind},
                    {"algorithm", kAlgorithm},
                    {"objects", std::move(objects)}};
  return write_gzip(store, backup_checksums_key(backup), doc.dump());
}

core::Result<storage::ObjectDigests> read_backup_checksums(storage::ObjectStore& store,
                                                           const std::string& backup) {
  const std::string what = "checksums of backup \"" + backup + "\"";
  std::string text;
  auto s = read_gzip_object(store, backup_checksums_key(backup), what,
                            [&](std::string_view piece) { text.append(piece); });
  if (!s) {
    if (s.error().code == core::ErrorCode::NotFound) return storage::ObjectDigests{};
    return core::unexpected(s.error());
  }
  const auto invalid = [&](const std::string& why) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            what + " (" + backup_checksums_key(backup) + " in " +
                                store.describe() + ") " + why);
  };
  const json doc = json::parse(text, nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) return invalid("is not a JSON object");
  if (doc.value("kind", "") != kKind) return invalid("is not a BackupChecksums object");
  if (doc.value("algorithm", "") != kAlgorithm) {
    return invalid("uses algorithm \"" + doc.value("algorithm", "") + "\", not " + kAlgorithm);
  }
  const auto objects = doc.find("objects");
  if (objects == doc.end() || !objects->is_object()) return invalid("has no \"objects\" map");
  storage::ObjectDigests out;
  for (const auto& [key, entry] : objects->items()) {
    if (!entry.is_object() || !entry.contains("sha256") || !entry["sha256"].is_string() ||
        !is_sha256_hex(entry["sha256"].get<std::string>()) || !entry.contains("size") ||
        !entry["size"].is_number_unsigned()) {
      return invalid("has an invalid entry for \"" + key +
                     "\" (wanted {\"sha256\": 64 lowercase hex digits, \"size\": bytes})");
    }
    out[key] = {entry["sha256"].get<std::string>(), entry["size"].get<uint64_t>()};
  }
  return out;
}

core::Result<std::unique_ptr<storage::ChecksumVerifyingStore>> open_verified_backup(
    storage::ObjectStore& store, const std::string& backup) {
  auto digests = read_backup_checksums(store, backup);
  if (!digests) return core::unexpected(digests.error());
  return std::make_unique<storage::ChecksumVerifyingStore>(store, std::move(*digests));
}

}  // namespace stillpoint::catalog
