// S3's XML answers: real-looking AWS and radosgw bodies for every parser, hostile and cut-short
// input. The request bodies we build are in s3_xml_bodies_test.cc.
#include "storage/s3/s3_xml.h"

#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace stillpoint::storage::s3 {
namespace {

// AWS's ListObjectsV2 example shape, pretty-printed, with the default namespace.
constexpr std::string_view kAwsList = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
    <Name>example-bucket</Name>
    <Prefix>backups/</Prefix>
    <KeyCount>2</KeyCount>
    <MaxKeys>2</MaxKeys>
    <IsTruncated>true</IsTruncated>
    <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
    <Contents>
        <Key>backups/nightly/backup.json</Key>
        <LastModified>2009-10-12T17:50:30.000Z</LastModified>
        <ETag>"fba9dede5f27731c9771645a39863328"</ETag>
        <Size>434234</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
    <Contents>
        <Key>backups/nightly/resources.tar.gz</Key>
        <LastModified>2009-10-12T17:50:31.000Z</LastModified>
        <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
        <Size>18446744073709551615</Size>
        <StorageClass>STANDARD</StorageClass>
    </Contents>
</ListBucketResult>
)";

// radosgw (Ceph Reef) writes one line, escapes the ETag quotes and adds Owner/Type.
constexpr std::string_view kRgwList =
    R"(<?xml version="1.0" encoding="UTF-8"?><ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>stillpoint</Name><Prefix>b/</Prefix><ContinuationToken></ContinuationToken><StartAfter></StartAfter><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>false</IsTruncated><Contents><Key>b/a &amp; b.txt</Key><LastModified>2024-05-01T10:00:00.000Z</LastModified><ETag>&quot;d41d8cd98f00b204e9800998ecf8427e&quot;</ETag><Size>0</Size><StorageClass>STANDARD</StorageClass><Owner><ID>sp</ID><DisplayName>stillpoint</DisplayName></Owner><Type>Normal</Type></Contents><CommonPrefixes><Prefix>b/2024-05-01/</Prefix></CommonPrefixes><CommonPrefixes><Prefix>b/2024-05-02/</Prefix></CommonPrefixes></ListBucketResult>)";

constexpr std::string_view kAwsError = R"(<?xml version="1.0" encoding="UTF-8"?>
<Error>
  <Code>NoSuchKey</Code>
  <Message>The resource you requested does not exist</Message>
  <Resource>/mybucket/myfoto.jpg</Resource>
  <RequestId>4442587FB7D0A2F9</RequestId>
</Error>)";

constexpr std::string_view kRgwError =
    R"(<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message></Message><BucketName>stillpoint</BucketName><RequestId>tx00000a1b2c3d4e5f6-0066323a1f-1234-default</RequestId><HostId>1234-default-default</HostId></Error>)";

constexpr std::string_view kInitiate = R"(<?xml version="1.0" encoding="UTF-8"?>
<InitiateMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>example-bucket</Bucket>
  <Key>example-object</Key>
  <UploadId>VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA</UploadId>
</InitiateMultipartUploadResult>)";

constexpr std::string_view kUploads = R"(<?xml version="1.0" encoding="UTF-8"?>
<ListMultipartUploadsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Bucket>bucket</Bucket>
  <KeyMarker></KeyMarker>
  <UploadIdMarker></UploadIdMarker>
  <NextKeyMarker>my-movie.m2ts</NextKeyMarker>
  <NextUploadIdMarker>YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ</NextUploadIdMarker>
  <MaxUploads>2</MaxUploads>
  <IsTruncated>true</IsTruncated>
  <Upload>
    <Key>my-divisor</Key>
    <UploadId>XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw</UploadId>
    <Initiator><ID>arn:aws:iam::111122223333:user/user1</ID><DisplayName>user1</DisplayName></Initiator>
    <StorageClass>STANDARD</StorageClass>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
  <Upload>
    <Key>my-movie.m2ts</Key>
    <UploadId>2~iCw_lDY8VoBFAy3zrWr3V2_LQFp7k_T</UploadId>
    <Initiated>2010-11-10T20:48:33.000Z</Initiated>
  </Upload>
