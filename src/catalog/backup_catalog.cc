#include "catalog/backup_catalog.h"

#include <zlib.h>

#include <array>
#include <memory>

#include "catalog/backup_keys.h"
#include "catalog/record_objects.h"
#include "storage/checksummed_store.h"

namespace stillpoint::catalog {

namespace {
const RecordLayout kLayout{"backup", "backups/", "velero-backup.json"};
}  // namespace

core::Result<std::vector<nlohmann::json>> list_backups(storage::ObjectStore& store) {
  return list_records(store, kLayout);
}

core::Result<std::vector<std::string>> list_backup_names(storage::ObjectStore& store) {
  return list_record_names(store, kLayout);
}

core::Result<nlohmann::json> read_backup(storage::ObjectStore& store, const std::string& name) {
  return read_record(store, kLayout, name);
}

core::Status read_gzip_object(storage::ObjectStore& store,
                              const std::string& key,
                              const std::string& what,
                              const std::function<void(std::string_view)>& sink) {
  auto reader = store.get(key);
  if (!reader) {
    if (reader.error().code == core::ErrorCode::NotFound) {
      return core::unexpected(core::ErrorCode::NotFound,
                              "no " + what + " in " + store.describe());
    }
    return core::unexpected(reader.error());
  }
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) {  // +32: accept gzip or zlib framing
    return core::unexpected(core::ErrorCode::Internal, "zlib failed to initialise");
  }
  std::unique_ptr<z_stream, void (*)(z_stream*)> guard(&z, [](z_stream* p) { inflateEnd(p); });
  std::array<char, 64 * 1024> in;
  std::array<char, 64 * 1024> out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    auto n = (*reader)->read(in.data(), in.size());
    if (!n) return core::unexpected(n.error());
    if (*n == 0) {
      return core::unexpected(core::ErrorCode::Protocol, what + " is truncated");
    }
    z.next_in = reinterpret_cast<Bytef*>(in.data());
    z.avail_in = static_cast<uInt>(*n);
    while (z.avail_in > 0 && rc != Z_STREAM_END) {
      z.next_out = reinterpret_cast<Bytef*>(out.data());
      z.avail_out = static_cast<uInt>(out.size());
      rc = inflate(&z, Z_NO_FLUSH);
      if (rc != Z_OK && rc != Z_STREAM_END && rc != Z_BUF_ERROR) {
        // A damaged object (its recorded checksum differs) explains a corrupt stream better.
        return storage::settle_verification(
            **reader, core::unexpected(core::ErrorCode::Protocol, what + " is corrupt"));
      }
      sink(std::string_view(out.data(), out.size() - z.avail_out));
    }
  }
  // The gzip stream may end before the object does: read on to its end, where a verifying
  // reader checks the object's checksum.
  return storage::settle_verification(**reader, core::ok());
}

core::Status read_backup_log(storage::ObjectStore& store,
                             const std::string& name,
                             const std::function<void(std::string_view)>& sink) {
  return read_gzip_object(store, backup_log_key(name), "log of backup \"" + name + "\"", sink);
}

core::Status delete_backup(storage::ObjectStore& store, const std::string& name) {
  auto keys = store.list(backup_prefix(name));
  if (!keys) return core::unexpected(keys.error());
  if (keys->empty()) {
    return core::unexpected(core::ErrorCode::NotFound,
                            "backup \"" + name + "\" not found in " + store.describe());
  }
  if (auto s = store.remove(backup_object_key(name)); !s) return s;
  return store.remove_prefix(backup_prefix(name));
}

std::string check_backup_name(const std::string& name) {
  if (name.empty()) return "must not be empty";
  if (name.size() > 253) return "must be no more than 253 characters";
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) {
      return "must consist of lower case alphanumeric characters, '-' or '.' (a DNS-1123 "
             "subdomain)";
    }
  }
  const auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) {
    return "must start and end with an alphanumeric character";
  }
  return {};
}

}  // namespace stillpoint::catalog
