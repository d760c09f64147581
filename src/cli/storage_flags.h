// The flags every command that reads or writes backups shares: --storage and the --s3-*
// options, and the store they open. One place, so `backup create`, `restore create`, the
// read commands and `location check` accept the same locations with the same help.
#pragma once

#include <memory>
#include <string>

#include "core/result.h"
#include "storage/object_store.h"
#include "storage/s3/s3_options.h"

namespace CLI {
class App;
}

namespace stillpoint::cli {

struct StorageFlags {
  std::string location;  // --storage; empty: $STILLPOINT_STORAGE, then the XDG default
  storage::s3::S3Options s3;
  size_t part_size_mib = storage::s3::S3Options{}.part_size / storage::s3::kMiB;
};

void add_storage_flags(CLI::App& command, StorageFlags& flags);

core::Result<std::unique_ptr<storage::ObjectStore>> open_storage(const StorageFlags& flags);

}  // namespace stillpoint::cli
