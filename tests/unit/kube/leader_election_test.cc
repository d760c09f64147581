// LeaderElector on FakeCluster and FakeClock: client-go's election rules in simulated time.
#include "kube/leader_election.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "fakes/fake_cluster.h"

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;
using stillpoint::testing::FakeCluster;

const std::string kNs = "stillpoint";
const std::string kLease = "stillpoint-server";

struct Candidate {
  std::unique_ptr<LeaderElector> elector;
  asio::cancellation_signal stop;
  std::optional<core::Status> result;
  int started = 0;
  int stopped = 0;
  std::vector<std::string> events;
  std::vector<std::string> leaders;
};

asio::awaitable<void> run_candidate(Candidate* c) {
  LeaderCallbacks cb;
  cb.on_started_leading = [c] { ++c->started; };
  cb.on_stopped_leading = [c] {
    EXPECT_FALSE(c->elector->is_leader());
    ++c->stopped;
  };
  cb.on_new_leader = [c](const std::string& id) { c->leaders.push_back(id); };
  cb.on_event = [c](const std::string& m) { c->events.push_back(m); };
  c->result = co_await c->elector->run(std::move(cb));
}

// Forwards to a FakeCluster; while `hang` is set, get and patch never answer (a server that
// accepted the connection and went silent) until cancelled.
class HangingCluster : public ClusterApi {
 public:
  HangingCluster(FakeCluster& inner, testing::FakeClock& clock) : inner_(inner), clock_(clock) {}
  bool hang = false;

  asio::awaitable<core::Result<DiscoveryResult>> discover() override { return inner_.discover(); }
  asio::awaitable<core::Result<nlohmann::json>> get(const GroupVersionResource& gvr,
                                                    std::string_view ns,
                                                    std::string_view name) override {
    if (hang)
      co_await clock_.sleep_for(std::chrono::hours(1));
    co_return co_await inner_.get(gvr, ns, name);
  }
  asio::awaitable<core::Result<ListSummary>> list(const GroupVersionResource& gvr,
                                                  ListOptions options,
                                                  ItemCallback on_item) override {
    return inner_.list(gvr, std::move(options), std::move(on_item));
  }
  asio::awaitable<core::Result<nlohmann::json>> create(const GroupVersionResource& gvr,
                                                       std::string_view ns,
                                                       const nlohmann::json& object) override {
    return inner_.create(gvr, ns, object);
  }
  asio::awaitable<core::Result<nlohmann::json>> patch(const GroupVersionResource& gvr,
                                                      std::string_view ns,
                                                      std::string_view name,
                                                      PatchType type,
                                                      const nlohmann::json& patch) override {
    if (hang) {
      co_await clock_.sleep_for(std::chrono::hours(1));
      co_return core::unexpected(core::ErrorCode::Cancelled, "abandoned");
    }
    co_return co_await inner_.patch(gvr, ns, name, type, patch);
  }
  asio::awaitable<core::Status> remove(const GroupVersionResource& gvr,
                                       std::string_view ns,
                                       std::string_view name,
                                       std::string_view propagation) override {
    return inner_.remove(gvr, ns, name, propagation);
  }
  asio::awaitable<core::Status> watch(const GroupVersionResource& gvr,
                                      WatchOptions options,
                                      WatchCallback on_event) override {
    return inner_.watch(gvr, std::move(options), std::move(on_event));
  }

 private:
  FakeCluster& inner_;
  testing::FakeClock& clock_;
};

