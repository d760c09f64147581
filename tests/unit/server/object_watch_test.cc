// The informer loop on FakeCluster: objects listed then watched, a Gone answered by listing
// again (nothing lost), other errors retried after a pause on the fake clock.
#include "server/object_watch.h"

#include "unit/orchestration/harness.h"

namespace stillpoint::server {
namespace {

using testing::FakeCluster;
using testing::Harness;
using nlohmann::json;

const kube::GroupVersionResource kBackups{"stillpoint.io", "v1", "backups"};

json backup(const std::string& name) {
  return {{"apiVersion", "stillpoint.io/v1"},
          {"kind", "Backup"},
          {"metadata", {{"name", name}, {"namespace", "stillpoint"}}},
          {"spec", json::object()}};
}

struct Seen {
  std::vector<std::string> events;  // "ADDED a", "SYNCED", ...
  bool has(const std::string& e) const {
    return std::find(events.begin(), events.end(), e) != events.end();
  }
};

boost::asio::awaitable<void> watch_until(Harness& h, Seen& seen, ObjectWatchCounters& counters,
                                         std::function<bool()> done) {
  boost::asio::cancellation_signal stop;
  bool finished = false;
  std::function<void(const kube::WatchEvent&)> on_event = [&](const kube::WatchEvent& e) {
    const std::string n =
        e.object.contains("metadata") ? e.object["metadata"].value("name", "") : "";
    seen.events.push_back(e.type + (n.empty() ? "" : " " + n));
    if (done()) stop.emit(boost::asio::cancellation_type::terminal);
  };
  ObjectWatchOptions options;
  options.namespace_name = "stillpoint";
  boost::asio::co_spawn(
      co_await boost::asio::this_coro::executor,
      watch_objects(h.cluster, h.clock, kBackups, options, on_event, &counters),
      boost::asio::bind_cancellation_slot(stop.slot(),
                                          [&](std::exception_ptr) { finished = true; }));
  boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
  while (!finished) {
    t.expires_after(std::chrono::milliseconds(1));
    co_await t.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }
}

Harness& with_backups(Harness& h) {
  h.cluster.serve(FakeCluster::resource("stillpoint.io", "v1", "backups", "Backup", true));
  h.cluster.update("namespaces", testing::namespace_object("stillpoint"));
  return h;
}

TEST(ObjectWatch, ListsThenWatchesWhatChanges) {
  Harness h;
  with_backups(h);
  h.cluster.update("backups", backup("a"));
  Seen seen;
  ObjectWatchCounters counters;
  auto done = [&] { return seen.has("ADDED b"); };
  auto result = h.run(
      [&]() -> boost::asio::awaitable<bool> {
        boost::asio::co_spawn(
            co_await boost::asio::this_coro::executor,
            [&]() -> boost::asio::awaitable<void> {
              // Once the list is in, a new object arrives through the watch.
              boost::asio::steady_timer t(co_await boost::asio::this_coro::executor);
              while (!seen.has("SYNCED")) {
                t.expires_after(std::chrono::milliseconds(1));
                co_await t.async_wait(boost::asio::use_awaitable);
              }
              h.cluster.update("backups", backup("b"));
            },
            boost::asio::detached);
        co_await watch_until(h, seen, counters, done);
        co_return true;
      }());
  ASSERT_TRUE(result);
  ASSERT_GE(seen.events.size(), 3u);
  EXPECT_EQ(seen.events[0], "ADDED a");
  EXPECT_EQ(seen.events[1], "SYNCED");
  EXPECT_TRUE(seen.has("ADDED b"));
  EXPECT_EQ(counters.lists, 1u);
  EXPECT_GE(counters.watches, 1u);
}

TEST(ObjectWatch, GoneListsAgainAndOtherErrorsPause) {
  Harness h;
  with_backups(h);
  h.cluster.update("backups", backup("a"));
  h.clock.advance_on_sleep();  // the pause after an error passes at once
  h.cluster.fail(FakeCluster::Call::Watch, "backups", "", {core::ErrorCode::Gone, "too old"}, 1);
  h.cluster.fail(FakeCluster::Call::List, "backups", "", {core::ErrorCode::Unavailable, "down"},
                 1);
  Seen seen;
  ObjectWatchCounters counters;
  // Listed after the failed list, then again after the Gone: two SYNCED markers.
  auto done = [&] { return std::count(seen.events.begin(), seen.events.end(), "SYNCED") == 2; };
  auto result = h.run(
      [&]() -> boost::asio::awaitable<bool> {
        co_await watch_until(h, seen, counters, done);
        co_return true;
      }());
  ASSERT_TRUE(result);
  EXPECT_EQ(counters.lists, 3u);  // failed, listed, listed again after Gone
  EXPECT_EQ(counters.listed, 2u);
  EXPECT_EQ(counters.errors, 1u);
  EXPECT_EQ(std::count(seen.events.begin(), seen.events.end(), "ADDED a"), 2);
}

// A list that fails is an attempt, not a listing: the server's readiness counts only lists
// that succeeded (a pod that cannot reach the API server must not be Ready).
TEST(ObjectWatch, FailedListsAreNotCountedAsListed) {
  Harness h;
  with_backups(h);
  h.clock.advance_on_sleep();
  h.cluster.fail(FakeCluster::Call::List, "backups", "", {core::ErrorCode::Unavailable, "down"},
                 3);
  Seen seen;
  ObjectWatchCounters counters;
  auto done = [&] { return seen.has("SYNCED"); };
  auto result = h.run(
      [&]() -> boost::asio::awaitable<bool> {
        co_await watch_until(h, seen, counters, done);
        co_return true;
      }());
  ASSERT_TRUE(result);
  EXPECT_EQ(counters.lists, 4u);
  EXPECT_EQ(counters.errors, 3u);
  EXPECT_EQ(counters.listed, 1u);
}

}  // namespace
}  // namespace stillpoint::server
