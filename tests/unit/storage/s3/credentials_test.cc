// Credentials as the AWS CLI finds them: environment first, then the shared file's profile.
// Messages say where it looked and never carry a secret.
#include "storage/s3/credentials.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

namespace stillpoint::storage::s3 {
namespace {

constexpr const char* kFile = R"(# team credentials
[default]
aws_access_key_id = AKIDDEFAULT
aws_secret_access_key = default/secret+key

[backup-writer]
aws_access_key_id=AKIDWRITER
aws_secret_access_key=writer-secret
aws_session_token = token-value
region = eu-west-1
)";

TEST(CredentialsFile, ReadsTheNamedProfile) {
  auto c = parse_credentials_file(kFile, "backup-writer", "/home/u/.aws/credentials");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDWRITER");
  EXPECT_EQ(c->secret_access_key, "writer-secret");
  EXPECT_EQ(c->session_token, "token-value");
  auto d = parse_credentials_file(kFile, "default", "f");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->secret_access_key, "default/secret+key");
  EXPECT_EQ(d->session_token, "");
}

TEST(CredentialsFile, ToleratesABomUppercaseKeysAndSpaces) {
  auto c = parse_credentials_file(
      "\xEF\xBB\xBF[default]\r\nAWS_Access_Key_ID = AKID \r\naws_secret_access_key=s3cr3t\r\n",
      "default", "f");
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKID");
  EXPECT_EQ(c->secret_access_key, "s3cr3t");
}

TEST(CredentialsFile, MissingProfileOrKeyIsNamed) {
  auto none = parse_credentials_file(kFile, "prod", "/home/u/.aws/credentials");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().message, "no profile [prod] in /home/u/.aws/credentials");
  auto half = parse_credentials_file("[x]\naws_access_key_id = A\n", "x", "f");
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("lacks aws_access_key_id or aws_secret_access_key"),
            std::string::npos);
  auto broken = parse_credentials_file("[x\naws_access_key_id = A\n", "x", "f");
  ASSERT_FALSE(broken);
  EXPECT_EQ(broken.error().message, "f:1: a section header must end with ']'");
}

class CredentialsEnv : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* name : {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
                             "AWS_SHARED_CREDENTIALS_FILE", "AWS_PROFILE"}) {
      ::unsetenv(name);
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("sp-creds-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
    std::ofstream(dir_ / "credentials") << kFile;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(CredentialsEnv, EnvironmentWinsOverTheFile) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").c_str(), 1);
  ::setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
  ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
  auto c = load_credentials();
  ASSERT_TRUE(c);
  EXPECT_EQ(c->access_key_id, "AKIDENV");
  // A trailing newline (a key pasted from a Secret) is not part of the key.
  ::setenv("AWS_SECRET_ACCESS_KEY", "env-secret\n", 1);
  EXPECT_EQ(load_credentials()->secret_access_key, "env-secret");
  ::unsetenv("AWS_SECRET_ACCESS_KEY");
  auto half = load_credentials();
  ASSERT_FALSE(half);
  EXPECT_NE(half.error().message.find("must be set together"), std::string::npos);
}

TEST_F(CredentialsEnv, FileAndProfileFromTheEnvironment) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "credentials").c_str(), 1);
  ::setenv("AWS_PROFILE", "backup-writer", 1);
  auto c = load_credentials();
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->access_key_id, "AKIDWRITER");
  ::unsetenv("AWS_PROFILE");
  EXPECT_EQ(load_credentials()->access_key_id, "AKIDDEFAULT");
}

TEST_F(CredentialsEnv, NothingAnywhereSaysWhereItLooked) {
  ::setenv("AWS_SHARED_CREDENTIALS_FILE", (dir_ / "absent").c_str(), 1);
  auto c = load_credentials();
  ASSERT_FALSE(c);
  EXPECT_NE(c.error().message.find((dir_ / "absent").string() + " cannot be read"),
            std::string::npos)
      << c.error().message;
  EXPECT_NE(c.error().message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

}  // namespace
}  // namespace stillpoint::storage::s3