</ListMultipartUploadsResult>)";

// AWS: a 200 can trail whitespace before the document, and still carry an <Error>.
constexpr std::string_view kCompleteOk = R"(

<?xml version="1.0" encoding="UTF-8"?>
<CompleteMultipartUploadResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Location>http://example-bucket.s3.amazonaws.com/backup.tar</Location>
  <Bucket>example-bucket</Bucket>
  <Key>backup.tar</Key>
  <ETag>"3858f62230ac3c915f300c664312c11f-9"</ETag>
</CompleteMultipartUploadResult>)";

constexpr std::string_view kCompleteError = R"(<?xml version="1.0" encoding="UTF-8"?>

<Error>
  <Code>InternalError</Code>
  <Message>We encountered an internal error. Please try again.</Message>
  <RequestId>656c76696e6727732072657175657374</RequestId>
  <HostId>Uuag1LuByRx9e6j5Onimru9pO4ZVKnJ2Qz7/C1NPcfTWAtRPfTaOFg==</HostId>
</Error>)";

constexpr std::string_view kDeleteResult = R"(<?xml version="1.0" encoding="UTF-8"?>
<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
  <Deleted><Key>sample1.txt</Key></Deleted>
  <Error>
    <Key>sample2.txt</Key>
    <Code>AccessDenied</Code>
    <Message>Access Denied</Message>
  </Error>
</DeleteResult>)";

bool is_protocol_error(const core::Error& e) {
  return e.code == core::ErrorCode::Protocol;
}

TEST(S3Xml, ParsesAwsListObjectsV2) {
  auto page = parse_list_objects_v2(kAwsList);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->objects.size(), 2u);
  EXPECT_EQ(page->objects[0].key, "backups/nightly/backup.json");
  EXPECT_EQ(page->objects[0].size, 434234u);
  EXPECT_EQ(page->objects[0].etag, "\"fba9dede5f27731c9771645a39863328\"");
  EXPECT_EQ(page->objects[1].size, UINT64_MAX);
  EXPECT_TRUE(page->common_prefixes.empty());
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
}

TEST(S3Xml, ParsesRadosgwListObjectsV2) {
  auto page = parse_list_objects_v2(kRgwList);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->objects.size(), 1u);
  EXPECT_EQ(page->objects[0].key, "b/a & b.txt");
  EXPECT_EQ(page->objects[0].size, 0u);
  EXPECT_EQ(page->objects[0].etag, "\"d41d8cd98f00b204e9800998ecf8427e\"");
  EXPECT_EQ(page->common_prefixes, (std::vector<std::string>{"b/2024-05-01/", "b/2024-05-02/"}));
  EXPECT_FALSE(page->truncated);
  EXPECT_EQ(page->next_continuation_token, "");
}

// The namespace may be absent, or bound to a prefix: same document.
TEST(S3Xml, IgnoresNamespacePresenceAndPrefix) {
  const std::string plain =
      "<ListBucketResult><Contents><Key>k</Key><Size>7</Size></Contents></ListBucketResult>";
  const std::string prefixed =
      "<s3:ListBucketResult xmlns:s3=\"http://s3.amazonaws.com/doc/2006-03-01/\"><s3:Contents>"
      "<s3:Key>k</s3:Key><s3:Size>7</s3:Size></s3:Contents></s3:ListBucketResult>";
  for (const std::string& body : {plain, prefixed}) {
    auto page = parse_list_objects_v2(body);
    ASSERT_TRUE(page) << page.error().message;
    ASSERT_EQ(page->objects.size(), 1u);
    EXPECT_EQ(page->objects[0].key, "k");
    EXPECT_EQ(page->objects[0].size, 7u);
    EXPECT_EQ(page->objects[0].etag, "");
    EXPECT_FALSE(page->truncated);
  }
}

