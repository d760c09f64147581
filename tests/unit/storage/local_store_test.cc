#include "storage/local_store.h"

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"

namespace stillpoint::storage {
namespace {

namespace fs = std::filesystem;
using ::stillpoint::testing::TempDir;

// Every file under `root`, relative, temp files included: what is really on disk.
std::vector<std::string> files_on_disk(const fs::path& root) {
  std::vector<std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (e.is_regular_file()) {
      out.push_back(e.path().lexically_relative(root).generic_string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

class LocalDirStoreTest : public ::testing::Test {
 protected:
  TempDir dir_;
  LocalDirStore store_{dir_.path()};
};

// An object is invisible (not listed, not gettable, not existing) until commit() succeeds.
TEST_F(LocalDirStoreTest, ObjectIsVisibleOnlyAfterCommit) {
  auto writer = store_.put("backups/b1/b1.tar.gz");
  ASSERT_TRUE(writer) << writer.error().message;
  ASSERT_TRUE((*writer)->write("hello "));
  ASSERT_TRUE((*writer)->write("world"));
  EXPECT_EQ((*writer)->bytes_written(), 11u);

  EXPECT_TRUE(store_.list("")->empty());
  EXPECT_FALSE(*store_.exists("backups/b1/b1.tar.gz"));
  auto early = store_.get("backups/b1/b1.tar.gz");
  ASSERT_FALSE(early);
  EXPECT_EQ(early.error().code, core::ErrorCode::NotFound);
  // The bytes are on disk already (streamed), only under a temp name.
  ASSERT_EQ(files_on_disk(dir_.path()).size(), 1u);

  ASSERT_TRUE((*writer)->commit());
  EXPECT_EQ(*store_.list(""), std::vector<std::string>{"backups/b1/b1.tar.gz"});
  EXPECT_TRUE(*store_.exists("backups/b1/b1.tar.gz"));
  EXPECT_EQ(*read_all(store_, "backups/b1/b1.tar.gz"), "hello world");
  EXPECT_EQ(files_on_disk(dir_.path()), std::vector<std::string>{"backups/b1/b1.tar.gz"});
}

// abort() and destroying an uncommitted writer both leave no file behind.
TEST_F(LocalDirStoreTest, AbortAndDestructionLeaveNothing) {
  {
    auto writer = store_.put("backups/b1/b1.tar.gz");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write("partial"));
    (*writer)->abort();
    EXPECT_FALSE((*writer)->write("more"));
  }
  {
    auto writer = store_.put("backups/b1/velero-backup.json");
    ASSERT_TRUE(writer);
    ASSERT_TRUE((*writer)->write("{}"));
  }  // destroyed without commit
  EXPECT_TRUE(files_on_disk(dir_.path()).empty());
  EXPECT_TRUE(store_.list("")->empty());
}

// A commit replaces an existing object whole; readers never see a mix.
TEST_F(LocalDirStoreTest, CommitReplacesExistingObject) {
  ASSERT_TRUE(write_all(store_, "k", "old bytes, longer"));
  auto writer = store_.put("k");
  ASSERT_TRUE(writer);
  ASSERT_TRUE((*writer)->write("new"));
  EXPECT_EQ(*read_all(store_, "k"), "old bytes, longer");
  ASSERT_TRUE((*writer)->commit());
  EXPECT_EQ(*read_all(store_, "k"), "new");
}

// list() returns committed keys under a prefix, sorted, with S3 prefix semantics.
TEST_F(LocalDirStoreTest, ListIsSortedAndFiltersByPrefix) {
  for (const char* key : {"backups/b2/b2.tar.gz", "backups/b1/velero-backup.json",
                          "backups/b10/b10.tar.gz", "backups/b1/b1.tar.gz", "restores/r1/log"}) {
    ASSERT_TRUE(write_all(store_, key, key));
  }
  auto unfinished = store_.put("backups/b1/b1-logs.gz");  // stays uncommitted
  ASSERT_TRUE(unfinished);
  EXPECT_EQ(*store_.list("backups/b1/"),
            (std::vector<std::string>{"backups/b1/b1.tar.gz", "backups/b1/velero-backup.json"}));
  EXPECT_EQ(*store_.list("backups/b1"),
            (std::vector<std::string>{"backups/b1/b1.tar.gz", "backups/b1/velero-backup.json",
                                      "backups/b10/b10.tar.gz"}));
  EXPECT_EQ(store_.list("")->size(), 5u);
  EXPECT_TRUE(store_.list("nothing/here/")->empty());
}

// get() of a missing key is NotFound, not a generic failure; remove() of one is fine.
TEST_F(LocalDirStoreTest, MissingKeyIsNotFound) {
  auto got = store_.get("backups/none/velero-backup.json");
  ASSERT_FALSE(got);
  EXPECT_EQ(got.error().code, core::ErrorCode::NotFound);
  EXPECT_TRUE(store_.remove("backups/none/velero-backup.json"));
  ASSERT_TRUE(write_all(store_, "backups/b1/x", "x"));
  auto dir_as_key = store_.get("backups/b1");
  ASSERT_FALSE(dir_as_key);
  EXPECT_EQ(dir_as_key.error().code, core::ErrorCode::NotFound);
}

// Every operation rejects a key that could escape the root, before touching the disk.
TEST_F(LocalDirStoreTest, BadKeysAreInvalidArgument) {
  for (const char* key : {"../outside", "/etc/passwd", "a//b", ""}) {
    SCOPED_TRACE(key);
    auto put = store_.put(key);
    ASSERT_FALSE(put);
    EXPECT_EQ(put.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_FALSE(store_.get(key));
    EXPECT_FALSE(store_.exists(key));
    EXPECT_FALSE(store_.remove(key));
  }
  EXPECT_FALSE(store_.list("../"));
  EXPECT_FALSE(fs::exists(dir_.path().parent_path() / "outside"));
}

// remove_prefix("backups/b1/") deletes that backup (temp files too) and nothing else.
TEST_F(LocalDirStoreTest, RemovePrefixDeletesOneBackupTree) {
  ASSERT_TRUE(write_all(store_, "backups/b1/b1.tar.gz", "a"));
  ASSERT_TRUE(write_all(store_, "backups/b1/velero-backup.json", "b"));
  ASSERT_TRUE(write_all(store_, "backups/b10/b10.tar.gz", "c"));
  ASSERT_TRUE(store_.remove_prefix("backups/b1/"));
  EXPECT_EQ(*store_.list(""), std::vector<std::string>{"backups/b10/b10.tar.gz"});
  EXPECT_FALSE(fs::exists(dir_.path() / "backups" / "b1"));
  EXPECT_TRUE(store_.remove_prefix("backups/never-existed/"));
  auto all = store_.remove_prefix("");
  ASSERT_FALSE(all);
  EXPECT_EQ(all.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_FALSE(store_.remove_prefix("../"));
}

TEST_F(LocalDirStoreTest, RemoveDeletesOneKey) {
  ASSERT_TRUE(write_all(store_, "a/1", "1"));
  ASSERT_TRUE(write_all(store_, "a/2", "2"));
  ASSERT_TRUE(store_.remove("a/1"));
  EXPECT_EQ(*store_.list(""), std::vector<std::string>{"a/2"});
}

// A write failure is a one-line error naming the path and the system's reason.
TEST_F(LocalDirStoreTest, PutUnderAFileNamesPathAndCause) {
  ASSERT_TRUE(write_all(store_, "backups", "a file where a directory should be"));
  auto put = store_.put("backups/b1/b1.tar.gz");
  ASSERT_FALSE(put);
  EXPECT_EQ(put.error().code, core::ErrorCode::Io);
  EXPECT_NE(put.error().message.find((dir_.path() / "backups").string()), std::string::npos)
      << put.error().message;
  EXPECT_EQ(put.error().message.find('\n'), std::string::npos);
}

TEST_F(LocalDirStoreTest, DescribeIsTheRoot) {
  EXPECT_EQ(store_.describe(), dir_.path().string());
}

}  // namespace
}  // namespace stillpoint::storage
