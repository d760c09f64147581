// AWS Signature Version 4 for S3, on OpenSSL's SHA-256 and HMAC (Debian's libcurl 7.88 does
// not canonicalise query strings: ../shared/reference/dependencies.md §1).
//
// The algorithm, step by step as AWS documents it ("Create a signed AWS API request"):
//   canonical request = METHOD \n URI \n QUERY \n HEADERS \n SIGNED-HEADERS \n PAYLOAD-HASH
//   string to sign    = "AWS4-HMAC-SHA256" \n AMZ-DATE \n SCOPE \n hex(sha256(canonical))
//   signing key       = HMAC chain over "AWS4"+secret, date, region, service, "aws4_request"
// Pure functions: tests check each step against AWS's published test vectors.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stillpoint::storage::s3 {

struct Credentials {
  std::string access_key_id;
  std::string secret_access_key;
  std::string session_token;  // empty unless temporary credentials
};

inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
// SHA-256 of the empty string: the payload hash of GET, HEAD, DELETE.
inline constexpr std::string_view kEmptyPayloadSha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

struct SigningRequest {
  std::string method;  // "GET", "PUT", ...
  // The request path exactly as sent on the wire, already URI-encoded per S3's rules
  // (uri_encode(key, /*encode_slash=*/false)); S3 does not encode it a second time.
  std::string path;
  // Query parameters, NOT encoded (e.g. {"prefix", "a/b"}, {"uploads", ""}); signing sorts
  // and encodes them, and query_string() gives the same encoding for the wire.
  std::vector<std::pair<std::string, std::string>> query;
  // Headers to sign besides the ones sign() adds (host, x-amz-date, x-amz-content-sha256,
  // x-amz-security-token): e.g. content-type, content-md5, x-amz-meta-*. Names in any case;
  // values are trimmed and inner runs of spaces collapsed, as the algorithm requires.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string host;            // the Host header: "127.0.0.1:7480" or "bucket.s3.amazonaws.com"
  std::string payload_sha256;  // lowercase hex, or kUnsignedPayload
  std::string region;          // "us-east-1"
  std::string service = "s3";
  std::chrono::system_clock::time_point time;
};

// What to add to the request besides `request.headers` (which the caller sends as well): the
// headers sign() added and signed, with their values, in this order: host, x-amz-date,
// x-amz-content-sha256 (service "s3" only), x-amz-security-token (when a token is set), and
// Authorization ("AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...").
struct SignedHeaders {
  std::vector<std::pair<std::string, std::string>> headers;
};

// RFC 3986 unreserved characters kept, everything else %XX uppercase; '/' kept unless
// encode_slash. Bytes are encoded one by one (UTF-8 stays multi-byte %XX).
std::string uri_encode(std::string_view text, bool encode_slash);
// "a=1&b=x%2Fy" sorted by encoded name then value; what both the wire and the signer use.
std::string canonical_query_string(const std::vector<std::pair<std::string, std::string>>& query);

std::string sha256_hex(std::string_view bytes);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw bytes
std::string to_hex(std::string_view bytes);
std::string amz_date(std::chrono::system_clock::time_point time);  // "20150830T123600Z"

// The steps, exposed for tests. `request.headers` plus the headers sign() adds are what
// canonical_request() sees, so call these through sign() in production code.
std::string canonical_request(const SigningRequest& request,
                              const std::vector<std::pair<std::string, std::string>>& headers);
std::string string_to_sign(const SigningRequest& request, std::string_view canonical_request);
std::string signing_key(std::string_view secret,
                        std::string_view date_yyyymmdd,
                        std::string_view region,
                        std::string_view service);

// Signs `request`. `request.headers` must not hold the headers sign() adds, nor
// Authorization: a second copy would be sent twice and signed as "a,b" (checked, a bug).
SignedHeaders sign(const SigningRequest& request, const Credentials& credentials);

}  // namespace stillpoint::storage::s3
