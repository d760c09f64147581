#include "storage/location.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"

namespace stillpoint::storage {
namespace {

namespace fs = std::filesystem;
using ::stillpoint::testing::TempDir;

// Sets (or unsets, with nullopt) an environment variable for one test, restoring it after.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) {
      old_ = old;
    }
    set(value);
  }
  ~ScopedEnv() { set(old_); }

 private:
  void set(const std::optional<std::string>& value) {
    if (value) {
      ::setenv(name_, value->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  const char* name_;
  std::optional<std::string> old_;
};

// The location is the flag, else STILLPOINT_STORAGE, else XDG_DATA_HOME, else ~/.local/share.
TEST(ResolveLocation, FlagThenEnvironmentThenXdgThenHome) {
  ScopedEnv storage("STILLPOINT_STORAGE", "/env/store");
  ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
  ScopedEnv home("HOME", "/home/u");
  EXPECT_EQ(resolve_location("/flag/store"), "/flag/store");
  EXPECT_EQ(resolve_location(""), "/env/store");
  ::unsetenv("STILLPOINT_STORAGE");
  EXPECT_EQ(resolve_location(""), "/xdg/stillpoint/backups");
  ::setenv("XDG_DATA_HOME", "relative/xdg", 1);  // invalid per the XDG spec: ignored
  EXPECT_EQ(resolve_location(""), "/home/u/.local/share/stillpoint/backups");
  ::unsetenv("XDG_DATA_HOME");
  EXPECT_EQ(resolve_location(""), "/home/u/.local/share/stillpoint/backups");
}

// A missing directory is created (mkdir -p) and usable at once.
TEST(OpenStore, CreatesTheDirectory) {
  TempDir dir;
  const fs::path where = dir.path() / "a" / "b" / "backups";
  auto store = open_store(where.string());
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_TRUE(fs::is_directory(where));
  EXPECT_EQ((*store)->describe(), where.string());
  ASSERT_TRUE(write_all(**store, "backups/b1/velero-backup.json", "{}"));
  EXPECT_TRUE(fs::exists(where / "backups" / "b1" / "velero-backup.json"));
}

// file:///abs URLs (percent-encoded) name the same directory as the plain path.
TEST(OpenStore, AcceptsFileUrls) {
  TempDir dir;
  auto store = open_store("file://" + dir.path().string() + "/my%20backups");
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->describe(), (dir.path() / "my backups").string());
  auto with_host = open_store("file://host/x");
  ASSERT_FALSE(with_host);
  EXPECT_EQ(with_host.error().code, core::ErrorCode::InvalidArgument);
}

// A relative location is resolved against the working directory.
TEST(OpenStore, RelativePathIsResolvedAgainstCwd) {
  TempDir dir;
  const fs::path old_cwd = fs::current_path();
  fs::current_path(dir.path());
  auto store = open_store("rel/backups");
  fs::current_path(old_cwd);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->describe(), (dir.path() / "rel" / "backups").string());
  EXPECT_TRUE(fs::is_directory(dir.path() / "rel" / "backups"));
}

TEST(OpenStore, S3LocationsAreCheckedBeforeAnyRequest) {
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDTEST", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "secret", 1);
  s3::S3Options options;
  options.endpoint = "http://127.0.0.1:9";  // nothing listens; opening sends no request
  auto store = open_store("s3://bucket/prefix/", options);
  ASSERT_TRUE(store) << store.error().message;
  EXPECT_EQ((*store)->describe(), "s3://bucket/prefix");
  auto bad = open_store("s3://B/prefix", options);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, core::ErrorCode::InvalidArgument);
  EXPECT_NE(bad.error().message.find("bucket name \"B\""), std::string::npos);
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  ::unsetenv("AWS_ACCESS_KEY_ID");
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent/credentials", 1);
  auto no_keys = open_store("s3://bucket/prefix", options);
  ASSERT_FALSE(no_keys);
  EXPECT_NE(no_keys.error().message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
  ::unsetenv("AWS_SHARED_CREDENTIALS_FILE");
  auto other = open_store("gs://bucket");
  ASSERT_FALSE(other);
  EXPECT_NE(other.error().message.find("gs://"), std::string::npos);
}

TEST(OpenStore, EmptyLocationSaysWhatToSet) {
  auto store = open_store("");
  ASSERT_FALSE(store);
  EXPECT_NE(store.error().message.find("STILLPOINT_STORAGE"), std::string::npos);
}

// A regular file is not a location; a path under one cannot be created. Both name the path.
TEST(OpenStore, FileInTheWayIsAClearError) {
  TempDir dir;
  const std::string file = dir.write("plain-file", "x");
  auto at_file = open_store(file);
  ASSERT_FALSE(at_file);
  EXPECT_EQ(at_file.error().message, "backup location " + file + " is not a directory");
  auto under_file = open_store(file + "/backups");
  ASSERT_FALSE(under_file);
  EXPECT_EQ(under_file.error().message,
            "cannot create backup location " + file + "/backups: Not a directory");
}

// Without write permission the store refuses to open, before any backup starts.
TEST(OpenStore, UnwritableDirectoryIsAClearError) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root can write to any directory; FileInTheWayIsAClearError covers root";
  }
  TempDir dir;
  const fs::path locked = dir.path() / "locked";
  fs::create_directory(locked);
  ::chmod(locked.c_str(), 0555);
  auto store = open_store(locked.string());
  ::chmod(locked.c_str(), 0755);
  ASSERT_FALSE(store);
  EXPECT_EQ(store.error().message,
            "backup location " + locked.string() + " is not writable: Permission denied");
}

}  // namespace
}  // namespace stillpoint::storage
