// SigV4 as S3 uses it: the worked examples of the Amazon S3 API Reference, "Signature
// Calculations for the Authorization Header: Transferring Payload in a Single Chunk"
// (https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html, section
// "Examples: Signature Calculations"; key AKIAIOSFODNN7EXAMPLE, bucket examplebucket,
// 20130524T000000Z). Canonical requests, string-to-sign hashes and signatures below are the
// page's. Plus uri_encode and the small helpers, with properties.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "storage/s3/sigv4.h"

namespace stillpoint::storage::s3 {
namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;
using namespace std::chrono;

const Credentials kDocCredentials{"AKIAIOSFODNN7EXAMPLE",
                                  "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ""};
const auto kDocTime = sys_days{2013y / 5 / 24};
constexpr const char* kHost = "examplebucket.s3.amazonaws.com";

struct DocExample {
  const char* name;
  std::string method;
  std::string path;
  Pairs query;
  Pairs headers;  // besides host, x-amz-date, x-amz-content-sha256
  std::string payload;
  std::string canonical;
  std::string sts_hash;
  std::string signed_headers;
  std::string signature;
};

std::vector<DocExample> doc_examples() {
  const std::string empty(kEmptyPayloadSha256);
  return {
      {"GET Object",
       "GET",
       "/test.txt",
       {},
       {{"Range", "bytes=0-9"}},
       "",
       "GET\n/test.txt\n\nhost:examplebucket.s3.amazonaws.com\nrange:bytes=0-9\n"
       "x-amz-content-sha256:" +
           empty +
           "\nx-amz-date:20130524T000000Z\n\n"
           "host;range;x-amz-content-sha256;x-amz-date\n" +
           empty,
       "7344ae5b7ee6c3e7e6b0fe0640412a37625d1fbfff95c48bbb2dc43964946972",
       "host;range;x-amz-content-sha256;x-amz-date",
       "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"},
      // The key "test$file.text" goes on the wire encoded, and is signed as sent.
      {"PUT Object",
       "PUT",
       "/" + uri_encode("test$file.text", false),
       {},
       {{"Date", "Fri, 24 May 2013 00:00:00 GMT"}, {"x-amz-storage-class", "REDUCED_REDUNDANCY"}},
       "Welcome to Amazon S3.",
       "PUT\n/test%24file.text\n\ndate:Fri, 24 May 2013 00:00:00 GMT\n"
       "host:examplebucket.s3.amazonaws.com\n"
       "x-amz-content-sha256:44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072\n"
       "x-amz-date:20130524T000000Z\nx-amz-storage-class:REDUCED_REDUNDANCY\n\n"
       "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class\n"
       "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072",
       "9e0e90d9c76de8fa5b200d8c849cd5b8dc7a3be3951ddb7f6a76b4158342019d",
       "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class",
       "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"},
      {"GET Bucket Lifecycle",
       "GET",
       "/",
       {{"lifecycle", ""}},
       {},
       "",
       "GET\n/\nlifecycle=\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" + empty +
           "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" + empty,
       "9766c798316ff2757b517bc739a67f6213b4ab36dd5da2f94eaebf79c77395ca",
       "host;x-amz-content-sha256;x-amz-date",
       "fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"},
      // Given out of order: signing sorts the query.
      {"Get Bucket (List Objects)",
       "GET",
       "/",
       {{"prefix", "J"}, {"max-keys", "2"}},
       {},
       "",
       "GET\n/\nmax-keys=2&prefix=J\nhost:examplebucket.s3.amazonaws.com\nx-amz-content-sha256:" +
           empty + "\nx-amz-date:20130524T000000Z\n\nhost;x-amz-content-sha256;x-amz-date\n" +
           empty,
       "df57d21db20da04d7fa30298dd4488ba3a2b47ca3a489c74750e0f1e7df1b9b7",
       "host;x-amz-content-sha256;x-amz-date",
       "34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"},
  };
}

SigningRequest doc_request(const DocExample& e) {
  SigningRequest r;
  r.method = e.method;
  r.path = e.path;
  r.query = e.query;
  r.headers = e.headers;
  r.host = kHost;
  r.payload_sha256 = e.payload.empty() ? std::string(kEmptyPayloadSha256) : sha256_hex(e.payload);
  r.region = "us-east-1";
  r.time = kDocTime;  // service defaults to "s3"
  return r;
}

// S3's documented examples, step by step, through the same header set sign() builds.
TEST(SigV4S3, MatchesTheS3DocumentationExamples) {
  for (const DocExample& e : doc_examples()) {
    SCOPED_TRACE(e.name);
    const SigningRequest request = doc_request(e);
    const SignedHeaders signed_headers = sign(request, kDocCredentials);
    ASSERT_EQ(signed_headers.headers.size(), 4u);
    EXPECT_EQ(signed_headers.headers[0], (std::pair<std::string, std::string>{"host", kHost}));
    EXPECT_EQ(signed_headers.headers[1],
              (std::pair<std::string, std::string>{"x-amz-date", "20130524T000000Z"}));
    EXPECT_EQ(signed_headers.headers[2], (std::pair<std::string, std::string>{
                                             "x-amz-content-sha256", request.payload_sha256}));

    Pairs all = e.headers;
    all.insert(all.end(), signed_headers.headers.begin(), signed_headers.headers.end() - 1);
    const std::string canonical = canonical_request(request, all);
    EXPECT_EQ(canonical, e.canonical);
    EXPECT_EQ(
        string_to_sign(request, canonical),
        "AWS4-HMAC-SHA256\n20130524T000000Z\n20130524/us-east-1/s3/aws4_request\n" + e.sts_hash);
    EXPECT_EQ(signed_headers.headers[3].first, "Authorization");
    EXPECT_EQ(signed_headers.headers[3].second,
              "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/"
              "aws4_request, SignedHeaders=" +
                  e.signed_headers + ", Signature=" + e.signature);
  }
}

// Streaming uploads sign the literal UNSIGNED-PAYLOAD and send it as the header value.
TEST(SigV4S3, UnsignedPayloadIsSignedAndSentLiterally) {
  SigningRequest request = doc_request(doc_examples()[0]);
  request.payload_sha256 = std::string(kUnsignedPayload);
  const SignedHeaders signed_headers = sign(request, kDocCredentials);
  EXPECT_EQ(signed_headers.headers[2].second, kUnsignedPayload);
  EXPECT_NE(signed_headers.headers[3].second.find("Signature="), std::string::npos);
  Pairs all = request.headers;
  all.insert(all.end(), signed_headers.headers.begin(), signed_headers.headers.end() - 1);
  const std::string canonical = canonical_request(request, all);
  EXPECT_EQ(canonical.substr(canonical.rfind('\n') + 1), kUnsignedPayload);
}

// Header names are signed in lowercase whatever case the caller used; an empty path is "/".
TEST(SigV4S3, CanonicalFormIgnoresNameCaseAndDefaultsThePath) {
  SigningRequest request = doc_request(doc_examples()[2]);
  request.path = "";
  const std::string lower = canonical_request(request, {{"x-amz-meta-a", "1"}, {"host", "h"}});
  const std::string mixed = canonical_request(request, {{"X-Amz-Meta-A", "1"}, {"HOST", "h"}});
  EXPECT_EQ(lower, mixed);
  EXPECT_EQ(lower.substr(0, 6), "GET\n/\n");
  EXPECT_NE(lower.find("host:h\nx-amz-meta-a:1\n\nhost;x-amz-meta-a\n"), std::string::npos);
}

// Tabs and runs of blanks collapse, ends are trimmed; an empty value stays empty.
TEST(SigV4S3, HeaderValuesAreTrimmedAndCollapsed) {
  SigningRequest request = doc_request(doc_examples()[2]);
  const std::string canonical =
      canonical_request(request, {{"a", "\t x \t  y  "}, {"b", ""}, {"c", "   "}});
  EXPECT_NE(canonical.find("\na:x y\nb:\nc:\n\na;b;c\n"), std::string::npos);
}

// A temporary credential's token is signed and sent.
TEST(SigV4S3, SessionTokenIsSignedForS3Too) {
  Credentials credentials = kDocCredentials;
  credentials.session_token = "token/with+chars=";
  const SignedHeaders signed_headers = sign(doc_request(doc_examples()[0]), credentials);
  ASSERT_EQ(signed_headers.headers.size(), 5u);
  EXPECT_EQ(signed_headers.headers[3],
            (std::pair<std::string, std::string>{"x-amz-security-token", "token/with+chars="}));
  EXPECT_NE(signed_headers.headers[4].second.find(
                "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date;x-amz-security-token,"),
            std::string::npos);
}

// A header sign() owns, also passed by the caller, would be sent twice: a bug, checked.
TEST(SigV4S3DeathTest, RejectsCallerCopiesOfHeadersSignAdds) {
  for (const char* name : {"Host", "X-Amz-Date", "x-amz-content-sha256", "Authorization"}) {
    SCOPED_TRACE(name);
    SigningRequest request = doc_request(doc_examples()[0]);
    request.headers.emplace_back(name, "x");
    EXPECT_DEATH(sign(request, kDocCredentials), "sign\\(\\): request.headers must not contain");
  }
}

TEST(SigV4S3, FormatsAmzDateInUtc) {
  EXPECT_EQ(amz_date(sys_days{2015y / 8 / 30} + 12h + 36min), "20150830T123600Z");
  EXPECT_EQ(amz_date(system_clock::time_point{}), "19700101T000000Z");
  // Sub-second parts are dropped, not rounded: the header has whole seconds.
  EXPECT_EQ(amz_date(sys_days{2024y / 2 / 29} + 23h + 59min + 59s + 999ms), "20240229T235959Z");
}

TEST(SigV4S3, HashesMatchKnownDigests) {
  EXPECT_EQ(sha256_hex(""), kEmptyPayloadSha256);
  EXPECT_EQ(sha256_hex("Welcome to Amazon S3."),
            "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072");
  // RFC 4231 test case 2.
  EXPECT_EQ(to_hex(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

// Unreserved characters stay; everything else is %XX in uppercase, byte by byte.
TEST(UriEncode, EncodesEverythingButUnreserved) {
  EXPECT_EQ(uri_encode("AZaz09-._~", true), "AZaz09-._~");
  EXPECT_EQ(uri_encode("a b+c/d", true), "a%20b%2Bc%2Fd");
  EXPECT_EQ(uri_encode("a b+c/d", false), "a%20b%2Bc/d");
  EXPECT_EQ(uri_encode("\xE1\x88\xB4", true), "%E1%88%B4");
  EXPECT_EQ(uri_encode(std::string("\0\xff", 2), true), "%00%FF");
  EXPECT_EQ(uri_encode("*=&%", true), "%2A%3D%26%25");
}

// Sorted by encoded name then value; `name=` for empty values; repeated names kept.
TEST(UriEncode, CanonicalQuerySortsEncodedPairs) {
  EXPECT_EQ(canonical_query_string({}), "");
  EXPECT_EQ(canonical_query_string({{"uploads", ""}}), "uploads=");
  EXPECT_EQ(canonical_query_string({{"prefix", "a/b c"}, {"list-type", "2"}}),
            "list-type=2&prefix=a%2Fb%20c");
  EXPECT_EQ(canonical_query_string({{"b", "2"}, {"a", "z"}, {"b", "1"}}), "a=z&b=1&b=2");
  // '_' (0x5F) sorts after uppercase, before lowercase: byte order, not case-folded.
  EXPECT_EQ(canonical_query_string({{"a", "1"}, {"_", "1"}, {"B", "1"}}), "B=1&_=1&a=1");
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%') {
      out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

bool is_upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// Decoding an encoding gives the input back, and the encoding holds only unreserved
// characters, %XX with uppercase hex, and '/' when slashes are kept.
RC_GTEST_PROP(UriEncodeProperty,
              RoundTripsAndUsesOnlySafeCharacters,
              (const std::string& text, bool encode_slash)) {
  const std::string encoded = uri_encode(text, encode_slash);
  RC_ASSERT(percent_decode(encoded) == text);
  for (size_t i = 0; i < encoded.size(); ++i) {
    const char c = encoded[i];
    if (c == '%') {
      RC_ASSERT(i + 2 < encoded.size());
      RC_ASSERT(is_upper_hex(encoded[i + 1]) && is_upper_hex(encoded[i + 2]));
      i += 2;
    } else {
      RC_ASSERT(is_unreserved(c) || (c == '/' && !encode_slash));
    }
  }
}

}  // namespace
}  // namespace stillpoint::storage::s3
