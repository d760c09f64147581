// Why a restored pod the scheduler cannot place will not start however long the restore
// waits, so that its restore-wait helper and exec hooks fail at once with the binder's or
// scheduler's reason instead of waiting out --hook-wait-timeout (10 minutes by default) and
// then naming neither.
//
// A pod the scheduler cannot place has condition PodScheduled=False, reason Unschedulable,
// whose message is the scheduler's ("0/1 nodes are available: 1 pod has unbound immediate
// PersistentVolumeClaims."). Most such states pass (a claim waiting for its provisioner, a
// node coming up), so that alone is not a reason to stop waiting. What never passes is a claim
// that names, in spec.volumeName, a volume that does not exist or is bound to another claim:
// the PV controller never binds it (pkg/controller/volume/persistentvolume/pv_controller.go,
// syncUnboundClaim: "volume already bound to different claim by user, will retry later").
#pragma once

#include <optional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "kube/cluster_api.h"

namespace stillpoint::restore {

// The scheduler's message when `pod` has PodScheduled=False with reason Unschedulable;
// nullopt otherwise.
std::optional<std::string> unschedulable_message(const nlohmann::json& pod);

// When `pod` is unschedulable and one of its claims can never bind: why, naming the claim,
// the volume and what holds it, with the scheduler's message. nullopt when the pod is
// schedulable or nothing definite is found (then waiting may still help). Reads the pod's
// claims and their volumes; a read that fails counts as "nothing definite".
boost::asio::awaitable<std::optional<std::string>> unbindable_claim(kube::ClusterApi& cluster,
                                                                    const nlohmann::json& pod);

}  // namespace stillpoint::restore
