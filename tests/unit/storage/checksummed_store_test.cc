#include "storage/checksummed_store.h"

#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"
#include "storage/local_store.h"

namespace stillpoint::storage {
namespace {

using ::stillpoint::testing::TempDir;

// Known values (printf '...' | sha256sum).
constexpr const char* kHelloWorld =
    "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";  // "hello world"
constexpr const char* kEmpty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
constexpr const char* kAbc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";

// Reads `key` to its end in small pieces; the bytes, or the first error.
core::Result<std::string> read_through(ObjectStore& store, const std::string& key) {
  auto reader = store.get(key);
  if (!reader) return core::unexpected(reader.error());
  std::string out;
  char buffer[4];
  for (;;) {
    auto n = (*reader)->read(buffer, sizeof buffer);
    if (!n) return core::unexpected(n.error());
    if (*n == 0) return out;
    out.append(buffer, *n);
  }
}

class ChecksummedStoreTest : public ::testing::Test {
 protected:
  std::filesystem::path file_of(const std::string& key) { return dir_.path() / key; }

  TempDir dir_;
  LocalDirStore local_{dir_.path()};
  ChecksumRecordingStore recording_{local_};
};

// A committed object is recorded with the SHA-256 and size of every byte written, in pieces.
TEST_F(ChecksummedStoreTest, RecordsDigestAndSizeOfCommittedObjects) {
  auto w = recording_.put("backups/b1/b1.tar.gz");
  ASSERT_TRUE(w) << w.error().message;
  ASSERT_TRUE((*w)->write("hello"));
  ASSERT_TRUE((*w)->write(""));
  ASSERT_TRUE((*w)->write(" world"));
  ASSERT_TRUE((*w)->commit());
  ASSERT_TRUE(write_all(recording_, "backups/b1/empty", ""));
  ASSERT_TRUE(write_all(recording_, "backups/b1/abc", "abc"));

  const ObjectDigests recorded = recording_.recorded();
  const ObjectDigests want = {{"backups/b1/b1.tar.gz", {kHelloWorld, 11}},
                              {"backups/b1/empty", {kEmpty, 0}},
                              {"backups/b1/abc", {kAbc, 3}}};
  EXPECT_EQ(recorded, want);
  // The bytes went through to the inner store.
  auto back = read_all(local_, "backups/b1/b1.tar.gz");
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, "hello world");
}

// A writer aborted, or destroyed without commit(), records nothing (and stores nothing).
TEST_F(ChecksummedStoreTest, AbortedWritersRecordNothing) {
  {
    auto w = recording_.put("backups/b1/aborted");
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write("partial"));
    (*w)->abort();
  }
  {
    auto w = recording_.put("backups/b1/dropped");
    ASSERT_TRUE(w);
    ASSERT_TRUE((*w)->write("partial"));
  }
  EXPECT_TRUE(recording_.recorded().empty());
  EXPECT_TRUE(local_.list("backups/")->empty());
}

// Removing a prefix (a failed backup's cleanup) forgets what was recorded under it only.
TEST_F(ChecksummedStoreTest, RemovedKeysAreForgotten) {
  ASSERT_TRUE(write_all(recording_, "backups/b1/a", "abc"));
  ASSERT_TRUE(write_all(recording_, "backups/b1/b", "abc"));
  ASSERT_TRUE(write_all(recording_, "backups/b10/a", "abc"));
  ASSERT_TRUE(recording_.remove("backups/b1/a"));
  ASSERT_TRUE(recording_.remove_prefix("backups/b1/"));
  const ObjectDigests want = {{"backups/b10/a", {kAbc, 3}}};
  EXPECT_EQ(recording_.recorded(), want);
}

// Writers on several threads at once (the backup's pool) each record their object.
TEST_F(ChecksummedStoreTest, ConcurrentWritersAllRecord) {
  constexpr int kWriters = 8;
  std::vector<std::thread> threads;
  for (int i = 0; i < kWriters; ++i) {
    threads.emplace_back([this, i] {
      auto w = recording_.put("backups/b1/v" + std::to_string(i));
      ASSERT_TRUE(w);
      for (int j = 0; j < 100; ++j) ASSERT_TRUE((*w)->write("abc"));
      ASSERT_TRUE((*w)->commit());
    });
  }
  for (auto& t : threads) t.join();
  const ObjectDigests recorded = recording_.recorded();
  ASSERT_EQ(recorded.size(), size_t{kWriters});
  for (const auto& [key, digest] : recorded) EXPECT_EQ(digest.size, 300u) << key;
  EXPECT_EQ(recorded.at("backups/b1/v0"), recorded.at("backups/b1/v7"));
}

class VerifyingStoreTest : public ChecksummedStoreTest {
 protected:
  void SetUp() override {
    ASSERT_TRUE(write_all(recording_, "backups/b1/b1.tar.gz", "hello world"));
    verifying_ = std::make_unique<ChecksumVerifyingStore>(local_, recording_.recorded());
  }

