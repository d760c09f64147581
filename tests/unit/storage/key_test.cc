#include "storage/key.h"

#include <gtest/gtest.h>

namespace stillpoint::storage {
namespace {

// A key can never leave the store's root or hide among temp files; the error names the key.
TEST(ObjectKey, RejectsKeysThatAreNotPlainRelativePaths) {
  const char* bad[] = {"",     "/etc/passwd",
                       "../x", "backups/../../x",
                       "a//b", "a/",
                       "./a",  "backups/./b1",
                       "a/..", "backups/b1/.b1.tar.gz.partial-abc123"};
  for (const char* key : bad) {
    SCOPED_TRACE(key);
    auto st = validate_key(key);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_NE(st.error().message.find("\"" + std::string(key) + "\""), std::string::npos)
        << st.error().message;
  }
}

TEST(ObjectKey, AcceptsVeleroLayoutKeys) {
  const char* good[] = {"backups/b1/b1.tar.gz", "backups/b1/velero-backup.json", "x", ".hidden",
                        "a.partial-b"};
  for (const char* key : good) {
    SCOPED_TRACE(key);
    EXPECT_TRUE(validate_key(key));
  }
}

TEST(ObjectKey, PrefixesMayBeEmptyOrEndWithSlash) {
  EXPECT_TRUE(validate_prefix(""));
  EXPECT_TRUE(validate_prefix("backups/"));
  EXPECT_TRUE(validate_prefix("backups/b1"));
  EXPECT_FALSE(validate_prefix("/"));
  EXPECT_FALSE(validate_prefix("../"));
  EXPECT_FALSE(validate_prefix("backups//"));
}

}  // namespace
}  // namespace stillpoint::storage
