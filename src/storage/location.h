// Backup locations as users name them: `--storage DIR`, `--storage file:///abs/dir`, or the
// STILLPOINT_STORAGE environment variable; by default $XDG_DATA_HOME/stillpoint/backups
// (~/.local/share/stillpoint/backups); `s3://BUCKET/PREFIX` for an S3-compatible bucket
// (storage/s3/s3_store.h), reached as the --s3-* flags say.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/object_store.h"
#include "storage/s3/s3_options.h"

namespace stillpoint::storage {

// The location to use: `flag` when non-empty, else STILLPOINT_STORAGE, else the default.
std::string resolve_location(std::string_view flag);

// Opens (creating the directory when needed) the store at `location`. Errors name the
// location and the cause: unsupported scheme, not a directory, not writable, a bad bucket
// name or --s3-* value, no S3 credentials. `s3_options` matter for s3:// only.
core::Result<std::unique_ptr<ObjectStore>> open_store(std::string_view location,
                                                      const s3::S3Options& s3_options = {});

}  // namespace stillpoint::storage
