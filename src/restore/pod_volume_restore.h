// Pod volume data on restore (issue 7; Velero's pod_volume_restore_action.go and
// restore-helper, reference velero-hooks-behaviour.md §"Relation to the FS-restore helper"):
// a pod whose volumes have data in the backup is created with a first init container,
// `restore-wait`, that mounts each of them at /restores/<volume> and waits for a done-marker.
// Once it runs, each volume's stored tar is streamed into it over exec stdin
// (`tar -C /restores/<volume> -xf -`), decompressed on the pool in bounded pieces, and its
// size and SHA-256 are checked against the backup's manifest before stdin is closed. Only
// when every volume arrived intact is the marker written, which ends restore-wait and lets
// the pod's init hooks and containers start — on restored data. A checksum mismatch, a
// truncated or corrupt stream, or a helper without tar leaves the pod held in restore-wait
// (it never starts on damaged data) and fails that pod's restore loudly.
#pragma once

#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "catalog/volume_manifest.h"
#include "core/go_duration.h"
#include "hooks/clock.h"
#include "hooks/pod_exec.h"
#include "kube/cluster_api.h"
#include "restore/stop_signal.h"
#include "storage/object_store.h"

namespace stillpoint::restore {

// Needs sh, sleep, touch, head and tar: busybox has them all (Velero's own helper image has
// no tar).
inline constexpr const char* kDefaultRestoreHelperImage = "busybox:1.36";
inline constexpr const char* kRestoresDir = "/restores";
inline constexpr const char* kDoneMarker = ".stillpoint-restore-done";

// The restore-wait init container for these volumes (names only matter). `run_as_root`: it
// runs as root (securityContext runAsUser 0), so that tar restores owners and modes exactly;
// otherwise as the pod's user.
nlohmann::json restore_wait_container(const std::string& image,
                                      const std::vector<catalog::VolumeRecord>& volumes,
                                      bool run_as_root = true);
// False when the pod declares spec.securityContext.runAsNonRoot: a root helper would be
// refused, so it runs as the pod's user (owners are then that user's).
bool pod_allows_root_helper(const nlohmann::json& pod);

// Puts `container` first in the pod's spec.initContainers, after removing any restore-wait or
// restic-wait container the backed-up pod already had (as Velero's restore action does).
void inject_restore_wait(nlohmann::json& pod, nlohmann::json container);
// Removes them only: a pod backed up after an earlier restore carries a restore-wait that,
// with no data to deliver this time, would wait forever.
void remove_restore_wait(nlohmann::json& pod);

// The records whose data a restored pod gets: Completed ones for volumes its spec still has.
// The others are returned in `not_restored` with the reason, for warnings.
std::vector<catalog::VolumeRecord> volumes_to_restore(
    const nlohmann::json& pod, const std::vector<catalog::VolumeRecord>& records,
    std::vector<std::string>& not_restored);

struct VolumeRestoreEnv {
  hooks::PodExec& exec;
  kube::ClusterApi& cluster;
  hooks::Clock& clock;
  storage::ObjectStore& store;
  boost::asio::any_io_executor pool;  // reads and decompression
  uint64_t* bytes_copied = nullptr;   // progress: tar bytes sent (on the I/O executor)
};

struct VolumeRestoreResult {
  std::string volume;
  bool ok = false;
  uint64_t bytes = 0;
  std::string error;
};

struct PodVolumesOutcome {
  std::vector<VolumeRestoreResult> volumes;
  bool released = false;  // restore-wait was let go: the pod starts
  std::string error;      // why not, naming the pod
};

class PodVolumeRestorer {
 public:
  // `wait`: how long restore-wait may take to start running.
  PodVolumeRestorer(boost::asio::any_io_executor ex, VolumeRestoreEnv env, core::Duration wait)
      : env_(env), wait_(wait), stop_(ex) {}

  boost::asio::awaitable<PodVolumesOutcome> run(std::string namespace_name,
                                                std::string pod,
                                                std::vector<catalog::VolumeRecord> volumes);

  // Interrupted: waiting runs give up at once (copies in progress finish or fail by
  // themselves). Call on the executor.
  void stop();

 private:
  boost::asio::awaitable<std::string> wait_for_helper(const std::string& ns,
                                                      const std::string& pod);
  boost::asio::awaitable<VolumeRestoreResult> copy_volume(const std::string& ns,
                                                          const std::string& pod,
                                                          const catalog::VolumeRecord& record);

  VolumeRestoreEnv env_;
  core::Duration wait_;
  StopSignal stop_;
};

}  // namespace stillpoint::restore
