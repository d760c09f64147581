#include "server/operation_queue.h"

#include <gtest/gtest.h>

#include "server/operation_status.h"

namespace stillpoint::server {
namespace {

using nlohmann::json;

TEST(OperationQueue, OldestFirstWhateverTheOrderOfArrival) {
  OperationQueue q;
  EXPECT_TRUE(q.offer("c", "2026-12-07T10:00:02Z"));
  EXPECT_TRUE(q.offer("a", "2026-12-07T10:00:00Z"));
  EXPECT_TRUE(q.offer("b2", "2026-12-07T10:00:01Z"));
  EXPECT_TRUE(q.offer("b1", "2026-12-07T10:00:01Z"));
  EXPECT_EQ(q.take(), "a");
  EXPECT_EQ(q.take(), "b1");  // same second: by name
  EXPECT_EQ(q.take(), "b2");
  EXPECT_EQ(q.take(), "c");
  EXPECT_EQ(q.take(), std::nullopt);
}

TEST(OperationQueue, ANameIsQueuedOnceAndNeverAgainOnceTaken) {
  OperationQueue q;
  EXPECT_TRUE(q.offer("a", "1"));
  EXPECT_FALSE(q.offer("a", "1"));  // a re-list delivers it again
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.take(), "a");
  EXPECT_FALSE(q.offer("a", "1"));  // taken: a later ADDED cannot start it twice
  EXPECT_TRUE(q.taken("a"));
  q.release("a");
  EXPECT_TRUE(q.offer("a", "1"));
}

TEST(OperationQueue, RemovedNamesAreNotTaken) {
  OperationQueue q;
  q.offer("a", "1");
  q.offer("b", "2");
  q.remove("a");
  EXPECT_FALSE(q.queued("a"));
  EXPECT_EQ(q.take(), "b");
  EXPECT_EQ(q.take(), std::nullopt);
}

TEST(OperationStatus, HookResultsOnTheObjectAreCutFailuresFirst) {
  json results = json::array();
  for (size_t i = 0; i < kMaxHookResultsOnObject + 10; ++i) {
    results.push_back({{"pod", "p" + std::to_string(i)}, {"result", "Succeeded"}});
  }
  results.push_back({{"pod", "bad"}, {"result", "Failed"}});
  const json s = status_for_object({{"phase", "PartiallyFailed"}, {"hookResults", results}});
  ASSERT_EQ(s["hookResults"].size(), kMaxHookResultsOnObject);
  EXPECT_EQ(s["hookResults"][0]["pod"], "bad");
  EXPECT_EQ(s["phase"], "PartiallyFailed");
}

TEST(OperationStatus, NewMeansNoPhaseOrNew) {
  EXPECT_TRUE(is_new(json::object()));
  EXPECT_TRUE(is_new({{"status", {{"phase", "New"}}}}));
  EXPECT_FALSE(is_new({{"status", {{"phase", "InProgress"}}}}));
  EXPECT_FALSE(is_new({{"status", {{"phase", "Completed"}}}}));
}

}  // namespace
}  // namespace stillpoint::server
