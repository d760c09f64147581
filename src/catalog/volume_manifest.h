// The record of a backup's pod volume data: one entry per volume copied (or attempted), kept in
// `backups/<name>/<name>-podvolumes.json.gz` (a JSON array), written before the backup object.
// The data of each is `backups/<name>/volumes/<ns>/<pod>/<volume>.tar.zst`
// (archive/volume_stream.h). A restore reads the manifest to know which pods get a
// restore-wait helper and which checksum each volume must match.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::catalog {

struct VolumeRecord {
  std::string namespace_name;
  std::string pod;
  std::string volume;
  std::string type;        // emptyDir, persistentVolumeClaim, ...
  std::string container;   // read through
  std::string mount_path;  // in that container
  std::string key;         // the data's object key ("" when nothing was stored)
  std::string result;      // "Completed" or "Failed"
  std::string error;       // why it failed
  uint64_t size = 0;         // tar bytes
  uint64_t stored_size = 0;  // compressed bytes stored
  std::string sha256;        // of the tar bytes
  std::chrono::system_clock::time_point start;
  std::chrono::system_clock::time_point completion;

  bool completed() const { return result == "Completed"; }
  std::string pod_key() const { return namespace_name + "/" + pod; }
};

std::string volume_manifest_key(const std::string& backup);
std::string volume_data_key(const std::string& backup, const std::string& ns,
                            const std::string& pod, const std::string& volume);

nlohmann::json to_json(const VolumeRecord& record);
// Errors (InvalidArgument) name the entry and field; the manifest is untrusted on restore.
core::Result<VolumeRecord> volume_record_from_json(const nlohmann::json& entry, size_t index);

core::Status write_volume_manifest(storage::ObjectStore& store, const std::string& backup,
                                   const std::vector<VolumeRecord>& records);
// A backup without a manifest (made before volume data existed, or by Velero) has none: empty.
core::Result<std::vector<VolumeRecord>> read_volume_manifest(storage::ObjectStore& store,
                                                             const std::string& backup);

}  // namespace stillpoint::catalog