  // Overwrites the stored file behind the store's back (as disk rot or an edit would).
  void damage(const std::string& key, const std::string& bytes) {
    std::ofstream(file_of(key), std::ios::binary | std::ios::trunc) << bytes;
  }

  std::unique_ptr<ChecksumVerifyingStore> verifying_;
};

// An intact object reads back whole, with no error.
TEST_F(VerifyingStoreTest, IntactObjectPasses) {
  auto back = read_through(*verifying_, "backups/b1/b1.tar.gz");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, "hello world");
}

// One flipped byte: the read fails at the end with Protocol, naming the key, the location and
// both digests.
TEST_F(VerifyingStoreTest, FlippedByteFailsNamingKeyAndLocation) {
  damage("backups/b1/b1.tar.gz", "hello worle");
  auto back = read_through(*verifying_, "backups/b1/b1.tar.gz");
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, core::ErrorCode::Protocol);
  const std::string& m = back.error().message;
  EXPECT_NE(m.find("backups/b1/b1.tar.gz in " + local_.describe() + " is damaged"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find(std::string("expected sha256 ") + kHelloWorld + " (11 bytes)"),
            std::string::npos)
      << m;
  EXPECT_NE(m.find("(11 bytes)", m.find("got sha256")), std::string::npos) << m;
}

// A truncated object fails the same way, with both sizes.
TEST_F(VerifyingStoreTest, TruncatedObjectFailsWithBothSizes) {
  damage("backups/b1/b1.tar.gz", "hello");
  auto back = read_through(*verifying_, "backups/b1/b1.tar.gz");
  ASSERT_FALSE(back);
  EXPECT_EQ(back.error().code, core::ErrorCode::Protocol);
  EXPECT_NE(back.error().message.find("backups/b1/b1.tar.gz"), std::string::npos);
  EXPECT_NE(back.error().message.find("(11 bytes), got sha256"), std::string::npos)
      << back.error().message;
  EXPECT_NE(back.error().message.find("(5 bytes)"), std::string::npos) << back.error().message;
}

// The verdict is sticky: reading again after the failure fails again.
TEST_F(VerifyingStoreTest, FailureIsRepeatedOnLaterReads) {
  damage("backups/b1/b1.tar.gz", "HELLO WORLD");
  auto reader = verifying_->get("backups/b1/b1.tar.gz");
  ASSERT_TRUE(reader);
  char buffer[64];
  auto n = (*reader)->read(buffer, sizeof buffer);
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 11u);
  EXPECT_FALSE((*reader)->read(buffer, sizeof buffer));
  EXPECT_FALSE((*reader)->read(buffer, sizeof buffer));
}

// Keys the record does not list (objects of older backups) are read unverified.
TEST_F(VerifyingStoreTest, UnknownKeysPassUnverified) {
  ASSERT_TRUE(write_all(local_, "backups/old/old.tar.gz", "anything"));
  auto back = read_through(*verifying_, "backups/old/old.tar.gz");
  ASSERT_TRUE(back) << back.error().message;
  EXPECT_EQ(*back, "anything");
}

// A consumer that stops early (its format ended, or it rejected the bytes) learns of the
// damage through settle_verification(); an intact object leaves its outcome alone.
TEST_F(VerifyingStoreTest, SettleReadsOnAndReportsDamage) {
  {
    auto reader = verifying_->get("backups/b1/b1.tar.gz");
    ASSERT_TRUE(reader);
    char buffer[3];
    ASSERT_TRUE((*reader)->read(buffer, sizeof buffer));
    EXPECT_TRUE(settle_verification(**reader, core::ok()));
    auto failed = settle_verification(
        **reader, core::unexpected(core::ErrorCode::InvalidArgument, "not a tarball"));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error().message, "not a tarball");
  }
  damage("backups/b1/b1.tar.gz", "jello world");
  auto reader = verifying_->get("backups/b1/b1.tar.gz");
  ASSERT_TRUE(reader);
  char buffer[3];
  ASSERT_TRUE((*reader)->read(buffer, sizeof buffer));
  auto settled = settle_verification(
      **reader, core::unexpected(core::ErrorCode::InvalidArgument, "not a tarball"));
  ASSERT_FALSE(settled);
  EXPECT_NE(settled.error().message.find("is damaged"), std::string::npos)
      << settled.error().message;
  // A reader that does not verify: the outcome stands, nothing is read.
  auto plain = local_.get("backups/b1/b1.tar.gz");
  ASSERT_TRUE(plain);
  auto kept = settle_verification(**plain, core::ok());
  EXPECT_TRUE(kept);
}

// Writes through the verifying store go to the inner store (a restore records itself there).
TEST_F(VerifyingStoreTest, WritesAndListingsForward) {
  ASSERT_TRUE(write_all(*verifying_, "restores/r1/velero-restore.json", "{}"));
  auto keys = verifying_->list("restores/");
  ASSERT_TRUE(keys);
  EXPECT_EQ(*keys, std::vector<std::string>{"restores/r1/velero-restore.json"});
  EXPECT_EQ(verifying_->describe(), local_.describe());
}

}  // namespace
}  // namespace stillpoint::storage
