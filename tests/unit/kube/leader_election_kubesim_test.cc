// Two LeaderElectors, each with its own connection (two replicas), against kubesim over TLS on
// 127.0.0.1 in real time, with short durations (lease 2 s, renew deadline 1.5 s, retry 0.3 s):
// exactly one leads; the leader stopped without releasing (as if killed) is replaced once the
// lease expires. Waits are on the electors' own callbacks, each with a deadline.
#include <functional>
#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "kube/leader_election.h"
#include "kube/rest_client.h"
#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct Replica {
  std::unique_ptr<RestClient> api;
  std::unique_ptr<LeaderElector> elector;
  asio::cancellation_signal stop;
  std::optional<core::Status> result;
  int started = 0;
};

class LeaderElectionOnKubesim : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env.started()); }

  std::unique_ptr<Replica> replica(const std::string& identity) {
    auto r = std::make_unique<Replica>();
    r->api = std::make_unique<RestClient>(env.client());
    LeaderElectionConfig config{"stillpoint", "stillpoint-server", identity};
    config.lease_duration = seconds(2);
    config.renew_deadline = milliseconds(1500);
    config.retry_period = milliseconds(300);
    config.release_on_cancel = false;  // stopped as a killed process stops: no release
    r->elector = std::make_unique<LeaderElector>(*r->api, clock, config);
    return r;
  }

  // Runs `r` until cancelled; every callback wakes the test's waits.
  asio::awaitable<void> run(Replica* r, Replica* other) {
    LeaderCallbacks cb;
    cb.on_started_leading = [this, r, other] {
      ++r->started;
      // The requirement itself: never two leaders at one moment.
      EXPECT_FALSE(other->elector->is_leader());
      wake();
    };
    cb.on_stopped_leading = [this] { wake(); };
    r->result = co_await r->elector->run(std::move(cb));
    wake();
  }

  void wake() {
    if (waiting_)
      waiting_->cancel();
  }

  // Waits until `done` holds or `limit` passes (woken by the electors' callbacks).
  asio::awaitable<bool> wait_for(std::function<bool()> done, core::Duration limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      timer.expires_at(deadline);
      waiting_ = &timer;
      co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
      waiting_ = nullptr;
    }
    co_return done();
  }

  testing::KubesimEnv env;
  core::SteadyClock clock;
  asio::steady_timer* waiting_ = nullptr;
};

asio::awaitable<core::Result<nlohmann::json>> create_namespace(RestClient& api) {
  const nlohmann::json ns = {{"metadata", {{"name", "stillpoint"}}}};
  const GroupVersionResource namespaces{"", "v1", "namespaces"};
  co_return co_await api.create(namespaces, "", ns);
}

asio::awaitable<core::Result<nlohmann::json>> read_lease(RestClient& api) {
  const GroupVersionResource leases = lease_resource();  // named: GCC 12 coroutine temporaries
  co_return co_await api.get(leases, "stillpoint", "stillpoint-server");
}

// Exactly one of two replicas leads; after the leader stops without releasing, the other takes
// the lease once it has expired (lease duration after it last saw it change), not before.
TEST_F(LeaderElectionOnKubesim, OneLeadsAndTheOtherTakesOverAfterExpiry) {
  auto a = replica("replica-a");
  auto b = replica("replica-b");
  ASSERT_TRUE(env.run(create_namespace(*a->api)));

  bool ok = false;
  std::chrono::steady_clock::duration takeover{};
  std::string first, second;
  auto scenario = [&]() -> asio::awaitable<void> {
    const bool one = co_await wait_for([&] { return a->started + b->started == 1; }, seconds(10));
    EXPECT_TRUE(one) << "nobody became leader within 10s";
    // Let a few renewals pass: the second replica must still not lead.
    co_await wait_for([] { return false; }, seconds(3));
    EXPECT_EQ(a->started + b->started, 1);
    Replica* leader = a->started ? a.get() : b.get();
    Replica* follower = a->started ? b.get() : a.get();
    first = leader->elector->identity();
    EXPECT_TRUE(leader->elector->is_leader());
    EXPECT_FALSE(follower->elector->is_leader());

    leader->stop.emit(asio::cancellation_type::terminal);
    const auto stopped = std::chrono::steady_clock::now();
    const bool took = co_await wait_for([&] { return follower->started == 1; }, seconds(10));
    takeover = std::chrono::steady_clock::now() - stopped;
    EXPECT_TRUE(took) << "the follower did not take over within 10s";
    EXPECT_TRUE(leader->result.has_value());
    EXPECT_FALSE(leader->elector->is_leader());
    auto lease = co_await read_lease(*follower->api);
    if (lease)
      second = (*lease)["spec"].value("holderIdentity", "");
    ok = took && one;
    follower->stop.emit(asio::cancellation_type::terminal);
  };
  asio::co_spawn(env.io, run(a.get(), b.get()),
                 asio::bind_cancellation_slot(a->stop.slot(), asio::detached));
  asio::co_spawn(env.io, run(b.get(), a.get()),
                 asio::bind_cancellation_slot(b->stop.slot(), asio::detached));
  asio::co_spawn(env.io, scenario(), asio::detached);
  env.io.restart();
  env.io.run();

  ASSERT_TRUE(ok);
  EXPECT_NE(second, first);
  EXPECT_NE(second, "");
  // The lease (2 s) had to expire first; the follower had seen it change within one retry
  // (0.3 s) before the stop, so the takeover comes at least about 1.7 s later.
  EXPECT_GE(takeover, milliseconds(1500));
  EXPECT_EQ(a->result->error().code, core::ErrorCode::Cancelled);
  EXPECT_EQ(b->result->error().code, core::ErrorCode::Cancelled);
}

}  // namespace
}  // namespace stillpoint::kube
