// Opaque list continuation tokens in the real server's shape: base64url (no padding) of
// {"v":"meta.k8s.io/v1","rv":<int>,"start":"<next key>"} (wire reference §3.4).
#pragma once

#include <cstdint>
#include <string>

#include "core/result.h"

namespace stillpoint::kubesim {

struct ContinueToken {
  int64_t rv = 0;
  std::string start;  // store key ("ns/name") of the first item of the next page
};

std::string encode_continue(const ContinueToken& token);
core::Result<ContinueToken> decode_continue(const std::string& text);

std::string base64_encode(std::string_view data, bool url = false, bool pad = true);
core::Result<std::string> base64_decode(std::string_view text);

}  // namespace stillpoint::kubesim
