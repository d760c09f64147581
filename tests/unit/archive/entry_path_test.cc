#include "archive/entry_path.h"

#include <gtest/gtest.h>

namespace stillpoint::archive {
namespace {

// Paths from other tools ("./resources/...", "a//b") read as the same file; "." segments and
// empty ones are dropped.
TEST(EntryPath, DropsDotAndEmptySegments) {
  auto s = split_entry_path("./resources//pods/./cluster/x.json");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(*s, (std::vector<std::string>{"resources", "pods", "cluster", "x.json"}));
}

// No entry may name a file outside the extraction directory.
TEST(EntryPath, RejectsEscapesAndNamesTheEntry) {
  for (const char* path : {"../x", "a/../../x", "a/..", "/etc/passwd", "//x"}) {
    SCOPED_TRACE(path);
    auto s = split_entry_path(path);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(s.error().message.find("\"" + std::string(path) + "\""), std::string::npos);
  }
}

TEST(EntryPath, RootEntryHasNoSegments) {
  EXPECT_TRUE(split_entry_path("./")->empty());
  EXPECT_TRUE(split_entry_path("")->empty());
}

TEST(EntryPath, SegmentRules) {
  EXPECT_TRUE(is_path_segment("db-0"));
  EXPECT_TRUE(is_path_segment("..."));
  EXPECT_FALSE(is_path_segment(""));
  EXPECT_FALSE(is_path_segment("."));
  EXPECT_FALSE(is_path_segment(".."));
  EXPECT_FALSE(is_path_segment("a/b"));
  EXPECT_FALSE(is_path_segment(std::string_view("a\0b", 3)));
}

}  // namespace
}  // namespace stillpoint::archive
