// After a restore creates CustomResourceDefinitions, their custom resources can be created
// only once each CRD is Established (wire-protocol reference §3.8; Velero waits the same way).
#pragma once

#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "hooks/clock.h"
#include "kube/cluster_api.h"

namespace stillpoint::restore {

// Polls each CRD (every 250 ms) until its condition Established is "True", at most `limit`
// each. Returns one warning per CRD that did not become Established in time.
boost::asio::awaitable<std::vector<std::string>> wait_until_established(
    kube::ClusterApi& cluster,
    hooks::Clock& clock,
    std::vector<std::string> names,
    core::Duration limit);

}  // namespace stillpoint::restore
