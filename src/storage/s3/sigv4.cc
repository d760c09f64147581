#include "storage/s3/sigv4.h"

#include <algorithm>
#include <cstdio>
#include <string>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "core/check.h"

namespace stillpoint::storage::s3 {
namespace {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";

bool is_unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

std::string lowercase(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

// SigV4's "Trimall": leading and trailing blanks dropped, inner runs of blanks become one
// space. Tabs count as blanks (HTTP's OWS); CR/LF are the HTTP client's to reject.
std::string trim_all(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool pending_space = false;
  for (char c : value) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) {
      out.push_back(' ');
      pending_space = false;
    }
    out.push_back(c);
  }
  return out;
}

std::string date_of(std::string_view amz_date) {
  return std::string(amz_date.substr(0, 8));
}

std::string scope_of(const SigningRequest& request, std::string_view amz_date) {
  return date_of(amz_date) + "/" + request.region + "/" + request.service + "/aws4_request";
}

// Lowercase names, sorted; same-name values joined with ',' in the order given (the suite's
// get-header-key-duplicate). Returns the canonical header block and the signed-header list.
std::pair<std::string, std::string> canonical_headers(const HeaderList& headers) {
  std::vector<std::pair<std::string, std::string>> entries;
  entries.reserve(headers.size());
  for (const auto& [name, value] : headers) {
    entries.emplace_back(lowercase(name), trim_all(value));
  }
  // Stable: values of a repeated header keep their order.
  std::stable_sort(entries.begin(), entries.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::string block;
  std::string signed_names;
  for (size_t i = 0; i < entries.size(); ++i) {
    const bool continues = i > 0 && entries[i].first == entries[i - 1].first;
    if (continues) {
      block.push_back(',');
    } else {
      if (i > 0) {
        block.push_back('\n');
        signed_names.push_back(';');
      }
      block += entries[i].first;
      block.push_back(':');
      signed_names += entries[i].first;
    }
    block += entries[i].second;
  }
  if (!entries.empty()) {
    block.push_back('\n');
  }
  return {block, signed_names};
}

}  // namespace

std::string uri_encode(std::string_view text, bool encode_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (is_unreserved(c) || (c == '/' && !encode_slash)) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0x0F]);
    }
  }
  return out;
}

std::string canonical_query_string(const std::vector<std::pair<std::string, std::string>>& query) {
  std::vector<std::pair<std::string, std::string>> encoded;
  encoded.reserve(query.size());
  for (const auto& [name, value] : query) {
    encoded.emplace_back(uri_encode(name, true), uri_encode(value, true));
  }
  // Byte order of the encoded forms, name first, then value (repeated names).
  std::sort(encoded.begin(), encoded.end());
  std::string out;
  for (const auto& [name, value] : encoded) {
    if (!out.empty()) {
      out.push_back('&');
    }
    out += name;
    out.push_back('=');
    out += value;
  }
  return out;
}

std::string to_hex(std::string_view bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (char ch : bytes) {
    const auto c = static_cast<unsigned char>(ch);
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0x0F]);
  }
  return out;
}

std::string sha256_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // One-shot digest of in-memory bytes cannot fail short of memory exhaustion.
  const int ok = EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_sha256(), nullptr);
  SP_CHECK(ok == 1, "EVP_Digest(SHA-256) failed");
  return to_hex(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const unsigned char* result =
      HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &length);
  SP_CHECK(result != nullptr, "HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(mac), length);
}

std::string amz_date(std::chrono::system_clock::time_point time) {
  using namespace std::chrono;
  const auto seconds = floor<std::chrono::seconds>(time);
  const auto day = floor<days>(seconds);
  const year_month_day ymd(day);
  const hh_mm_ss hms(seconds - day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d%02u%02uT%02d%02d%02dZ", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()));
  return buffer;
}

std::string canonical_request(const SigningRequest& request, const HeaderList& headers) {
  const auto [header_block, signed_names] = canonical_headers(headers);
  std::string out;
  out += request.method;
  out.push_back('\n');
  // S3 signs the path as sent (no second encoding, no dot-segment normalisation).
  out += request.path.empty() ? std::string("/") : request.path;
  out.push_back('\n');
  out += canonical_query_string(request.query);
  out.push_back('\n');
  out += header_block;
  out.push_back('\n');
  out += signed_names;
  out.push_back('\n');
  out += request.payload_sha256;
  return out;
}

std::string string_to_sign(const SigningRequest& request, std::string_view canonical) {
  const std::string date = amz_date(request.time);
  std::string out(kAlgorithm);
  out.push_back('\n');
  out += date;
  out.push_back('\n');
  out += scope_of(request, date);
  out.push_back('\n');
  out += sha256_hex(canonical);
  return out;
}

std::string signing_key(std::string_view secret,
                        std::string_view date_yyyymmdd,
                        std::string_view region,
                        std::string_view service) {
  const std::string k_date = hmac_sha256("AWS4" + std::string(secret), date_yyyymmdd);
  const std::string k_region = hmac_sha256(k_date, region);
  const std::string k_service = hmac_sha256(k_region, service);
  return hmac_sha256(k_service, "aws4_request");
}

SignedHeaders sign(const SigningRequest& request, const Credentials& credentials) {
  const std::string date = amz_date(request.time);
  HeaderList added;
  added.emplace_back("host", request.host);
  added.emplace_back("x-amz-date", date);
  // Only S3 requires the payload hash header; the generic suite's service does not send it.
  if (request.service == "s3") {
    added.emplace_back("x-amz-content-sha256", request.payload_sha256);
  }
  if (!credentials.session_token.empty()) {
    added.emplace_back("x-amz-security-token", credentials.session_token);
  }

  HeaderList all = request.headers;
  for (const auto& [name, value] : request.headers) {
    const std::string lower = lowercase(name);
    // A caller copy of a header sign() owns would be sent twice and signed as "a,b".
    const bool owned =
        lower == "authorization" ||
        std::any_of(added.begin(), added.end(), [&](const auto& h) { return h.first == lower; });
    SP_CHECK(!owned, "sign(): request.headers must not contain " + lower + ", sign() adds it");
  }
  all.insert(all.end(), added.begin(), added.end());

  const std::string canonical = canonical_request(request, all);
  const std::string to_sign = string_to_sign(request, canonical);
  const std::string key =
      signing_key(credentials.secret_access_key, date_of(date), request.region, request.service);
  const std::string signature = to_hex(hmac_sha256(key, to_sign));
  const std::string signed_names = canonical_headers(all).second;

  std::string authorization(kAlgorithm);
  authorization += " Credential=" + credentials.access_key_id + "/" + scope_of(request, date);
  authorization += ", SignedHeaders=" + signed_names;
  authorization += ", Signature=" + signature;

  SignedHeaders result;
  result.headers = std::move(added);
  result.headers.emplace_back("Authorization", std::move(authorization));
  return result;
}

}  // namespace stillpoint::storage::s3