// Keys are data: whitespace-only keys, CDATA, character references and comments survive.
TEST(S3Xml, KeepsKeysExactly) {
  const std::string body =
      "<ListBucketResult>"
      "<Contents><Key>  </Key><Size>1</Size></Contents>"
      "<Contents><Key><![CDATA[a<b>&c]]></Key><Size>2</Size></Contents>"
      "<Contents><Key>x&#13;y&#x9;z</Key><Size>3</Size></Contents>"
      "<Contents><Key>p<!-- c -->q</Key><Size>4</Size></Contents>"
      "<Contents><Key> \xE1\x88\xB4 </Key><Size>5</Size></Contents>"
      "</ListBucketResult>";
  auto page = parse_list_objects_v2(body);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->objects.size(), 5u);
  EXPECT_EQ(page->objects[0].key, "  ");
  EXPECT_EQ(page->objects[1].key, "a<b>&c");
  EXPECT_EQ(page->objects[2].key, "x\ry\tz");
  EXPECT_EQ(page->objects[3].key, "pq");
  EXPECT_EQ(page->objects[4].key, " \xE1\x88\xB4 ");
}

// encoding-type=url answers are decoded: AWS's '+' for space and %XX both.
TEST(S3Xml, DecodesUrlEncodedListings) {
  const std::string body =
      "<ListBucketResult><EncodingType>url</EncodingType>"
      "<Contents><Key>a+b%2Bc%0Ad%20e</Key><Size>1</Size></Contents>"
      "<CommonPrefixes><Prefix>p%2F%E1%88%B4/</Prefix></CommonPrefixes></ListBucketResult>";
  auto page = parse_list_objects_v2(body);
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_EQ(page->objects[0].key, "a b+c\nd e");
  EXPECT_EQ(page->common_prefixes[0], "p/\xE1\x88\xB4/");
  for (const char* bad : {"%", "%4", "%G0", "a%zz"}) {
    SCOPED_TRACE(bad);
    auto broken = parse_list_objects_v2(std::string("<ListBucketResult><EncodingType>url"
                                                    "</EncodingType><Contents><Key>") +
                                        bad + "</Key><Size>1</Size></Contents></ListBucketResult>");
    ASSERT_FALSE(broken);
    EXPECT_TRUE(is_protocol_error(broken.error()));
  }
}

// A size we cannot represent exactly is refused, not truncated or wrapped.
TEST(S3Xml, RejectsBadSizes) {
  for (const char* size : {"", "-1", "+1", "1.5", "1e3", "0x10", "12a", "18446744073709551616",
                           "99999999999999999999999", "\xEF\xBC\x91"}) {
    SCOPED_TRACE(size);
    auto page =
        parse_list_objects_v2(std::string("<ListBucketResult><Contents><Key>k</Key><Size>") + size +
                              "</Size></Contents></ListBucketResult>");
    ASSERT_FALSE(page);
    EXPECT_TRUE(is_protocol_error(page.error()));
    EXPECT_NE(page.error().message.find("<Size>"), std::string::npos) << page.error().message;
  }
  auto padded = parse_list_objects_v2(
      "<ListBucketResult><Contents><Key>k</Key><Size>\n 42 "
      "\n</Size></Contents></ListBucketResult>");
  ASSERT_TRUE(padded);
  EXPECT_EQ(padded->objects[0].size, 42u);
  EXPECT_FALSE(parse_list_objects_v2(
      "<ListBucketResult><Contents><Key>k</Key></Contents></ListBucketResult>"));
}

