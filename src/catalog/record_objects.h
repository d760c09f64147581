// A backup or restore *exists* when its record object does (backups/<name>/velero-backup.json,
// restores/<name>/velero-restore.json), written last; a folder without one is an attempt that
// died and is never listed. Both catalogs list and read their records the same way, here.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::catalog {

// Where a kind keeps its records: `kind` names it in errors ("backup"), `prefix` is its folder
// ("backups/"), `object` the record's file name ("velero-backup.json").
struct RecordLayout {
  std::string kind;
  std::string prefix;
  std::string object;
  std::string key(const std::string& name) const { return prefix + name + "/" + object; }
};

// The records of every name under the prefix, sorted by name (the store lists keys sorted). An
// unreadable record is an error, not skipped silently.
core::Result<std::vector<nlohmann::json>> list_records(storage::ObjectStore& store,
                                                       const RecordLayout& layout);

// The names whose record exists, sorted, without reading the records (the server's backup sync
// asks this of every location each period).
core::Result<std::vector<std::string>> list_record_names(storage::ObjectStore& store,
                                                         const RecordLayout& layout);

// NotFound: `<kind> "x" not found in <location>`; Protocol when it is not a JSON object.
core::Result<nlohmann::json> read_record(storage::ObjectStore& store, const RecordLayout& layout,
                                         const std::string& name);

}  // namespace stillpoint::catalog
