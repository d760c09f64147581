// S3's failures: which are worth another attempt, and the one line a user reads for each —
// the operation, the object, S3's own code and a hint for the usual cause elsewhere (keys,
// clock, bucket, region). Pure, so tests can feed it answers.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_options.h"

namespace stillpoint::storage::s3 {

// 500/502/503/504 (SlowDown included) and 400 RequestTimeout: the server may succeed next time.
bool retryable_status(int status, std::string_view body);
// Transport failures (reset, EOF, refused, timeout) as HttpConnection reports them.
bool retryable_error(const core::Error& e);

// "s3://bucket/key", or for listings "s3://bucket/<prefix listed>".
std::string object_of(const S3Target& target, const S3Call& call);

// The one-line message for a failed S3 answer: "S3 <operation> <object> failed: HTTP <status>
// <S3 code>: <message> (<hint>)", with the ErrorCode the status maps to.
core::Error describe_failure(const S3Target& target, const S3Call& call, int status,
                             std::string_view body);
// The same for a request that got no answer: "S3 <operation> <object> failed: <transport
// error>", keeping the transport error's code (so it stays retryable).
core::Error describe_transport_failure(const S3Target& target, const S3Call& call,
                                       const core::Error& transport);

}  // namespace stillpoint::storage::s3
