// LeaderElector: client-go's leader election (tools/leaderelection with a LeaseLock) on a
// coordination.k8s.io/v1 Lease, so that of several replicas of a controller exactly one starts
// work. It reproduces client-go's rules:
//
// - a candidate creates the Lease or, when the holder is empty or the record has not changed
//   for leaseDurationSeconds *as measured on the local clock since this candidate last saw it
//   change*, takes it over (leaseTransitions + 1). The remote renewTime is never compared with
//   the local clock, so clock skew between replicas does not matter;
// - the leader renews every retry period; every write carries the resourceVersion it read, so
//   of two candidates racing for one lease the server lets exactly one write (409 to the other);
// - a leader that cannot renew within the renew deadline stops leading and says so
//   (on_stopped_leading, an event, run() returns Unavailable);
// - with release_on_cancel (client-go's ReleaseOnCancel) a leader that is cancelled writes
//   holderIdentity "" and leaseDurationSeconds 1, so another candidate takes over at once.
//
// Where it differs from client-go (docs/leader-election.md): is_leader() is also false once
// renew_deadline has passed since the start of the last successful write, even while a
// request hangs, and a leader that reads another holder in the Lease stops at once instead of
// retrying until the deadline. Both only make the leader stop earlier.
//
// Not here: what the leader does (the callbacks), restarting an election after it ended (make
// a new LeaderElector), events on the Lease object.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <random>
#include <string>

#include <boost/asio/awaitable.hpp>

#include "core/async/clock.h"
#include "core/result.h"
#include "kube/cluster_api.h"
#include "kube/lease_record.h"

namespace stillpoint::kube {

// client-go's defaults (and kube-controller-manager's --leader-elect-* flags).
inline constexpr auto kDefaultLeaseDuration = std::chrono::seconds(15);
inline constexpr auto kDefaultRenewDeadline = std::chrono::seconds(10);
inline constexpr auto kDefaultRetryPeriod = std::chrono::seconds(2);
// wait.JitterUntil's factor for a candidate's retries: a pause of retry * (1 + rand * 1.2).
inline constexpr double kLeaderElectionJitter = 1.2;

struct LeaderElectionConfig {
  std::string namespace_name;
  std::string name;      // the Lease's name
  std::string identity;  // empty: default_leader_identity()
  core::Duration lease_duration = kDefaultLeaseDuration;
  core::Duration renew_deadline = kDefaultRenewDeadline;
  core::Duration retry_period = kDefaultRetryPeriod;
  bool release_on_cancel = true;
  double jitter_factor = kLeaderElectionJitter;
};

// client-go's NewLeaderElector checks: a namespace, name and identity; lease duration longer
// than the renew deadline; renew deadline longer than jitter * retry period; all positive;
// the lease duration a whole number of seconds of at least 1 (it is stored in seconds).
// Errors: InvalidArgument naming the field and value.
core::Status validate(const LeaderElectionConfig& config);

// hostname + "_" + a random UUID, as client-go's users (kube-controller-manager) build it: a
// restarted replica is a new candidate, never the old holder.
std::string default_leader_identity();

struct LeaderCallbacks {
  // Leadership begins: the first thing that may start work.
  std::function<void()> on_started_leading;
  // Leadership ended (lost or cancelled). is_leader() is already false when this runs.
  std::function<void()> on_stopped_leading;
  // The observed holder changed (also to ""), as client-go's OnNewLeader.
  std::function<void(const std::string& identity)> on_new_leader;
  // One line for a log: acquired, renew failures, lost, released. Never holds credentials.
  std::function<void(const std::string& message)> on_event;
};

class LeaderElector {
 public:
  // `api` and `clock` must outlive the elector and its run().
  LeaderElector(ClusterApi& api, core::Clock& clock, LeaderElectionConfig config);

  const std::string& identity() const { return config_.identity; }

  // Stands for election until leading, then renews until leadership is lost or the awaiting
  // operation is cancelled. Returns InvalidArgument for a bad config (nothing written),
  // Unavailable when leadership was lost (the message says why), Cancelled when cancelled
  // (after releasing the lease if it led and release_on_cancel). Runs once per elector.
  // Runs on the caller's executor; the callbacks run on it too, synchronously.
  boost::asio::awaitable<core::Status> run(LeaderCallbacks callbacks);

  // True while this replica leads and the last successful write to the Lease started less than
  // renew_deadline ago. A controller checks it before starting each piece of work.
  // Call on run()'s executor.
  bool is_leader() const;

  // The holder last observed ("" for none).
  const std::string& leader() const { return observed_.holder_identity; }

 private:
  boost::asio::awaitable<core::Status> elect(LeaderCallbacks callbacks);
  boost::asio::awaitable<bool> try_acquire_or_renew();
  boost::asio::awaitable<bool> attempt(core::Duration limit);
  boost::asio::awaitable<core::Status> write(const LeaderElectionRecord& record);
  boost::asio::awaitable<void> release();
  bool holds() const { return observed_.holder_identity == config_.identity; }
  bool lease_valid(std::chrono::steady_clock::time_point now) const;
  void set_observed(const LeaderElectionRecord& record);
  void report_transition();
  void note(const std::string& message) const;
  core::Duration jittered(core::Duration d);
  std::string lease_name() const;
  core::Unexpected cancelled_error() const;

  ClusterApi& api_;
  core::Clock& clock_;
  LeaderElectionConfig config_;
  LeaderCallbacks callbacks_;

  LeaderElectionRecord observed_;      // the record as last read or written
  LeaderElectionRecord observed_raw_;  // the record as last read, to see it change
  bool observed_any_ = false;
  std::chrono::steady_clock::time_point observed_time_{};  // when observed_ last changed
  std::string resource_version_;                           // of the Lease as last read or written
  std::string reported_leader_;
  bool reported_any_ = false;

  bool leading_ = false;
  std::chrono::steady_clock::time_point renewed_at_{};  // start of the last successful write
  std::string last_error_;
  std::mt19937_64 random_;
};

}  // namespace stillpoint::kube