class LeaderElectionTest : public ::testing::Test {
 protected:
  LeaderElectionTest() {
    cluster.serve(FakeCluster::resource("coordination.k8s.io", "v1", "leases", "Lease", true));
    cluster.update("namespaces",
                   {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", kNs}}}});
  }

  std::unique_ptr<Candidate> candidate(const std::string& identity) {
    auto c = std::make_unique<Candidate>();
    LeaderElectionConfig config;
    config.namespace_name = kNs;
    config.name = kLease;
    config.identity = identity;
    c->elector = std::make_unique<LeaderElector>(cluster, clock, config);
    return c;
  }

  void start(Candidate& c) {
    asio::co_spawn(io, run_candidate(&c),
                   asio::bind_cancellation_slot(c.stop.slot(), asio::detached));
    io.poll();
  }

  // Moves simulated time in 100 ms steps, running what became ready, until `done` holds or
  // `limit` has passed; `each_step` runs after every step (for invariants). Returns done().
  bool run_until(const std::function<bool()>& done,
                 core::Duration limit,
                 const std::function<void()>& each_step = {}) {
    io.poll();
    for (core::Duration t{}; t < limit && !done(); t += milliseconds(100)) {
      clock.advance(milliseconds(100));
      io.poll();
      if (each_step)
        each_step();
    }
    return done();
  }

  nlohmann::json lease() const {
    return cluster.object("coordination.k8s.io", "leases", kNs, kLease).value_or(nullptr);
  }

  // Another replica's lease, as the server would hold it.
  void put_foreign_lease(const std::string& holder, const std::string& renew_time) {
    cluster.update("leases", {{"apiVersion", "coordination.k8s.io/v1"},
                              {"kind", "Lease"},
                              {"metadata", {{"name", kLease}, {"namespace", kNs}}},
                              {"spec",
                               {{"holderIdentity", holder},
                                {"leaseDurationSeconds", 15},
                                {"acquireTime", "2000-01-01T00:00:00.000000Z"},
                                {"renewTime", renew_time},
                                {"leaseTransitions", 3}}}});
  }

  asio::io_context io;
  FakeCluster cluster;
  testing::FakeClock clock;
};

// A free lease is created and held: holder, duration 15 s, no transitions, both times set;
// renewals move renewTime and keep acquireTime.
TEST_F(LeaderElectionTest, AcquiresAFreeLeaseAndRenewsIt) {
  auto a = candidate("a");
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  EXPECT_EQ(a->started, 1);
  nlohmann::json spec = lease()["spec"];
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 15);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  EXPECT_EQ(spec["acquireTime"], spec["renewTime"]);
  const std::string acquired = spec["acquireTime"];

  ASSERT_TRUE(run_until([&] { return lease()["spec"]["renewTime"] != acquired; }, seconds(3)));
  EXPECT_EQ(lease()["spec"]["acquireTime"], acquired);
  run_until([] { return false; }, seconds(30));
  EXPECT_TRUE(a->elector->is_leader());
  EXPECT_EQ(a->stopped, 0);
  EXPECT_EQ(lease()["spec"]["leaseTransitions"], 0);
}

// While the holder keeps changing the record, a candidate never takes the lease, however old
// the remote renewTime looks to its own clock.
TEST_F(LeaderElectionTest, DoesNotAcquireWhileAnotherHolderRenews) {
  put_foreign_lease("other", "2000-01-01T00:00:00.000000Z");
  auto b = candidate("b");
  start(*b);
  int step = 0;
  run_until([] { return false; }, seconds(120),
            [&] {
              if (++step % 50 == 0)  // every 5 s, well inside 15 s
                put_foreign_lease("other",
                                  "2000-01-01T00:00:" + std::to_string(10 + step / 50) + ".0Z");
              ASSERT_FALSE(b->elector->is_leader());
            });
  EXPECT_EQ(b->started, 0);
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "other");
  EXPECT_EQ(b->elector->leader(), "other");
}

// A record unchanged for leaseDurationSeconds by the candidate's own clock (since it first saw
// it) is expired: taken with leaseTransitions + 1. Not before: a renewTime from the year 2000
// does not make it expired at once.
TEST_F(LeaderElectionTest, AcquiresAfterTheLeaseExpiresByLocalObservation) {
  put_foreign_lease("other", "2000-01-01T00:00:00.000000Z");
  auto b = candidate("b");
  start(*b);
  const auto observed = clock.steady_now();
  EXPECT_FALSE(b->elector->is_leader());
  EXPECT_FALSE(run_until([&] { return b->elector->is_leader(); }, seconds(14)));
  ASSERT_TRUE(run_until([&] { return b->elector->is_leader(); }, seconds(10)));
  EXPECT_GE(clock.steady_now() - observed, seconds(15));
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "b");
  EXPECT_EQ(lease()["spec"]["leaseTransitions"], 4);
  EXPECT_EQ(b->leaders, (std::vector<std::string>{"other", "b"}));
}

// Two candidates started together: exactly one leads, at every moment, and the other never
// starts.
TEST_F(LeaderElectionTest, TwoCandidatesExactlyOneLeads) {
  auto a = candidate("a");
  auto b = candidate("b");
  asio::co_spawn(io, run_candidate(a.get()),
                 asio::bind_cancellation_slot(a->stop.slot(), asio::detached));
  asio::co_spawn(io, run_candidate(b.get()),
                 asio::bind_cancellation_slot(b->stop.slot(), asio::detached));
  run_until([] { return false; }, seconds(90),
            [&] { ASSERT_EQ(int(a->elector->is_leader()) + int(b->elector->is_leader()), 1); });
  EXPECT_EQ(a->started + b->started, 1);
  EXPECT_EQ(a->stopped + b->stopped, 0);
}

