// Which backups exist in a location: only those whose backup object was written.
#include "catalog/backup_catalog.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "catalog/backup_keys.h"
#include "catalog/gzip_object_writer.h"
#include "storage/location.h"

namespace stillpoint::catalog {
namespace {

class CatalogTest : public ::testing::Test {
 protected:
  CatalogTest() {
    dir_ = std::filesystem::temp_directory_path() /
           ("catalog-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    auto store = storage::open_store(dir_.string());
    EXPECT_TRUE(store);
    store_ = std::move(store).value();
  }
  ~CatalogTest() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
  std::unique_ptr<storage::ObjectStore> store_;
};

TEST_F(CatalogTest, OnlyBackupsWithTheirObjectAreListed) {
  ASSERT_TRUE(storage::write_all(*store_, backup_object_key("done"),
                                 R"({"metadata":{"name":"done"}})"));
  ASSERT_TRUE(storage::write_all(*store_, backup_tarball_key("half"), "partial"));
  auto list = list_backups(*store_);
  ASSERT_TRUE(list) << list.error().message;
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0]["metadata"]["name"], "done");
  auto missing = read_backup(*store_, "half");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, core::ErrorCode::NotFound);
}

TEST_F(CatalogTest, LogRoundTripsThroughGzip) {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"line\":" + std::to_string(i) + "}\n";
  ASSERT_TRUE(write_gzip(*store_, backup_log_key("b"), text));
  std::string read;
  ASSERT_TRUE(read_backup_log(*store_, "b", [&](std::string_view p) { read.append(p); }));
  EXPECT_EQ(read, text);
}

TEST_F(CatalogTest, CorruptLogIsAnErrorNotACrash) {
  ASSERT_TRUE(storage::write_all(*store_, backup_log_key("b"), "\x1f\x8b garbage"));
  auto s = read_backup_log(*store_, "b", [](std::string_view) {});
  EXPECT_FALSE(s);
}

TEST_F(CatalogTest, DeleteRemovesEverythingAndMissingIsNotFound) {
  ASSERT_TRUE(storage::write_all(*store_, backup_object_key("b"), "{}"));
  ASSERT_TRUE(storage::write_all(*store_, backup_tarball_key("b"), "x"));
  ASSERT_TRUE(delete_backup(*store_, "b"));
  auto keys = store_->list("backups/");
  ASSERT_TRUE(keys);
  EXPECT_TRUE(keys->empty());
  auto again = delete_backup(*store_, "b");
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, core::ErrorCode::NotFound);
}

TEST(BackupName, DnsSubdomainRules) {
  EXPECT_EQ(check_backup_name("nightly-2026.11.29"), "");
  for (const char* bad : {"", "Upper", "a/b", "../x", "-a", "a-", "a_b"}) {
    EXPECT_NE(check_backup_name(bad), "") << bad;
  }
}

}  // namespace
}  // namespace stillpoint::catalog
