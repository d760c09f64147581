// Where an S3 location is and how to reach it: `s3://BUCKET/PREFIX` plus the --s3-* flags.
// Parsing and validation are pure so every bad value gets a message naming it before any
// request is sent.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/s3/sigv4.h"

namespace stillpoint::storage::s3 {

inline constexpr size_t kMiB = size_t{1} << 20;
// S3's limits: parts of 5 MiB to 5 GiB (the last may be smaller), at most 10,000 parts.
inline constexpr size_t kMinPartSize = 5 * kMiB;
inline constexpr size_t kMaxPartSize = size_t{5} << 30;
inline constexpr int kMaxParts = 10000;

// The flags, as the user gave them.
struct S3Options {
  std::string endpoint;  // "http://127.0.0.1:7480", "https://minio.example:9000"; empty = AWS
  std::string region;    // empty: $AWS_REGION, $AWS_DEFAULT_REGION, then us-east-1
  bool path_style = false;  // forced on for IP-literal and localhost endpoints
  std::string ca_file;      // PEM bundle trusted instead of the system's
  bool insecure_skip_verify = false;
  size_t part_size = 8 * kMiB;
  int upload_parallelism = 4;  // parts in flight per object
};

// Everything a client needs, resolved and checked.
struct S3Target {
  std::string bucket;
  std::string prefix;  // "" or "team/backups/" (always ending in '/')
  bool tls = true;
  std::string host;  // endpoint host, without brackets for IPv6
  std::string port;  // "443", "7480"
  bool path_style = false;
  std::string region;
  std::string ca_file;
  bool insecure_skip_verify = false;
  size_t part_size = 8 * kMiB;
  int upload_parallelism = 4;

  // "s3://bucket/prefix" for messages.
  std::string describe() const;
  // The Host header for requests on this bucket ("bucket.s3.us-east-1.amazonaws.com" or
  // "127.0.0.1:7480"): the port only when it is not the scheme's default.
  std::string host_header() const;
  // The request path of `key` (full key, prefix included), URI-encoded: "/bucket/key" in path
  // style, "/key" otherwise; "/bucket" or "/" for bucket-level requests (empty key).
  std::string path_of(std::string_view key) const;
};

// `location` is "s3://BUCKET[/PREFIX]". Errors name the part that is wrong: the bucket name
// (3-63 lowercase letters, digits, '.', '-'), an endpoint that is not http(s)://host[:port],
// a part size outside 5 MiB..5 GiB, a parallelism outside 1..64.
core::Result<S3Target> resolve_target(std::string_view location, const S3Options& options);

}  // namespace stillpoint::storage::s3
