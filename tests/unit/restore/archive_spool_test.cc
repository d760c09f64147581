// ArchiveSpool: every item of a tarball comes back, by type, byte for byte; a damaged or
// hostile archive fails the build (a restore never starts from half an archive) and leaves
// no spool directory behind.
#include "restore/archive_spool.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "unit/archive/tar_fixtures.h"

namespace stillpoint::restore {
namespace {

namespace fs = std::filesystem;
using archive::testing::make_tar;
using archive::testing::TarEntry;

archive::ByteSource source_of(const std::string& bytes) {
  auto offset = std::make_shared<size_t>(0);
  return [bytes, offset](char* buffer, size_t size) -> core::Result<size_t> {
    const size_t n = std::min(size, bytes.size() - *offset);
    std::memcpy(buffer, bytes.data() + *offset, n);
    *offset += n;
    return n;
  };
}

class ArchiveSpoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    parent_ = fs::temp_directory_path() /
              ("spool-test-" + std::to_string(::getpid()) + "-" +
               ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(parent_);
    fs::create_directories(parent_);
  }
  void TearDown() override { fs::remove_all(parent_); }
  size_t entries_in_parent() const {
    return static_cast<size_t>(std::distance(fs::directory_iterator(parent_), {}));
  }
  fs::path parent_;
};

TEST_F(ArchiveSpoolTest, GroupsItemsByTypeInArchiveOrder) {
  // A name with spaces and a tab: the spool keeps lengths, not separators.
  const std::string odd_json = "{\"a\":\"x\\ty\"}\n{\"not\":\"a second item\"}";
  const std::string tar = make_tar({
      {"metadata/version", "1.1.0\n"},
      {"resources/pods/namespaces/shop/db.json", "{\"kind\":\"Pod\"}"},
      {"resources/configmaps/namespaces/shop/b.json", "{\"kind\":\"ConfigMap\",\"n\":1}"},
      {"resources/configmaps/v1-preferredversion/namespaces/shop/b.json", "{\"dup\":true}"},
      {"resources/configmaps/namespaces/other/a.json", odd_json},
      {"resources/namespaces/cluster/shop.json", "{\"kind\":\"Namespace\"}"},
  });
  auto spool = ArchiveSpool::build(source_of(tar), parent_);
  ASSERT_TRUE(spool.has_value()) << spool.error().message;
  EXPECT_EQ((*spool)->format_version(), "1.1.0");
  EXPECT_EQ((*spool)->total_items(), 4u);  // the preferred-version copy is not an item
  EXPECT_EQ((*spool)->group_resources(),
            (std::vector<std::string>{"configmaps", "namespaces", "pods"}));
  EXPECT_EQ((*spool)->items("configmaps"), 2u);
  EXPECT_EQ((*spool)->items("secrets"), 0u);

  auto cursor = (*spool)->open("configmaps");
  ASSERT_TRUE(cursor.has_value());
  auto first = (*cursor)->next();
  ASSERT_TRUE(first.has_value() && first->has_value());
  EXPECT_EQ((*first)->namespace_name, "shop");
  EXPECT_EQ((*first)->name, "b");
  EXPECT_EQ((*first)->json, "{\"kind\":\"ConfigMap\",\"n\":1}");
  auto second = (*cursor)->next();
  ASSERT_TRUE(second.has_value() && second->has_value());
  EXPECT_EQ((*second)->namespace_name, "other");
  EXPECT_EQ((*second)->json, odd_json);
  auto end = (*cursor)->next();
  ASSERT_TRUE(end.has_value());
  EXPECT_FALSE(end->has_value());

  auto ns = (*spool)->open("namespaces");
  ASSERT_TRUE(ns.has_value());
  auto item = (*ns)->next();
  ASSERT_TRUE(item.has_value() && item->has_value());
  EXPECT_EQ((*item)->namespace_name, "");
  EXPECT_EQ((*item)->name, "shop");

  EXPECT_FALSE((*spool)->open("secrets").has_value());
  EXPECT_EQ(entries_in_parent(), 1u);
  spool->reset();
  EXPECT_EQ(entries_in_parent(), 0u) << "the spool directory is removed with the spool";
}

TEST_F(ArchiveSpoolTest, TruncatedArchiveFailsAndLeavesNothing) {
  std::vector<TarEntry> entries = {{"metadata/version", "1.1.0\n"}};
  for (int i = 0; i < 200; ++i) {
    entries.push_back({"resources/configmaps/namespaces/a/cm" + std::to_string(i) + ".json",
                       std::string(2000, static_cast<char>('a' + i % 26))});
  }
  const std::string tar = make_tar(entries);
  auto spool = ArchiveSpool::build(source_of(tar.substr(0, tar.size() / 2)), parent_);
  ASSERT_FALSE(spool.has_value());
  EXPECT_EQ(entries_in_parent(), 0u);
}

TEST_F(ArchiveSpoolTest, EscapingEntryFailsNamingIt) {
  const std::string tar = make_tar({
      {"metadata/version", "1.1.0\n"},
      {"resources/configmaps/namespaces/a/ok.json", "{}"},
      {"resources/configmaps/namespaces/a/../../../../evil.json", "{}"},
  });
  auto spool = ArchiveSpool::build(source_of(tar), parent_);
  ASSERT_FALSE(spool.has_value());
  EXPECT_NE(spool.error().message.find("evil.json"), std::string::npos) << spool.error().message;
  EXPECT_EQ(entries_in_parent(), 0u);
}

TEST_F(ArchiveSpoolTest, NotATarballFails) {
  auto spool = ArchiveSpool::build(source_of("this is not a tarball at all"), parent_);
  EXPECT_FALSE(spool.has_value());
  EXPECT_EQ(entries_in_parent(), 0u);
}

TEST_F(ArchiveSpoolTest, UnwritableParentIsAClearError) {
  auto spool = ArchiveSpool::build(source_of(make_tar({{"metadata/version", "1.1.0\n"}})),
                                   parent_ / "missing" / "dir");
  ASSERT_FALSE(spool.has_value());
  EXPECT_NE(spool.error().message.find("spool directory"), std::string::npos)
      << spool.error().message;
}

}  // namespace
}  // namespace stillpoint::restore
