// S3's error answers become one line naming the operation, the object, S3's code and a hint
// for the usual cause elsewhere (keys, clock, bucket, region).
#include <gtest/gtest.h>

#include "storage/s3/s3_errors.h"

namespace stillpoint::storage::s3 {
namespace {

S3Target target() {
  S3Options o;
  o.endpoint = "http://127.0.0.1:7480";
  o.region = "us-east-1";
  return *resolve_target("s3://velero/prod", o);
}

std::string error_xml(const char* code, const char* message) {
  return std::string("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>") + code +
         "</Code><Message>" + message + "</Message><RequestId>tx1</RequestId></Error>";
}

TEST(DescribeFailure, SignatureMismatchPointsAtKeysAndClock) {
  S3Call call{.method = "GET", .key = "", .query = {{"list-type", "2"}, {"prefix", "prod/backups/"}}};
  core::Error e = describe_failure(target(), call, 403, error_xml("SignatureDoesNotMatch", ""));
  EXPECT_EQ(e.code, core::ErrorCode::Forbidden);
  EXPECT_EQ(e.message,
            "S3 listing s3://velero/prod/backups/ failed: HTTP 403 SignatureDoesNotMatch (the "
            "secret access key does not belong to the access key, or this machine's clock is "
            "off)");
}

TEST(DescribeFailure, PartUploadsAndMissingBuckets) {
  S3Call part{.method = "PUT", .key = "prod/v.tar.zst", .query = {{"partNumber", "3"}, {"uploadId", "u"}}};
  core::Error e = describe_failure(target(), part, 404, error_xml("NoSuchBucket", "gone"));
  EXPECT_EQ(e.code, core::ErrorCode::NotFound);
  EXPECT_EQ(e.message,
            "S3 uploading part 3 of s3://velero/prod/v.tar.zst failed: HTTP 404 NoSuchBucket: "
            "gone (bucket \"velero\" does not exist at 127.0.0.1:7480; create it first)");
}

TEST(DescribeFailure, NonS3AnswersSaySo) {
  S3Call get{.method = "GET", .key = "prod/x"};
  core::Error e = describe_failure(target(), get, 502, "<html>Bad Gateway</html>");
  EXPECT_EQ(e.code, core::ErrorCode::Unavailable);
  EXPECT_NE(e.message.find("is --s3-endpoint an S3 service?"), std::string::npos) << e.message;
  core::Error region = describe_failure(target(), get, 301, error_xml("PermanentRedirect", "x"));
  EXPECT_NE(region.message.find("set --s3-region"), std::string::npos);
}

}  // namespace
}  // namespace stillpoint::storage::s3
