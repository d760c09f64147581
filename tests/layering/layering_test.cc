// The layering of src/ as the build enforces it: every `#include "folder/..."` between two
// folders of src/ must be an arrow declared in src/arrows.txt, and the declared arrows must
// form no cycle. A wrong include (restore reaching into backup, kube into hooks' planner)
// fails here, in the suite, before review.
#include <gtest/gtest.h>

#include "layering/include_graph.h"

namespace stillpoint::layering {
namespace {

const std::filesystem::path kSrc = STILLPOINT_SOURCE_DIR "/src";

class LayeringTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto table = read_arrows(kSrc / "arrows.txt");
    ASSERT_TRUE(table) << table.error().message;
    arrows_ = std::move(*table);
    includes_ = scan_includes(kSrc);
    ASSERT_FALSE(includes_.empty()) << "no #include found under " << kSrc;
  }

  Arrows arrows_;
  std::vector<Include> includes_;
};

TEST_F(LayeringTest, EveryIncludeBetweenFoldersIsADeclaredArrow) {
  for (const Include& inc : includes_) {
    EXPECT_TRUE(allowed(arrows_, inc))
        << inc.file << ":" << inc.line << " includes \"" << inc.header << "\": the arrow "
        << inc.from << " -> " << inc.to
        << " is not in src/arrows.txt (see docs/architecture.md for the layering)";
  }
}

TEST_F(LayeringTest, DeclaredArrowsFormNoCycle) {
  const auto cycle = find_cycle(arrows_);
  EXPECT_TRUE(cycle.empty()) << "src/arrows.txt has a cycle: " << cycle;
}

TEST_F(LayeringTest, EveryDeclaredArrowIsUsed) {
  for (const std::string& unused : unused_arrows(arrows_, includes_)) {
    ADD_FAILURE() << "src/arrows.txt declares " << unused
                  << " but no include uses it: remove it (and from docs/architecture.md)";
  }
}

// The checker itself: a table that allows a folder-wide arrow, a header-only arrow, and the
// includes that must be refused.
TEST(IncludeGraph, RefusesUndeclaredArrowsAndHeadersOutsideAHeaderArrow) {
  Arrows arrows;
  arrows.folders.insert({"restore", "catalog"});
  arrows.headers.insert({"kube", "hooks/pod_exec.h"});
  EXPECT_TRUE(allowed(arrows, {"src/restore/a.cc", 1, "restore", "catalog", "catalog/x.h"}));
  EXPECT_TRUE(allowed(arrows, {"src/restore/a.cc", 1, "restore", "restore", "restore/y.h"}));
  EXPECT_FALSE(allowed(arrows, {"src/restore/a.cc", 2, "restore", "backup", "backup/x.h"}));
  EXPECT_TRUE(allowed(arrows, {"src/kube/e.h", 3, "kube", "hooks", "hooks/pod_exec.h"}));
  EXPECT_FALSE(allowed(arrows, {"src/kube/e.h", 4, "kube", "hooks", "hooks/plan.h"}));
}

TEST(IncludeGraph, FindsACycle) {
  Arrows arrows;
  arrows.folders.insert({"a", "b"});
  arrows.folders.insert({"b", "c"});
  EXPECT_EQ(find_cycle(arrows), "");
  arrows.headers.insert({"c", "a/x.h"});
  EXPECT_EQ(find_cycle(arrows), "a -> b -> c -> a");
}

}  // namespace
}  // namespace stillpoint::layering
