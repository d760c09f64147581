// One step of following a pod: a watch from a resourceVersion until the pod's first change.
// Shared by the waits of restored pods (exec hooks, volume data).
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "kube/cluster_api.h"

namespace stillpoint::restore {

inline const kube::GroupVersionResource kPodsResource{"", "v1", "pods"};

// What a watch saw first: the pod's new state, or that it was deleted.
struct PodChange {
  bool deleted = false;
  nlohmann::json object;
};

// Empty on a watch error (e.g. 410 Gone: the caller reads the pod again) or when `limit`
// passed without a change. Returns an optional so that a race against a timer has a
// default-constructible result.
boost::asio::awaitable<std::optional<PodChange>> next_pod_change(kube::ClusterApi& cluster,
                                                                 std::string ns,
                                                                 std::string name,
                                                                 std::string rv,
                                                                 std::chrono::seconds limit);

std::string resource_version_of(const nlohmann::json& object);

}  // namespace stillpoint::restore