// Shapes that would make the caller lose or loop over pages are errors.
TEST(S3Xml, RejectsListingsThatCannotBeFollowed) {
  struct Case {
    const char* name;
    const char* body;
  } cases[] = {
      {"truncated without token",
       "<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>"},
      {"odd IsTruncated", "<ListBucketResult><IsTruncated>yes</IsTruncated></ListBucketResult>"},
      {"contents without key",
       "<ListBucketResult><Contents><Size>1</Size></Contents></ListBucketResult>"},
      {"wrong root", "<ListAllMyBucketsResult/>"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto page = parse_list_objects_v2(c.body);
    ASSERT_FALSE(page);
    EXPECT_TRUE(is_protocol_error(page.error()));
  }
}

// A 200 whose body is an <Error> names S3's code in the message.
TEST(S3Xml, ReportsAnErrorDocumentWhereAResultWasExpected) {
  auto page = parse_list_objects_v2(kAwsError);
  ASSERT_FALSE(page);
  EXPECT_NE(page.error().message.find("NoSuchKey"), std::string::npos) << page.error().message;
}

TEST(S3Xml, ParsesErrorDocuments) {
  auto aws = parse_error(kAwsError);
  ASSERT_TRUE(aws);
  EXPECT_EQ(aws->code, "NoSuchKey");
  EXPECT_EQ(aws->message, "The resource you requested does not exist");
  EXPECT_EQ(aws->resource, "/mybucket/myfoto.jpg");
  EXPECT_EQ(aws->request_id, "4442587FB7D0A2F9");

  auto rgw = parse_error(kRgwError);
  ASSERT_TRUE(rgw);
  EXPECT_EQ(rgw->code, "SignatureDoesNotMatch");
  EXPECT_EQ(rgw->message, "");
  EXPECT_EQ(rgw->request_id, "tx00000a1b2c3d4e5f6-0066323a1f-1234-default");
}

// Anything that is not an S3 <Error> document: nullopt, so the caller reports the status.
TEST(S3Xml, ErrorParserDeclinesOtherBodies) {
  for (std::string_view body :
       {std::string_view(""), std::string_view("<html><body>502 Bad Gateway</body></html>"),
        std::string_view("Service Unavailable"), std::string_view("<Error><Code>X</Code>"),
        kAwsList}) {
    SCOPED_TRACE(body);
    EXPECT_FALSE(parse_error(body));
  }
}

TEST(S3Xml, ParsesUploadId) {
  auto id = parse_upload_id(kInitiate);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA");
  EXPECT_FALSE(parse_upload_id(
      "<InitiateMultipartUploadResult><UploadId> </UploadId></InitiateMultipartUploadResult>"));
  EXPECT_FALSE(parse_upload_id("<InitiateMultipartUploadResult/>"));
  EXPECT_FALSE(parse_upload_id(kAwsError));
}

TEST(S3Xml, ParsesMultipartUploadListing) {
  auto page = parse_list_multipart_uploads(kUploads);
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->uploads.size(), 2u);
  EXPECT_EQ(page->uploads[0].key, "my-divisor");
  EXPECT_EQ(page->uploads[0].upload_id, "XMgbGlrZSBlbHZpbmcncyBub3QgaGF2aW5nIG11Y2ggbHVjaw");
  EXPECT_EQ(page->uploads[1].upload_id, "2~iCw_lDY8VoBFAy3zrWr3V2_LQFp7k_T");
  EXPECT_TRUE(page->truncated);
  EXPECT_EQ(page->next_key_marker, "my-movie.m2ts");
  EXPECT_EQ(page->next_upload_id_marker, "YW55IGlkZWEgd2h5IGVsdmluZydzIHVwbG9hZCBmYWlsZWQ");

  auto empty = parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><IsTruncated>false</IsTruncated></ListMultipartUploadsResult>");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->uploads.empty());
  EXPECT_FALSE(parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><Upload><Key>k</Key></Upload></ListMultipartUploadsResult>"));
  EXPECT_FALSE(parse_list_multipart_uploads(
      "<ListMultipartUploadsResult><IsTruncated>true</IsTruncated></ListMultipartUploadsResult>"));
}

TEST(S3Xml, CompleteFailedOnlyClearsAWellFormedResult) {
  S3Error error;
  EXPECT_FALSE(complete_failed(kCompleteOk, error));

  EXPECT_TRUE(complete_failed(kCompleteError, error));
  EXPECT_EQ(error.code, "InternalError");
  EXPECT_EQ(error.request_id, "656c76696e6727732072657175657374");

  // Cut short after AWS's keep-alive whitespace: the outcome is unknown, not a success.
  for (std::string_view body : {kCompleteOk.substr(0, 3), kCompleteOk.substr(0, 120),
                                std::string_view("<html>proxy</html>")}) {
    SCOPED_TRACE(body);
    S3Error unknown;
    EXPECT_TRUE(complete_failed(body, unknown));
    EXPECT_EQ(unknown.code, kMalformedCompleteResult);
    EXPECT_FALSE(unknown.message.empty());
  }
}

TEST(S3Xml, ParsesDeleteResult) {
  auto failures = parse_delete_result(kDeleteResult);
  ASSERT_TRUE(failures) << failures.error().message;
  ASSERT_EQ(failures->size(), 1u);
  EXPECT_EQ((*failures)[0].key, "sample2.txt");
  EXPECT_EQ((*failures)[0].code, "AccessDenied");
  EXPECT_EQ((*failures)[0].message, "Access Denied");

  auto quiet =
      parse_delete_result("<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>");
  ASSERT_TRUE(quiet);
  EXPECT_TRUE(quiet->empty());
  EXPECT_FALSE(parse_delete_result("<DeleteResult><Error><Code>X</Code></Error></DeleteResult>"));
  EXPECT_FALSE(parse_delete_result(kAwsError));
}

// Every prefix of every real body that stops before the root closes is an error, never a
// crash or a half-filled success.
TEST(S3Xml, TruncatedBodiesAreErrors) {
  for (std::string_view body : {kAwsList, kRgwList, kInitiate, kUploads, kDeleteResult}) {
    const size_t complete = body.rfind('>') + 1;
    for (size_t n = 0; n < complete; ++n) {
      const std::string_view cut = body.substr(0, n);
      SCOPED_TRACE(cut);
      EXPECT_FALSE(parse_list_objects_v2(cut));
      EXPECT_FALSE(parse_upload_id(cut));
      EXPECT_FALSE(parse_list_multipart_uploads(cut));
      EXPECT_FALSE(parse_delete_result(cut));
      EXPECT_FALSE(parse_error(cut));
      S3Error error;
      EXPECT_TRUE(complete_failed(cut, error));
    }
  }
}

TEST(S3Xml, GarbageIsAnError) {
  const std::string garbage[] = {
      std::string(),
      std::string("\0\0\0", 3),
      "<",
      "<<<>>>",
      "<?xml version=\"1.0\"?>",
      "<ListBucketResult><Contents>",
      "<ListBucketResult></ListBucket>",
      "<!DOCTYPE x [<!ENTITY a \"aaaa\"><!ENTITY b \"&a;&a;&a;\">]><ListBucketResult>&b;"
      "</ListBucketResult>",
      "<ListBucketResult a=\"1\" a=\"2\"/>",
      std::string(100000, '<'),
      "\xff\xfe<\0L\0",
  };
  for (const std::string& body : garbage) {
    SCOPED_TRACE(body.substr(0, 40));
    auto page = parse_list_objects_v2(body);
    if (page) {
      // Only a well-formed document may succeed, and then it carries nothing.
      EXPECT_TRUE(page->objects.empty());
    } else {
      EXPECT_TRUE(is_protocol_error(page.error()));
    }
    EXPECT_FALSE(parse_upload_id(body));
    EXPECT_FALSE(parse_error(body));
  }
}

}  // namespace
}  // namespace stillpoint::storage::s3
