#include "storage/s3/s3_errors.h"

#include "storage/s3/s3_xml.h"

namespace stillpoint::storage::s3 {
namespace {

using core::ErrorCode;

std::string operation_of(const S3Call& call) {
  for (const auto& [name, value] : call.query) {
    if (name == "uploads") return call.method == "POST" ? "starting a multipart upload of" : "listing multipart uploads under";
    if (name == "partNumber") return "uploading part " + value + " of";
    if (name == "uploadId") {
      return call.method == "POST" ? "completing the multipart upload of" : "aborting the multipart upload of";
    }
    if (name == "list-type") return "listing";
    if (name == "delete") return "deleting objects in";
  }
  if (call.method == "GET") return "reading";
  if (call.method == "PUT") return "writing";
  if (call.method == "HEAD") return "checking";
  if (call.method == "DELETE") return "deleting";
  return call.method;
}

}  // namespace

bool retryable_status(int status, std::string_view body) {
  if (status == 500 || status == 502 || status == 503 || status == 504) return true;
  // S3 answers 400 RequestTimeout when the client was too slow sending the body.
  if (status == 400) {
    auto error = parse_error(body);
    return error && error->code == "RequestTimeout";
  }
  return false;
}

bool retryable_error(const core::Error& e) {
  return e.code == ErrorCode::Unavailable || e.code == ErrorCode::Timeout;
}

// "s3://bucket/key", or for listings "s3://bucket/<prefix listed>".
std::string object_of(const S3Target& target, const S3Call& call) {
  std::string where = "s3://" + target.bucket + (call.key.empty() ? std::string() : "/" + call.key);
  for (const auto& [name, value] : call.query) {
    if (name == "prefix" && !value.empty()) where += "/" + value;
  }
  return where;
}

core::Error describe_failure(const S3Target& target, const S3Call& call, int status,
                             std::string_view body) {
  const std::string where = object_of(target, call);
  const auto error = parse_error(body);
  const std::string code = error ? error->code : std::string();
  std::string message = "S3 " + operation_of(call) + " " + where + " failed: HTTP " +
                        std::to_string(status);
  if (!code.empty()) message += " " + code;
  if (error && !error->message.empty()) message += ": " + error->message;
  std::string hint;
  if (code == "SignatureDoesNotMatch") {
    hint = "the secret access key does not belong to the access key, or this machine's clock "
           "is off";
  } else if (code == "InvalidAccessKeyId") {
    hint = "the endpoint does not know this access key; check AWS_ACCESS_KEY_ID or the profile";
  } else if (code == "RequestTimeTooSkewed") {
    hint = "this machine's clock differs from the server's by more than 15 minutes";
  } else if (code == "NoSuchBucket") {
    hint = "bucket \"" + target.bucket + "\" does not exist at " + target.host + ":" +
           target.port + "; create it first";
  } else if (code == "AccessDenied") {
    hint = "the credentials are not allowed to do this; check the user's or bucket's policy";
  } else if (code == "PermanentRedirect" || code == "AuthorizationHeaderMalformed" ||
             status == 301) {
    hint = "the bucket is in another region than \"" + target.region + "\"; set --s3-region";
  } else if (!error && call.method == "HEAD") {
    // HEAD answers have no body, so no S3 code: go by the status.
    if (status == 403) {
      hint = "access denied, or the keys are wrong; `stillpoint location check` shows S3's reason";
    } else if (status == 301 || status == 400) {
      hint = "the bucket may be in another region than \"" + target.region + "\"; set --s3-region";
    }
  } else if (!error && status >= 300) {
    hint = "the answer is not S3's; is --s3-endpoint an S3 service?";
  }
  if (!hint.empty()) message += " (" + hint + ")";
  ErrorCode ec = ErrorCode::Protocol;
  if (status == 404) {
    ec = ErrorCode::NotFound;
  } else if (status == 403 || status == 401) {
    ec = ErrorCode::Forbidden;
  } else if (status == 409) {
    ec = ErrorCode::Conflict;
  } else if (status == 400) {
    ec = ErrorCode::InvalidArgument;
  } else if (status >= 500) {
    ec = ErrorCode::Unavailable;
  }
  return core::Error{ec, message};
}

core::Error describe_transport_failure(const S3Target& target, const S3Call& call,
                                       const core::Error& transport) {
  return core::Error{transport.code, "S3 " + operation_of(call) + " " + object_of(target, call) +
                                         " failed: " + transport.message};
}

}  // namespace stillpoint::storage::s3
