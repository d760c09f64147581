// The leader election record as a coordination.k8s.io/v1 Lease holds it (client-go's
// resourcelock.LeaderElectionRecord and LeaseLock's spec mapping): who holds the lease, for how
// long a candidate must see it unchanged before taking it, when it was acquired and renewed,
// how many times it changed hands.
//
// Times stay the strings the server stored: leader election never compares a remote time with
// the local clock (expiry is judged by when a change was observed locally), and a renewal
// carries acquireTime over byte for byte. Not here: reading or writing the Lease itself
// (leader_election.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/resource_types.h"

namespace stillpoint::kube {

// coordination.k8s.io/v1 leases.
GroupVersionResource lease_resource();

struct LeaderElectionRecord {
  std::string holder_identity;  // empty: nobody holds it (released)
  int64_t lease_duration_seconds = 0;
  std::string acquire_time;  // MicroTime, as stored ("" when absent)
  std::string renew_time;
  int64_t leader_transitions = 0;

  bool operator==(const LeaderElectionRecord&) const = default;
};

// The record in a Lease's spec; absent fields are their zero values, as client-go reads them.
// Errors: InvalidArgument naming the field and the Lease when a field has the wrong type.
core::Result<LeaderElectionRecord> record_from_lease(const nlohmann::json& lease);

// The Lease spec for `record` (every field written, holderIdentity "" included, as client-go's
// LeaderElectionRecordToLeaseSpec does).
nlohmann::json lease_spec(const LeaderElectionRecord& record);

// metav1.MicroTime's wire form: RFC 3339 in UTC with exactly six fractional digits.
std::string format_micro_time(std::chrono::system_clock::time_point t);

}  // namespace stillpoint::kube
