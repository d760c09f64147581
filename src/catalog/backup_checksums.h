// A backup's checksums object, backups/<name>/<name>-checksums.json.gz: the SHA-256 and size of
// every object the backup wrote, recorded as they were written (storage/checksummed_store.h)
// and stored just before velero-backup.json publishes the backup. Readers of a backup go
// through a store that checks its objects against it.
//
//   {"apiVersion": "stillpoint.io/v1", "kind": "BackupChecksums", "algorithm": "SHA-256",
//    "objects": {"backups/b1/b1.tar.gz": {"sha256": "<64 hex>", "size": 1234}, ...}}
//
// Keys are relative to the location, as ObjectStore keys are. Backups made before checksums
// were recorded (and Velero's) have no such object: their objects are read unverified.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "storage/checksummed_store.h"
#include "storage/object_store.h"

namespace stillpoint::catalog {

// Stores `digests` as the backup's checksums object (gzip'd JSON).
core::Status write_backup_checksums(storage::ObjectStore& store,
                                    const std::string& backup,
                                    const storage::ObjectDigests& digests);

// The backup's checksums; empty when the backup has none. A checksums object that cannot be
// read or parsed is an error (Protocol or InvalidArgument naming it): a backup whose record
// is damaged is not read as if it had none.
core::Result<storage::ObjectDigests> read_backup_checksums(storage::ObjectStore& store,
                                                           const std::string& backup);

// `store` seen through the backup's checksums (read once, here): reads of the backup's
// recorded objects fail at their end when damaged. `store` must outlive the result.
core::Result<std::unique_ptr<storage::ChecksumVerifyingStore>> open_verified_backup(
    storage::ObjectStore& store, const std::string& backup);

}  // namespace stillpoint::catalog