// A leader whose writes fail stops leading within the renew deadline of its last successful
// renewal, says so, and run() ends with Unavailable.
TEST_F(LeaderElectionTest, LeaderThatCannotRenewStopsWithinTheRenewDeadline) {
  auto a = candidate("a");
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  run_until([] { return false; }, seconds(5));
  const std::string last_renew = lease()["spec"]["renewTime"];
  const auto failing_from = clock.steady_now();
  cluster.fail(FakeCluster::Call::Patch, "leases", "",
               core::Error{core::ErrorCode::Unavailable, "connection refused"});
  cluster.fail(FakeCluster::Call::Get, "leases", "",
               core::Error{core::ErrorCode::Unavailable, "connection refused"});
  ASSERT_TRUE(run_until([&] { return a->result.has_value(); }, seconds(30)));
  EXPECT_LE(clock.steady_now() - failing_from, seconds(10) + milliseconds(100));
  EXPECT_FALSE(a->elector->is_leader());
  EXPECT_EQ(a->stopped, 1);
  EXPECT_EQ(a->result->error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(a->result->error().message.find("not renewed within 10s"), std::string::npos)
      << a->result->error().message;
  EXPECT_NE(a->result->error().message.find("connection refused"), std::string::npos);
  bool said_so = false;
  for (const auto& e : a->events)
    said_so = said_so || e.find(
                             "stopped leading: lost lease stillpoint/stillpoint-server: "
                             "not renewed within 10s") != std::string::npos;
  EXPECT_TRUE(said_so);
  // It tried to release (as client-go does after renew() ends) and that failed too.
  EXPECT_NE(a->events.back().find("release failed: connection refused"), std::string::npos)
      << a->events.back();
  EXPECT_EQ(lease()["spec"]["renewTime"], last_renew);
}

// is_leader() turns false at the renew deadline even while a renewal hangs: the server stops
// starting work the moment it is not sure it leads, and the hung request is abandoned.
TEST_F(LeaderElectionTest, IsLeaderIsFalseAtTheRenewDeadlineWhileARenewalHangs) {
  HangingCluster hanging(cluster, clock);
  auto a = std::make_unique<Candidate>();
  a->elector =
      std::make_unique<LeaderElector>(hanging, clock, LeaderElectionConfig{kNs, kLease, "a"});
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  run_until([] { return false; }, seconds(5));
  const std::string last = lease()["spec"]["renewTime"];
  hanging.hang = true;
  // The last successful write started at most one retry period (2 s) ago.
  const auto hung_at = clock.steady_now();
  ASSERT_TRUE(run_until([&] { return !a->elector->is_leader(); }, seconds(30)));
  EXPECT_LE(clock.steady_now() - hung_at, seconds(10));
  EXPECT_GE(clock.steady_now() - hung_at, seconds(8));
  // The release that follows hangs too and is abandoned after the renew deadline.
  ASSERT_TRUE(run_until([&] { return a->result.has_value(); }, seconds(11)));
  EXPECT_EQ(a->result->error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(a->result->error().message.find("no answer within"), std::string::npos)
      << a->result->error().message;
  EXPECT_EQ(lease()["spec"]["renewTime"], last);
}

// A leader cancelled on a clean shutdown releases the lease (holder "", duration 1 s), and a
// waiting candidate takes it at its next retry instead of after 15 s.
TEST_F(LeaderElectionTest, ReleaseOnShutdownLetsTheOtherTakeOverAtOnce) {
  auto a = candidate("a");
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  auto b = candidate("b");
  start(*b);
  run_until([] { return false; }, seconds(20));
  ASSERT_FALSE(b->elector->is_leader());

  a->stop.emit(asio::cancellation_type::terminal);
  io.poll();
  ASSERT_TRUE(a->result.has_value());
  EXPECT_EQ(a->result->error().code, core::ErrorCode::Cancelled);
  EXPECT_EQ(a->stopped, 1);
  EXPECT_FALSE(a->elector->is_leader());
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "");
  EXPECT_EQ(lease()["spec"]["leaseDurationSeconds"], 1);

  const auto released = clock.steady_now();
  ASSERT_TRUE(run_until([&] { return b->elector->is_leader(); }, seconds(15)));
  EXPECT_LE(clock.steady_now() - released, milliseconds(4500));  // one jittered retry
  EXPECT_EQ(lease()["spec"]["leaseTransitions"], 1);
}

// Without release_on_cancel (a crash-like stop) the lease stays with the stopped leader until
// it expires.
TEST_F(LeaderElectionTest, StopWithoutReleaseLeavesTheLeaseToExpire) {
  auto a = std::make_unique<Candidate>();
  LeaderElectionConfig config{kNs, kLease, "a"};
  config.release_on_cancel = false;
  a->elector = std::make_unique<LeaderElector>(cluster, clock, config);
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  auto b = candidate("b");
  start(*b);
  a->stop.emit(asio::cancellation_type::terminal);
  io.poll();
  ASSERT_TRUE(a->result.has_value());
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "a");
  const auto stopped = clock.steady_now();
  EXPECT_FALSE(run_until([&] { return b->elector->is_leader(); }, seconds(12)));
  ASSERT_TRUE(run_until([&] { return b->elector->is_leader(); }, seconds(12)));
  EXPECT_GE(clock.steady_now() - stopped, seconds(13));
}

