// s3://BUCKET/PREFIX and the --s3-* flags: addressing style, Host header, request paths, and
// a message naming the bad value for every mistake.
#include "storage/s3/s3_options.h"

#include <cstdlib>

#include <gtest/gtest.h>

namespace stillpoint::storage::s3 {
namespace {

S3Target resolve_ok(std::string_view location, S3Options options = {}) {
  auto t = resolve_target(location, options);
  EXPECT_TRUE(t) << t.error().message;
  return t ? *t : S3Target{};
}

std::string resolve_error(std::string_view location, S3Options options = {}) {
  auto t = resolve_target(location, options);
  EXPECT_FALSE(t) << location;
  return t ? std::string() : t.error().message;
}

TEST(ResolveTarget, AwsDefaultsToVirtualHostedTlsInTheRegion) {
  S3Options o;
  o.region = "eu-west-3";
  S3Target t = resolve_ok("s3://my-backups/prod/cluster-a/", o);
  EXPECT_EQ(t.bucket, "my-backups");
  EXPECT_EQ(t.prefix, "prod/cluster-a/");
  EXPECT_TRUE(t.tls);
  EXPECT_FALSE(t.path_style);
  EXPECT_EQ(t.host_header(), "my-backups.s3.eu-west-3.amazonaws.com");
  EXPECT_EQ(t.path_of("prod/cluster-a/backups/b 1/b.tar.gz"),
            "/prod/cluster-a/backups/b%201/b.tar.gz");
  EXPECT_EQ(t.path_of(""), "/");
  EXPECT_EQ(t.describe(), "s3://my-backups/prod/cluster-a");
}

TEST(ResolveTarget, IpEndpointsUsePathStyleAndKeepTheirPort) {
  S3Options o;
  o.endpoint = "http://127.0.0.1:7480/";
  o.region = "us-east-1";
  S3Target t = resolve_ok("s3://velero", o);
  EXPECT_FALSE(t.tls);
  EXPECT_TRUE(t.path_style);
  EXPECT_EQ(t.prefix, "");
  EXPECT_EQ(t.port, "7480");
  EXPECT_EQ(t.host_header(), "127.0.0.1:7480");
  EXPECT_EQ(t.path_of("backups/x"), "/velero/backups/x");
  EXPECT_EQ(t.path_of(""), "/velero");
  EXPECT_EQ(t.describe(), "s3://velero");
}

TEST(ResolveTarget, DefaultPortsAreLeftOutOfTheHostHeader) {
  S3Options o;
  o.endpoint = "https://minio.example.com";
  S3Target t = resolve_ok("s3://bkp", o);
  EXPECT_EQ(t.port, "443");
  EXPECT_FALSE(t.path_style);
  EXPECT_EQ(t.host_header(), "bkp.minio.example.com");
  o.path_style = true;
  EXPECT_EQ(resolve_ok("s3://bkp", o).host_header(), "minio.example.com");
  o.endpoint = "https://[::1]:9000";
  EXPECT_EQ(resolve_ok("s3://bkp", o).host_header(), "[::1]:9000");
}

TEST(ResolveTarget, DottedBucketsOnAwsUsePathStyle) {
  // *.s3.amazonaws.com's certificate covers one label; "a.b" would not match it.
  EXPECT_TRUE(resolve_ok("s3://backups.example.com").path_style);
}

TEST(ResolveTarget, RegionComesFromTheEnvironmentWhenNotGiven) {
  ::setenv("AWS_REGION", "ap-south-1", 1);
  EXPECT_EQ(resolve_ok("s3://bkt").region, "ap-south-1");
  ::unsetenv("AWS_REGION");
  ::unsetenv("AWS_DEFAULT_REGION");
  EXPECT_EQ(resolve_ok("s3://bkt").region, "us-east-1");
}

TEST(ResolveTarget, EveryBadValueIsNamed) {
  EXPECT_NE(resolve_error("s3://AB").find("bucket name \"AB\""), std::string::npos);
  EXPECT_NE(resolve_error("s3://Upper-Case").find("\"Upper-Case\""), std::string::npos);
  EXPECT_NE(resolve_error("s3://-dash").find("\"-dash\""), std::string::npos);
  EXPECT_NE(resolve_error("s3://").find("bucket name"), std::string::npos);
  EXPECT_NE(resolve_error("s3://bkt/a//b").find("empty segment"), std::string::npos);
  EXPECT_NE(resolve_error("gs://bkt").find("s3://BUCKET"), std::string::npos);
  S3Options o;
  o.endpoint = "127.0.0.1:7480";
  EXPECT_NE(resolve_error("s3://bkt", o).find("--s3-endpoint 127.0.0.1:7480: must start with"),
            std::string::npos);
  o.endpoint = "http://host/bucket";
  EXPECT_NE(resolve_error("s3://bkt", o).find("without a path"), std::string::npos);
  o.endpoint = "http://key:secret@host";
  EXPECT_NE(resolve_error("s3://bkt", o).find("must not carry credentials"), std::string::npos);
  o.endpoint = "http://host:99999";
  EXPECT_NE(resolve_error("s3://bkt", o).find("port must be 1-65535"), std::string::npos);
  o.endpoint = "http://host:7480";
  o.ca_file = "/etc/ssl/ca.pem";
  EXPECT_NE(resolve_error("s3://bkt", o).find("need an https:// endpoint"), std::string::npos);
  S3Options parts;
  parts.part_size = 4 * kMiB;
  EXPECT_NE(resolve_error("s3://bkt", parts).find("--s3-part-size 4MiB"), std::string::npos);
  S3Options parallel;
  parallel.upload_parallelism = 0;
  EXPECT_NE(resolve_error("s3://bkt", parallel).find("--s3-upload-parallelism 0"),
            std::string::npos);
}

}  // namespace
}  // namespace stillpoint::storage::s3
