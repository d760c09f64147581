// The flags that write a Backup's spec: the filter flags (filter_flags.h) plus --ttl,
// --default-volumes-to-fs-backup and --storage-location. `backup create` writes them over the
// Backup's spec, `schedule create` over the Schedule's spec.template (a Backup's spec), so the
// two commands spell, document and write them alike. Checking the fields is left to
// operation/backup_request_from_object.h, as for a spec from --from-file.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/filter_flags.h"
#include "core/result.h"

namespace CLI {
class App;
}

namespace stillpoint::cli {

struct BackupSpecFlags {
  std::string ttl;  // Go duration; empty: the spec's (or 720h)
  bool default_volumes_to_fs_backup = false;
  std::string storage_location;  // a BackupStorageLocation of the server; empty: the spec's
};

// --ttl, --storage-location and --default-volumes-to-fs-backup (the filter flags are added by
// add_object_flags, next to --from-file).
void add_backup_spec_flags(CLI::App& command, BackupSpecFlags& flags);

// Writes each given flag over its field of `spec` (a Backup's spec); fields of flags not
// given stay. InvalidArgument for a bad --selector.
core::Status write_backup_spec_flags(const FilterFlags& filter,
                                     const BackupSpecFlags& flags,
                                     nlohmann::json& spec);

}  // namespace stillpoint::cli
