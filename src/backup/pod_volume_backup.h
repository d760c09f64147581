// Copies one pod volume's data into the backup location, between the pod's pre and post hooks
// (../shared/spec/hooks.md §6): `tar -C <mountPath> -cf - .` runs in a container that mounts
// the volume, its stdout streams over exec into a zstd frame written to the object store as it
// arrives (archive/volume_stream.h): never whole in memory or on local disk. Compression,
// hashing and writes happen on the blocking pool, one batch at a time, while the exec stream
// waits (backpressure).
//
// Two kinds of failure: the volume's (no tar, tar failed, pod not running, timeout) fail that
// volume, recorded, and the backup goes on; the backup location's (a write or commit failed,
// e.g. a full disk) are `storage_error`, which the caller must treat as fatal.
#pragma once

#include <cstdint>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "catalog/volume_manifest.h"
#include "core/go_duration.h"
#include "core/result.h"
#include "hooks/clock.h"
#include "hooks/pod_exec.h"
#include "hooks/volume_selection.h"
#include "storage/object_store.h"

namespace stillpoint::backup {

// Velero's --fs-backup-timeout default.
inline constexpr auto kDefaultVolumeTimeout = std::chrono::hours(4);

struct VolumeBackupContext {
  hooks::PodExec& exec;
  hooks::Clock& clock;
  storage::ObjectStore& store;
  boost::asio::any_io_executor pool;  // blocking work
  std::string backup;
  core::Duration timeout = kDefaultVolumeTimeout;
  uint64_t* bytes_copied = nullptr;  // progress: tar bytes received (on the I/O executor)
};

struct VolumeBackupOutcome {
  catalog::VolumeRecord record;
  core::Status storage_error = core::ok();
};

boost::asio::awaitable<VolumeBackupOutcome> back_up_pod_volume(VolumeBackupContext ctx,
                                                               std::string namespace_name,
                                                               std::string pod,
                                                               hooks::PodVolume volume);

}  // namespace stillpoint::backup
