#include "backup/item_blocks.h"

#include <gtest/gtest.h>

namespace stillpoint::backup {
namespace {

TEST(ItemBlocks, PodsWithoutClaimsAreBlocksOfTheirOwn) {
  const auto blocks = group_item_blocks({{"a/p1", {}}, {"a/p2", {}}});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].pods, std::vector<size_t>{0});
  EXPECT_EQ(blocks[1].pods, std::vector<size_t>{1});
}

// p1 and p3 share "data"; p3 and p4 share "logs": all three in one block, in input order.
TEST(ItemBlocks, SharedClaimsJoinBlocksTransitively) {
  const auto blocks = group_item_blocks(
      {{"a/p1", {"data"}}, {"a/p2", {"own"}}, {"a/p3", {"data", "logs"}}, {"a/p4", {"logs"}}});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].pods, (std::vector<size_t>{0, 2, 3}));
  EXPECT_EQ(blocks[0].claims, (std::vector<std::string>{"a/data", "a/logs"}));
  EXPECT_EQ(blocks[1].pods, std::vector<size_t>{1});
  EXPECT_EQ(blocks[1].claims, std::vector<std::string>{"a/own"});
}

// Claims are namespaced: the same claim name in two namespaces is two claims.
TEST(ItemBlocks, SameClaimNameInTwoNamespacesIsNotShared) {
  const auto blocks = group_item_blocks({{"a/p", {"data"}}, {"b/p", {"data"}}});
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].claims, std::vector<std::string>{"a/data"});
  EXPECT_EQ(blocks[1].claims, std::vector<std::string>{"b/data"});
}

}  // namespace
}  // namespace stillpoint::backup
