#include "kube/leader_election.h"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

namespace stillpoint::kube {
namespace asio = boost::asio;
using namespace boost::asio::experimental::awaitable_operators;

namespace {

std::string seconds_text(core::Duration d) {
  return core::format_go_duration(d);
}

core::Unexpected invalid(const std::string& message) {
  return core::unexpected(core::ErrorCode::InvalidArgument, "leader election: " + message);
}

asio::awaitable<bool> cancelled() {
  co_return (co_await asio::this_coro::cancellation_state).cancelled() !=
      asio::cancellation_type::none;
}

}  // namespace

core::Status validate(const LeaderElectionConfig& c) {
  if (c.namespace_name.empty())
    return invalid("namespace is empty");
  if (c.name.empty())
    return invalid("lease name is empty");
  if (c.identity.empty())
    return invalid("identity is empty");
  if (c.retry_period <= core::Duration::zero())
    return invalid("retry period " + seconds_text(c.retry_period) + " is not positive");
  if (c.lease_duration < std::chrono::seconds(1) ||
      c.lease_duration % std::chrono::seconds(1) != core::Duration::zero()) {
    return invalid("lease duration " + seconds_text(c.lease_duration) +
                   " is not a whole number of seconds of at least 1s (the Lease stores seconds)");
  }
  if (c.lease_duration <= c.renew_deadline) {
    return invalid("lease duration " + seconds_text(c.lease_duration) +
                   " must be greater than the renew deadline " + seconds_text(c.renew_deadline));
  }
  const auto jittered_retry =
      std::chrono::duration_cast<core::Duration>(c.retry_period * std::max(c.jitter_factor, 1.0));
  if (c.renew_deadline <= jittered_retry) {
    return invalid("renew deadline " + seconds_text(c.renew_deadline) +
                   " must be greater than the retry period times the jitter (" +
                   seconds_text(jittered_retry) + ")");
  }
  return core::ok();
}

std::string default_leader_identity() {
  std::array<char, 256> host{};
  if (gethostname(host.data(), host.size() - 1) != 0)
    host[0] = '\0';
  std::random_device rd;
  std::array<uint8_t, 16> b{};
  for (auto& byte : b)
    byte = static_cast<uint8_t>(rd());
  b[6] = static_cast<uint8_t>((b[6] & 0x0f) | 0x40);  // version 4
  b[8] = static_cast<uint8_t>((b[8] & 0x3f) | 0x80);  // RFC 4122 variant
  char uuid[37];
  std::snprintf(uuid, sizeof uuid,
                "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
                b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
                b[15]);
  return std::string(host.data()) + "_" + uuid;
}

LeaderElector::LeaderElector(ClusterApi& api, core::Clock& clock, LeaderElectionConfig config)
    : api_(api), clock_(clock), config_(std::move(config)), random_(std::random_device{}()) {
  if (config_.identity.empty())
    config_.identity = default_leader_identity();
}

bool LeaderElector::is_leader() const {
  return leading_ && holds() && clock_.steady_now() < renewed_at_ + config_.renew_deadline;
}

core::Unexpected LeaderElector::cancelled_error() const {
  return core::unexpected(core::ErrorCode::Cancelled,
                          "leader election for lease " + lease_name() + " cancelled");
}

std::string LeaderElector::lease_name() const {
  return config_.namespace_name + "/" + config_.name;
}

void LeaderElector::note(const std::string& message) const {
  if (callbacks_.on_event)
    callbacks_.on_event("lease " + lease_name() + ": " + message);
}

bool LeaderElector::lease_valid(std::chrono::steady_clock::time_point now) const {
  return observed_time_ + std::chrono::seconds(observed_.lease_duration_seconds) > now;
}

void LeaderElector::set_observed(const LeaderElectionRecord& record) {
  observed_ = record;
  observed_any_ = true;
  observed_time_ = clock_.steady_now();
}

void LeaderElector::report_transition() {
  if (!observed_any_ || (reported_any_ && observed_.holder_identity == reported_leader_))
    return;
  reported_any_ = true;
  reported_leader_ = observed_.holder_identity;
  if (callbacks_.on_new_leader)
    callbacks_.on_new_leader(reported_leader_);
}

core::Duration LeaderElector::jittered(core::Duration d) {
  if (config_.jitter_factor <= 0)
    return d;
  std::uniform_real_distribution<double> u(0.0, config_.jitter_factor);
  return d + std::chrono::duration_cast<core::Duration>(d * u(random_));
}

// Every write is a JSON merge patch that carries the resourceVersion last read or written.
// client-go's LeaseLock uses PUT; ClusterApi offers no PUT, and a real API server treats
// metadata.resourceVersion in a patch as the same precondition as on PUT: the patched object
// is written through the same optimistic-concurrency update and a mismatch is 409 Conflict
// (kubectl annotate --resource-version relies on it; kubesim's lease_test checks it). A patch
// without it would apply to whatever is current, and two candidates could both win.
asio::awaitable<core::Status> LeaderElector::write(const LeaderElectionRecord& record) {
  const nlohmann::json patch = {{"metadata", {{"resourceVersion", resource_version_}}},
                                {"spec", lease_spec(record)}};
  // Named, not a temporary in the co_await expression: GCC 12 destroys such temporaries twice
  // when the coroutine suspends.
  const GroupVersionResource leases = lease_resource();
  auto written =
      co_await api_.patch(leases, config_.namespace_name, config_.name, PatchType::Merge, patch);
  if (!written)
    co_return core::unexpected(written.error());
  resource_version_ = (*written)["metadata"].value("resourceVersion", "");
  co_return core::ok();
}

// client-go's tryAcquireOrRenew: the leader's fast path (write on the version it holds), else
// read the Lease (create it when missing), judge expiry by local observation, and write.
asio::awaitable<bool> LeaderElector::try_acquire_or_renew() {
  const std::string now = format_micro_time(clock_.now());
  LeaderElectionRecord desired;
  desired.holder_identity = config_.identity;
  desired.lease_duration_seconds =
      std::chrono::duration_cast<std::chrono::seconds>(config_.lease_duration).count();
  desired.acquire_time = now;
  desired.renew_time = now;

  if (holds() && lease_valid(clock_.steady_now()) && !resource_version_.empty()) {
    LeaderElectionRecord renewal = desired;
    renewal.acquire_time = observed_.acquire_time;
    renewal.leader_transitions = observed_.leader_transitions;
    auto s = co_await write(renewal);
    if (s) {
      set_observed(renewal);
      co_return true;
    }
    last_error_ = s.error().message;
    note("renewing on the version held failed (" + last_error_ + "); reading the lease");
  }

  const GroupVersionResource leases = lease_resource();  // named: see write()
  auto got = co_await api_.get(leases, config_.namespace_name, config_.name);
  if (!got) {
    if (got.error().code != core::ErrorCode::NotFound) {
      last_error_ = "reading the lease: " + got.error().message;
      co_return false;
    }
    const nlohmann::json lease = {
        {"apiVersion", "coordination.k8s.io/v1"},
        {"kind", "Lease"},
        {"metadata", {{"name", config_.name}, {"namespace", config_.namespace_name}}},
        {"spec", lease_spec(desired)}};
    auto created = co_await api_.create(leases, config_.namespace_name, lease);
    if (!created) {
      // Conflict: another candidate created it first.
      last_error_ = "creating the lease: " + created.error().message;
      co_return false;
    }
    resource_version_ = (*created)["metadata"].value("resourceVersion", "");
    set_observed(desired);
    co_return true;
  }
  auto record = record_from_lease(*got);
  if (!record) {
    last_error_ = record.error().message;
    co_return false;
  }
  resource_version_ = (*got)["metadata"].value("resourceVersion", "");
  if (!observed_any_ || !(*record == observed_raw_)) {
    set_observed(*record);
    observed_raw_ = *record;
  }
  if (!record->holder_identity.empty() && lease_valid(clock_.steady_now()) && !holds()) {
    last_error_ = "held by " + record->holder_identity + " and not expired";
    co_return false;
  }
  if (holds()) {
    desired.acquire_time = record->acquire_time;
    desired.leader_transitions = record->leader_transitions;
  } else {
    desired.leader_transitions = record->leader_transitions + 1;
  }
  if (auto s = co_await write(desired); !s) {
    // Conflict: someone wrote since we read; the next attempt reads again.
    last_error_ = "writing the lease: " + s.error().message;
    co_return false;
  }
  set_observed(desired);
  co_return true;
}

// One attempt, abandoned (and its request cancelled) after `limit`.
asio::awaitable<bool> LeaderElector::attempt(core::Duration limit) {
  auto r = co_await (try_acquire_or_renew() || clock_.sleep_for(limit));
  if (r.index() == 1) {
    last_error_ = "no answer within " + seconds_text(limit);
    co_return false;
  }
  co_return std::get<0>(r);
}

asio::awaitable<void> LeaderElector::release() {
  if (!holds() || resource_version_.empty())
    co_return;
  const std::string now = format_micro_time(clock_.now());
  LeaderElectionRecord released;
  released.lease_duration_seconds = 1;
  released.acquire_time = now;
  released.renew_time = now;
  released.leader_transitions = observed_.leader_transitions;
  auto r = co_await (write(released) || clock_.sleep_for(config_.renew_deadline));
  if (r.index() == 1) {
    note("release failed: no answer within " + seconds_text(config_.renew_deadline));
  } else if (auto& s = std::get<0>(r); !s) {
    note("release failed: " + s.error().message);
  } else {
    set_observed(released);
    note("released");
  }
}

asio::awaitable<core::Status> LeaderElector::run(LeaderCallbacks callbacks) {
  // Cancellation is observed between steps (and ends the request in flight); a co_await that
  // threw on it would skip stopping and releasing. Restored for the caller afterwards.
  const bool throws = co_await asio::this_coro::throw_if_cancelled();
  co_await asio::this_coro::throw_if_cancelled(false);
  core::Status s = co_await elect(std::move(callbacks));
  co_await asio::this_coro::throw_if_cancelled(throws);
  co_return s;
}

asio::awaitable<core::Status> LeaderElector::elect(LeaderCallbacks callbacks) {
  if (auto s = validate(config_); !s)
    co_return s;
  callbacks_ = std::move(callbacks);
  note("attempting to acquire as " + config_.identity);

  // client-go's acquire(): try, then pause retry_period with jitter, until it succeeds.
  for (;;) {
    const auto started = clock_.steady_now();
    const bool acquired = co_await attempt(config_.renew_deadline);
    report_transition();
    if (acquired) {
      renewed_at_ = started;
      break;
    }
    if (co_await cancelled())
      co_return cancelled_error();
    co_await clock_.sleep_for(jittered(config_.retry_period));
    if (co_await cancelled())
      co_return cancelled_error();
  }
  if (co_await cancelled()) {
    // Cancelled while the winning write was in flight: never start, give the lease back.
    if (config_.release_on_cancel) {
      co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
      co_await release();
    }
    co_return cancelled_error();
  }
  leading_ = true;
  note("acquired; leading");
  if (callbacks_.on_started_leading)
    callbacks_.on_started_leading();

  // client-go's renew(): every retry period, retry until the renew deadline. The deadline runs
  // from the start of the last successful write (is_leader() turns false at the same moment).
  core::Status outcome = core::ok();
  while (outcome) {
    co_await clock_.sleep_for(config_.retry_period);
    if (co_await cancelled()) {
      outcome = cancelled_error();
      break;
    }
    for (;;) {
      const auto now = clock_.steady_now();
      const auto deadline = renewed_at_ + config_.renew_deadline;
      if (now >= deadline) {
        outcome =
            core::unexpected(core::ErrorCode::Unavailable,
                             "lost lease " + lease_name() + ": not renewed within " +
                                 seconds_text(config_.renew_deadline) + " (" + last_error_ + ")");
        break;
      }
      const bool renewed = co_await attempt(deadline - now);
      report_transition();
      if (renewed) {
        renewed_at_ = now;
        break;
      }
      if (co_await cancelled()) {
        outcome = cancelled_error();
        break;
      }
      if (observed_any_ && !holds()) {
        outcome = core::unexpected(
            core::ErrorCode::Unavailable,
            "lost lease " + lease_name() + ": now held by " + observed_.holder_identity);
        break;
      }
      note("renew failed, retrying: " + last_error_);
      co_await clock_.sleep_for(
          std::min<core::Duration>(config_.retry_period, deadline - clock_.steady_now()));
    }
  }

  // Stop starting work first, then give the lease up (client-go releases after renew() ends,
  // whatever ended it; release() writes only while the record still names this replica).
  leading_ = false;
  note(outcome.error().code == core::ErrorCode::Cancelled
           ? "stopped leading: cancelled"
           : "stopped leading: " + outcome.error().message);
  if (callbacks_.on_stopped_leading)
    callbacks_.on_stopped_leading();
  if (config_.release_on_cancel) {
    co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    co_await release();
  }
  co_return outcome;
}

}  // namespace stillpoint::kube
