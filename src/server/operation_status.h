// Writing a Backup's or Restore's status back to its object (the status subresource, a merge
// patch), and what of a run's status the object carries: everything velero-backup.json has,
// except that hookResults is cut to kMaxHookResultsOnObject entries (failures first) — an
// object must stay far below etcd's 1.5 MiB limit with thousands of hooks, and the full list
// is in the location (`stillpoint backup describe`).
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/cluster_api.h"

namespace stillpoint::server {

inline constexpr size_t kMaxHookResultsOnObject = 50;

// `status` as stored in the location → the status written on the object.
nlohmann::json status_for_object(nlohmann::json status);

// The phase written when a run never started: a spec the parser rejected.
nlohmann::json failed_validation_status(const std::string& reason);
// The phase written when a run failed before or outside the runner.
nlohmann::json failed_status(const std::string& reason);

// Merge-patches `status` onto the object's status subresource. With `resource_version`, the
// patch applies only to that version of the object (Conflict otherwise): how a replica
// claims a New object so that no other replica can also start it.
boost::asio::awaitable<core::Status> patch_status(kube::ClusterApi& cluster,
                                                  kube::GroupVersionResource gvr,
                                                  const std::string& namespace_name,
                                                  const std::string& name,
                                                  const nlohmann::json& status,
                                                  const std::string& resource_version = "");

// On a Backup object the backup sync created from a location (backup_sync.h), naming that
// location ("" for the server's own). Created before its status can be written (the status
// subresource drops status on create), such an object must never look new to a controller,
// which would run the backup again over the data it describes.
inline constexpr const char* kSyncedFromAnnotation = "stillpoint.io/synced-from-location";

// "" or "New", and not created by the backup sync: the object waits for a server.
bool is_new(const nlohmann::json& object);

}  // namespace stillpoint::server
