// Where a Backup or Restore is written or read: the BackupStorageLocation it names
// (spec.storageLocation), else the one marked spec.default: true, else the server's own
// --storage/--s3-* location (so `stillpoint server --storage DIR` works without any BSL).
//
// A BackupStorageLocation is read as Velero's (velero.io/v1 BackupStorageLocationSpec):
// provider `aws` (or `velero.io/aws`) is S3 with Velero's AWS plugin config keys (region,
// s3Url, s3ForcePathStyle, insecureSkipTLSVerify, profile), objectStorage.bucket/prefix,
// and credentials from spec.credential (a Secret key holding an AWS shared-credentials
// file, as Velero's BSL does) or else the server's environment; provider
// `stillpoint.io/local` is a directory (config.path), for tests and single-node trials.
#pragma once

#include <memory>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/cluster_api.h"
#include "server/api_resources.h"
#include "storage/object_store.h"
#include "storage/s3/s3_options.h"

namespace stillpoint::server {

// The server's own location (--storage and the --s3-* flags).
struct DefaultLocation {
  std::string location;  // empty: $STILLPOINT_STORAGE, then the XDG default
  storage::s3::S3Options s3;
};

struct ResolvedLocation {
  std::unique_ptr<storage::ObjectStore> store;
  std::string location_name;  // the BackupStorageLocation's name; empty for the default
  // spec.accessMode: ReadOnly (Velero's): read and synced, never written nor deleted from.
  bool read_only = false;
};

// A BackupStorageLocation object → its store. InvalidArgument names the field and value.
core::Result<std::unique_ptr<storage::ObjectStore>> open_location(
    const nlohmann::json& location, const std::string& credentials_ini);

// `requested` is the object's spec.storageLocation (may be empty). An error names the
// location; `failed_location` is then set to the BackupStorageLocation that could not be
// opened (empty when none was involved), which the caller marks Unavailable.
boost::asio::awaitable<core::Result<ResolvedLocation>> resolve_location(
    kube::ClusterApi& cluster,
    const ApiResources& resources,
    const std::string& namespace_name,
    const std::string& requested,
    const DefaultLocation& fallback,
    std::string* failed_location);

// Writes status.phase (Available or Unavailable), status.message and lastValidationTime.
boost::asio::awaitable<void> mark_location(kube::ClusterApi& cluster,
                                           const ApiResources& resources,
                                           const std::string& namespace_name,
                                           const std::string& name,
                                           bool available,
                                           const std::string& message);

}  // namespace stillpoint::server