// A concurrent writer that changes the Lease under the leader (here: an annotation) makes the
// leader's write on its old resourceVersion a 409; it reads the Lease again and renews.
TEST_F(LeaderElectionTest, ConflictFromAConcurrentWriterIsHandled) {
  auto a = candidate("a");
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  nlohmann::json l = lease();
  l["metadata"]["annotations"]["touched"] = "yes";
  cluster.update("leases", l);
  const std::string before = lease()["spec"]["renewTime"];
  ASSERT_TRUE(run_until([&] { return lease()["spec"]["renewTime"] != before; }, seconds(3)));
  EXPECT_TRUE(a->elector->is_leader());
  EXPECT_EQ(lease()["metadata"]["annotations"]["touched"], "yes");
  bool conflict_noted = false;
  for (const auto& e : a->events)
    conflict_noted = conflict_noted || e.find("has been modified") != std::string::npos;
  EXPECT_TRUE(conflict_noted);
}

// A writer that takes the Lease away (another holder written) makes the leader stop at once
// when it reads it, not at its renew deadline.
TEST_F(LeaderElectionTest, LeaderSeeingAnotherHolderStopsAtOnce) {
  auto a = candidate("a");
  start(*a);
  ASSERT_TRUE(a->elector->is_leader());
  put_foreign_lease("intruder", "2000-01-01T00:00:00.000000Z");
  const auto taken = clock.steady_now();
  ASSERT_TRUE(run_until([&] { return a->result.has_value(); }, seconds(15)));
  EXPECT_LE(clock.steady_now() - taken, milliseconds(2100));
  EXPECT_EQ(a->result->error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(a->result->error().message.find("now held by intruder"), std::string::npos);
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "intruder");  // no release over another holder
}

// A candidate that loses the create race (409 AlreadyExists) keeps standing and does not lead.
TEST_F(LeaderElectionTest, LosingTheCreateRaceIsNotLeading) {
  auto b = candidate("b");
  cluster.fail(FakeCluster::Call::Get, "leases", "",
               core::Error{core::ErrorCode::NotFound, "leases \"x\" not found"}, 1);
  put_foreign_lease("other", "2000-01-01T00:00:00.000000Z");
  start(*b);
  EXPECT_FALSE(b->elector->is_leader());
  EXPECT_EQ(b->started, 0);
  EXPECT_EQ(lease()["spec"]["holderIdentity"], "other");
}

// Configurations client-go refuses are refused before anything is written, naming the field.
TEST_F(LeaderElectionTest, InvalidConfigurationIsRefused) {
  struct Case {
    const char* name;
    std::function<void(LeaderElectionConfig&)> change;
    const char* says;
  };
  const std::vector<Case> cases = {
      {"no namespace", [](auto& c) { c.namespace_name.clear(); }, "namespace is empty"},
      {"lease not longer than deadline", [](auto& c) { c.lease_duration = seconds(10); },
       "must be greater than the renew deadline"},
      {"deadline within jittered retry", [](auto& c) { c.retry_period = seconds(9); },
       "retry period times the jitter"},
      {"fractional lease", [](auto& c) { c.lease_duration = milliseconds(15500); },
       "whole number of seconds"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    LeaderElectionConfig config{kNs, kLease, "a"};
    c.change(config);
    auto s = validate(config);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(s.error().message.find(c.says), std::string::npos) << s.error().message;
  }
  EXPECT_TRUE(validate(LeaderElectionConfig{kNs, kLease, "a"}));
  EXPECT_TRUE(cluster.calls.empty());
}

// The default identity is hostname_uuid and differs per elector (a restart is a new candidate).
TEST(LeaderIdentity, HostnameUnderscoreRandomUuid) {
  const std::string a = default_leader_identity();
  const std::string b = default_leader_identity();
  EXPECT_NE(a, b);
  const auto underscore = a.rfind('_');
  ASSERT_NE(underscore, std::string::npos);
  EXPECT_EQ(a.size() - underscore - 1, 36u);
  EXPECT_EQ(a[underscore + 15], '4');  // UUID version 4
}

}  // namespace
}  // namespace stillpoint::kube
