#include "storage/s3/s3_options.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "core/environment.h"

namespace stillpoint::storage::s3 {
namespace {

using core::ErrorCode;
using core::unexpected;

using core::env_or_empty;

// S3's bucket naming rules (the subset that matters for addressing): 3-63 characters of
// lowercase letters, digits, '.' and '-', starting and ending with a letter or digit.
bool valid_bucket(std::string_view b) {
  if (b.size() < 3 || b.size() > 63) return false;
  for (char c : b) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '.' || c == '-')) {
      return false;
    }
  }
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  return alnum(b.front()) && alnum(b.back());
}

bool is_ip_literal(std::string_view host) {
  if (host.find(':') != std::string_view::npos) return true;  // IPv6
  if (host.empty()) return false;
  for (char c : host) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  }
  return true;
}

struct ParsedEndpoint {
  bool tls = true;
  std::string host;
  std::string port;
};

core::Result<ParsedEndpoint> parse_endpoint(std::string_view url) {
  auto bad = [&](const std::string& why) {
    return unexpected(ErrorCode::InvalidArgument,
                      "--s3-endpoint " + std::string(url) + ": " + why);
  };
  ParsedEndpoint out;
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    out.tls = false;
    rest = url.substr(7);
  } else {
    return bad("must start with http:// or https://");
  }
  while (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos || rest.find('?') != std::string_view::npos) {
    return bad("must be scheme://host[:port] without a path (the bucket goes in --storage)");
  }
  if (rest.find('@') != std::string_view::npos) {
    return bad("must not carry credentials; use AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY");
  }
  std::string_view host = rest;
  std::string_view port;
  if (rest.starts_with('[')) {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unterminated IPv6 address");
    host = rest.substr(1, close - 1);
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (!after.starts_with(':')) return bad("unexpected text after the IPv6 address");
      port = after.substr(1);
    }
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
  }
  if (host.empty()) return bad("has no host");
  if (!port.empty()) {
    if (port.size() > 5) return bad("port must be 1-65535");
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return bad("port must be a number");
    }
    const long n = std::strtol(std::string(port).c_str(), nullptr, 10);
    if (n < 1 || n > 65535) return bad("port must be 1-65535");
  }
  out.host = std::string(host);
  out.port = port.empty() ? (out.tls ? "443" : "80") : std::string(port);
  return out;
}

}  // namespace

core::Result<S3Target> resolve_target(std::string_view location, const S3Options& options) {
  if (!location.starts_with("s3://")) {
    return unexpected(ErrorCode::InvalidArgument,
                      "backup location " + std::string(location) + " is not s3://BUCKET[/PREFIX]");
  }
  std::string_view rest = location.substr(5);
  const size_t slash = rest.find('/');
  const std::string_view bucket = rest.substr(0, slash);
  std::string_view prefix = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
  if (!valid_bucket(bucket)) {
    return unexpected(ErrorCode::InvalidArgument,
                      "backup location " + std::string(location) + ": bucket name \"" +
                          std::string(bucket) +
                          "\" must be 3-63 lowercase letters, digits, '.' or '-', starting and "
                          "ending with a letter or digit");
  }
  while (prefix.starts_with('/')) prefix.remove_prefix(1);
  while (prefix.ends_with('/')) prefix.remove_suffix(1);
  if (prefix.find("//") != std::string_view::npos) {
    return unexpected(ErrorCode::InvalidArgument,
                      "backup location " + std::string(location) + ": prefix has an empty segment");
  }
  S3Target t;
  t.bucket = std::string(bucket);
  t.prefix = prefix.empty() ? std::string() : std::string(prefix) + "/";
  t.region = options.region;
  if (t.region.empty()) t.region = env_or_empty("AWS_REGION");
  if (t.region.empty()) t.region = env_or_empty("AWS_DEFAULT_REGION");
  if (t.region.empty()) t.region = "us-east-1";
  if (options.endpoint.empty()) {
    t.tls = true;
    t.host = "s3." + t.region + ".amazonaws.com";
    t.port = "443";
    // Dotted bucket names break virtual-hosted TLS (the wildcard covers one label).
    t.path_style = options.path_style || bucket.find('.') != std::string_view::npos;
  } else {
    auto endpoint = parse_endpoint(options.endpoint);
    if (!endpoint) return unexpected(endpoint.error());
    t.tls = endpoint->tls;
    t.host = endpoint->host;
    t.port = endpoint->port;
    // An IP address or localhost has no DNS for "<bucket>.<host>".
    t.path_style = options.path_style || is_ip_literal(t.host) || t.host == "localhost";
  }
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    return unexpected(ErrorCode::InvalidArgument,
                      "--s3-part-size " + std::to_string(options.part_size / kMiB) +
                          "MiB: S3 parts must be 5 MiB to 5 GiB");
  }
  if (options.upload_parallelism < 1 || options.upload_parallelism > 64) {
    return unexpected(ErrorCode::InvalidArgument,
                      "--s3-upload-parallelism " + std::to_string(options.upload_parallelism) +
                          ": must be 1 to 64");
  }
  if (!t.tls && (!options.ca_file.empty() || options.insecure_skip_verify)) {
    return unexpected(ErrorCode::InvalidArgument,
                      "--s3-ca-file and --s3-insecure-skip-verify need an https:// endpoint");
  }
  t.ca_file = options.ca_file;
  t.insecure_skip_verify = options.insecure_skip_verify;
  t.part_size = options.part_size;
  t.upload_parallelism = options.upload_parallelism;
  return t;
}

std::string S3Target::describe() const {
  std::string out = "s3://" + bucket;
  if (!prefix.empty()) out += "/" + prefix.substr(0, prefix.size() - 1);
  return out;
}

std::string S3Target::host_header() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  std::string h = ipv6 ? "[" + host + "]" : host;
  if (!path_style) h = bucket + "." + h;
  if (port != (tls ? "443" : "80")) h += ":" + port;
  return h;
}

std::string S3Target::path_of(std::string_view key) const {
  std::string path = path_style ? "/" + bucket : std::string();
  if (!key.empty() || path.empty()) path += "/" + uri_encode(key, /*encode_slash=*/false);
  return path;
}

}  // namespace stillpoint::storage::s3
