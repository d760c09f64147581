// Which of a pod's volumes have their data copied by a backup (../shared/spec/hooks.md §6;
// Velero's GetVolumesByPod, pkg/util/podvolume/pod_volume.go, reference
// velero-hooks-behaviour.md §6):
// - opt-in (defaultVolumesToFsBackup false): the volumes named in
//   `backup.velero.io/backup-volumes` (comma-separated);
// - opt-out (true): every volume except those named in `backup.velero.io/backup-volumes-excludes`
//   and those named `default-token*`;
// - never hostPath, secret, configMap, projected or downwardAPI volumes.
// Where Velero silently skips (a listed volume the pod lacks, an ineligible type, a volume no
// container mounts), this adds a warning naming the pod, annotation and volume.
//
// The data is read through a container that mounts the volume: the first regular container
// (spec order) that mounts it whole (no subPath). Pure: no I/O.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::hooks {

namespace annotation {
inline constexpr const char* kBackupVolumes = "backup.velero.io/backup-volumes";
inline constexpr const char* kBackupVolumesExcludes = "backup.velero.io/backup-volumes-excludes";
}  // namespace annotation

struct PodVolume {
  std::string name;        // spec.volumes[].name
  std::string type;        // "emptyDir", "persistentVolumeClaim", ...
  std::string container;   // the container the data is read through
  std::string mount_path;  // where that container mounts it
  std::string claim;       // persistentVolumeClaim.claimName, "" for other types
};

struct VolumeSelection {
  std::vector<PodVolume> volumes;
  std::vector<std::string> warnings;
};

// `pod` is a Pod object (untrusted: any shape gives a selection, never an exception).
VolumeSelection select_pod_volumes(const nlohmann::json& pod, bool default_volumes_to_fs_backup);

// The volume source type of one spec.volumes[] entry: the key that is not "name"
// ("emptyDir", "hostPath", ...); "" when there is none.
std::string volume_type(const nlohmann::json& volume);

}  // namespace stillpoint::hooks
