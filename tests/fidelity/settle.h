// When the fidelity test's objects have settled: compared any earlier, a difference could be a
// server that is merely slower (a pod not yet Ready, a claim not yet Bound), not one that
// answers differently. The collector (collect.h) polls until this list is empty and two
// answers in a row reduce alike, or its deadline passes.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::fidelity {

// What is not settled yet, one line per object ("Pod fidelity/solo: not Ready"); empty when
// every pod is Ready (or Succeeded, for a Job's), every Deployment, StatefulSet, DaemonSet and
// ReplicaSet has all its replicas ready for its current generation, every claim and volume is
// Bound, every Job is Complete, every CRD Established and every ServiceAccount has its token
// Secret (1.20's token controller adds it shortly after the account is made).
std::vector<std::string> unsettled(const std::vector<nlohmann::json>& objects);

}  // namespace stillpoint::fidelity
