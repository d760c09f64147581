// Backup locations as users name them: `--storage DIR`, `--storage file:///abs/dir`, or the
// STILLPOINT_STORAGE environment variable; by default $XDG_DATA_HOME/stillpoint/backups
// (~/.local/share/stillpoint/backups). `s3://` arrives with the S3 issue.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::storage {

// The location to use: `flag` when non-empty, else STILLPOINT_STORAGE, else the default.
std::string resolve_location(std::string_view flag);

// Opens (creating the directory when needed) the store at `location`. Errors name the
// location and the cause: unsupported scheme, not a directory, not writable.
core::Result<std::unique_ptr<ObjectStore>> open_store(std::string_view location);

}  // namespace stillpoint::storage
