// The XML bodies S3 answers with, parsed with pugixml into plain structs, and the two request
// bodies stillpoint sends. Responses come from a server we do not control, so every parser is
// total: malformed XML, missing elements or absurd values give an error (or an empty field),
// never a crash (fuzz/s3_xml_fuzz.cc). Errors are ErrorCode::Protocol; a 200 whose root is an
// <Error> is reported as such, with S3's code and message in the error text.
// Element names are matched without namespace: S3's default namespace
// (http://s3.amazonaws.com/doc/2006-03-01/) may be present or absent.
// Not here: HTTP status handling, retries, what an error code means to the user.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace stillpoint::storage::s3 {

// <Error><Code>NoSuchBucket</Code><Message>...</Message><Resource>..</Resource>
//        <RequestId>..</RequestId></Error>
struct S3Error {
  std::string code;
  std::string message;
  std::string resource;
  std::string request_id;
};
// nullopt when the body is not an S3 <Error> document (e.g. a proxy's HTML page).
std::optional<S3Error> parse_error(std::string_view body);

// ListObjectsV2: <ListBucketResult> with <Contents><Key>, <Size>, <ETag>,
// <IsTruncated>, <NextContinuationToken>, <CommonPrefixes><Prefix>.
// Errors: a <Contents> without <Key>, a missing, non-numeric or overflowing <Size>, an
// <IsTruncated> other than true/false, a truncated page without a continuation token (asking
// again without one would restart the listing). With <EncodingType>url</EncodingType> (the
// request said encoding-type=url) keys and prefixes are decoded; a bad %-escape is an error.
struct ListedObject {
  std::string key;
  uint64_t size = 0;
  std::string etag;
};
struct ListPage {
  std::vector<ListedObject> objects;
  std::vector<std::string> common_prefixes;
  bool truncated = false;
  std::string next_continuation_token;
};
core::Result<ListPage> parse_list_objects_v2(std::string_view body);

// CreateMultipartUpload: <InitiateMultipartUploadResult><UploadId>; an empty id is an error.
core::Result<std::string> parse_upload_id(std::string_view body);

// ListMultipartUploads: <ListMultipartUploadsResult> <Upload><Key>, <UploadId>,
// <IsTruncated>, <NextKeyMarker>, <NextUploadIdMarker>. Errors: an <Upload> without key or
// id, a bad <IsTruncated>, a truncated page without <NextKeyMarker>. Keys and
// NextKeyMarker are url-decoded under <EncodingType>url</EncodingType>.
struct PendingUpload {
  std::string key;
  std::string upload_id;
};
struct UploadsPage {
  std::vector<PendingUpload> uploads;
  bool truncated = false;
  std::string next_key_marker;
  std::string next_upload_id_marker;
};
core::Result<UploadsPage> parse_list_multipart_uploads(std::string_view body);

// CompleteMultipartUpload's request body: <CompleteMultipartUpload><Part><PartNumber>
// <ETag>... in part order. ETags are written as given (with their quotes), XML-escaped.
struct CompletedPart {
  int number = 0;
  std::string etag;
};
std::string complete_multipart_body(const std::vector<CompletedPart>& parts);
// A 200 answer to CompleteMultipartUpload can still carry an <Error> (AWS documents this),
// and AWS sends it late, after whitespace, so the body can also be cut short. Returns false
// only for a well-formed <CompleteMultipartUploadResult>. Otherwise true, with `error` from
// the <Error> document, or, for any other body (truncated, garbage, another root), code
// kMalformedCompleteResult and the parse problem as message: the outcome is unknown, and
// treating it as success could publish a backup whose object does not exist.
inline constexpr std::string_view kMalformedCompleteResult = "MalformedCompleteResult";
bool complete_failed(std::string_view body, S3Error& error);

// DeleteObjects (POST ?delete): request body for up to 1000 keys (more is a bug: checked)
// with <Quiet>true</Quiet>, and the <Error> entries of the answer (keys that were not
// deleted). S3 requires Content-MD5 (or an x-amz-checksum-*) header on this request. Keys are
// XML-escaped (CR as &#x0D;); C0 controls other than TAB, LF, CR cannot be carried by XML 1.0, so
// they are written as character references that servers reject (MalformedXML): delete such
// keys one by one.
std::string delete_objects_body(const std::vector<std::string>& keys);
struct DeleteFailure {
  std::string key;
  std::string code;
  std::string message;
};
core::Result<std::vector<DeleteFailure>> parse_delete_result(std::string_view body);

}  // namespace stillpoint::storage::s3
