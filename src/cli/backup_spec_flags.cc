#include "cli/backup_spec_flags.h"

#include <CLI/CLI.hpp>

namespace stillpoint::cli {

void add_backup_spec_flags(CLI::App& command, BackupSpecFlags& flags) {
  command.add_option("--ttl", flags.ttl,
                     "How long to keep the backup, a Go duration (spec.ttl; default 720h)");
  command.add_option("--storage-location", flags.storage_location,
                     "The server's BackupStorageLocation to write to (spec.storageLocation; "
                     "default: the server's default location)");
  command.add_flag("--default-volumes-to-fs-backup", flags.default_volumes_to_fs_backup,
                   "Copy the data of every pod volume (never hostPath, secret, configMap, "
                   "projected, downwardAPI) unless named in the pod's annotation "
                   "backup.velero.io/backup-volumes-excludes; without it, only volumes named in "
                   "backup.velero.io/backup-volumes are copied");
}

core::Status write_backup_spec_flags(const FilterFlags& filter,
                                     const BackupSpecFlags& flags,
                                     nlohmann::json& spec) {
  if (auto written = write_filter_flags(filter, spec); !written)
    return written;
  if (!flags.ttl.empty())
    spec["ttl"] = flags.ttl;
  if (!flags.storage_location.empty())
    spec["storageLocation"] = flags.storage_location;
  if (flags.default_volumes_to_fs_backup)
    spec["defaultVolumesToFsBackup"] = true;
  return core::ok();
}

}  // namespace stillpoint::cli
