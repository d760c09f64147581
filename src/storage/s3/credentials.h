// S3 credentials as the AWS CLI finds them, so a user's existing setup works unchanged:
// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, then the shared credentials
// file (AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials), profile AWS_PROFILE (else
// "default"). Errors say where it looked; secrets never appear in messages.
#pragma once

#include <string_view>

#include "core/result.h"
#include "storage/s3/sigv4.h"

namespace stillpoint::storage::s3 {

core::Result<Credentials> load_credentials();

// The shared-credentials-file part, for tests: `ini` is the file's text, `source` its path
// for messages.
core::Result<Credentials> parse_credentials_file(std::string_view ini, std::string_view profile,
                                                 std::string_view source);

}  // namespace stillpoint::storage::s3
