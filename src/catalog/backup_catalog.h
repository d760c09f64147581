// Reading the backups in a location: which exist (a velero-backup.json is what makes a
// backup exist; a directory without one is an incomplete attempt and is never listed), their
// objects, their logs, and deleting one.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::catalog {

// Backup objects, sorted by name. An unreadable object is reported, not skipped silently.
core::Result<std::vector<nlohmann::json>> list_backups(storage::ObjectStore& store);

// The names of the backups that exist (their velero-backup.json does), sorted, without
// reading them.
core::Result<std::vector<std::string>> list_backup_names(storage::ObjectStore& store);

// NotFound: `backup "x" not found in <location>`.
core::Result<nlohmann::json> read_backup(storage::ObjectStore& store, const std::string& name);

// Streams a gzip object (a log, a results file) decompressed to `sink`. `what` names it in
// errors ("log of backup \"x\"": NotFound "no log of backup ..." , truncated, corrupt). Read
// from a ChecksumVerifyingStore, the object is read to its end and a damaged one fails with
// the store's "is damaged" error (after `sink` may have seen some of it).
core::Status read_gzip_object(storage::ObjectStore& store,
                              const std::string& key,
                              const std::string& what,
                              const std::function<void(std::string_view)>& sink);

// Streams the decompressed log (JSON lines) to `sink`.
core::Status read_backup_log(storage::ObjectStore& store,
                             const std::string& name,
                             const std::function<void(std::string_view)>& sink);

// Removes every object of the backup, the backup object first so that a deletion cut short
// never leaves something listed as complete. NotFound when there is nothing to delete.
core::Status delete_backup(storage::ObjectStore& store, const std::string& name);

// Backup names become object keys and file names: DNS-1123 subdomain, as Kubernetes requires
// of object names. Empty when valid, else what is wrong.
std::string check_backup_name(const std::string& name);

}  // namespace stillpoint::catalog
