#include "continue_token.h"

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

std::string base64_encode(std::string_view data, bool url, bool pad) {
  const char* alphabet = url ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                             : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  size_t i = 0;
  while (i + 2 < data.size()) {
    uint32_t v = (uint8_t(data[i]) << 16) | (uint8_t(data[i + 1]) << 8) | uint8_t(data[i + 2]);
    for (int s = 18; s >= 0; s -= 6) {
      out.push_back(alphabet[(v >> s) & 63]);
    }
    i += 3;
  }
  size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint8_t(data[i]) << 16;
    if (rest == 2) {
      v |= uint8_t(data[i + 1]) << 8;
    }
    out.push_back(alphabet[(v >> 18) & 63]);
    out.push_back(alphabet[(v >> 12) & 63]);
    if (rest == 2) {
      out.push_back(alphabet[(v >> 6) & 63]);
    }
    if (pad) {
      out.append(rest == 1 ? "==" : "=");
    }
  }
  return out;
}

core::Result<std::string> base64_decode(std::string_view text) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v;
    if (c >= 'A' && c <= 'Z') {
      v = c - 'A';
    } else if (c >= 'a' && c <= 'z') {
      v = c - 'a' + 26;
    } else if (c >= '0' && c <= '9') {
      v = c - '0' + 52;
    } else if (c == '+' || c == '-') {
      v = 62;
    } else if (c == '/' || c == '_') {
      v = 63;
    } else if (c == '=' || c == '\n' || c == '\r') {
      continue;
    } else {
      return core::unexpected(core::ErrorCode::InvalidArgument, "illegal base64 data");
    }
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

std::string encode_continue(const ContinueToken& token) {
  nlohmann::json j = {{"v", "meta.k8s.io/v1"}, {"rv", token.rv}, {"start", token.start}};
  return base64_encode(j.dump(), true, false);
}

core::Result<ContinueToken> decode_continue(const std::string& text) {
  auto raw = base64_decode(text);
  if (!raw) {
    return core::unexpected(raw.error());
  }
  nlohmann::json j = nlohmann::json::parse(*raw, nullptr, false);
  if (!j.is_object() || !j.contains("rv") || !j["rv"].is_number_integer() ||
      !j.contains("start") || !j["start"].is_string() || j.value("v", "") != "meta.k8s.io/v1") {
    return core::unexpected(core::ErrorCode::InvalidArgument, "malformed continue token");
  }
  return ContinueToken{j["rv"].get<int64_t>(), j["start"].get<std::string>()};
}

}  // namespace stillpoint::kubesim
