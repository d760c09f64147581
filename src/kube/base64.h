// Standard base64 (RFC 4648 §4, with padding): kubeconfig `*-data` fields, Basic auth and the
// CA handed to exec plugins. Decoding skips whitespace, because kubeconfigs written by hand or
// by `base64` wrap lines; anything else outside the alphabet is an error, never a guess.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace stillpoint::kube {

std::string base64_encode(std::string_view bytes);
// nullopt when `text` is not valid base64.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace stillpoint::kube
