#include "kube/server_url.h"

#include <arpa/inet.h>

#include "core/text.h"

namespace stillpoint::kube {

std::string ServerUrl::authority() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  return (ipv6 ? "[" + host + "]" : host) + ":" + port;
}

core::Result<ServerUrl> parse_server_url(std::string_view server) {
  auto bad = [&](const std::string& why) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "server " + core::go_quote(server) + ": " + why);
  };
  constexpr std::string_view kScheme = "https://";
  if (!server.starts_with(kScheme)) {
    return bad("only https:// servers are supported");
  }
  std::string_view rest = server.substr(kScheme.size());
  const size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  ServerUrl out;
  if (slash != std::string_view::npos) {
    out.prefix = std::string(rest.substr(slash));
    while (!out.prefix.empty() && out.prefix.back() == '/') {
      out.prefix.pop_back();
    }
  }
  if (authority.find('@') != std::string_view::npos) {
    return bad("user information in the URL is not supported");
  }
  if (authority.starts_with("[")) {
    const size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      return bad("unterminated IPv6 address");
    }
    out.host = std::string(authority.substr(1, close - 1));
    authority = authority.substr(close + 1);
    if (!authority.empty() && authority[0] != ':') {
      return bad("unexpected text after the IPv6 address");
    }
    out.port = authority.empty() ? "" : std::string(authority.substr(1));
  } else {
    const size_t colon = authority.rfind(':');
    out.host = std::string(authority.substr(0, colon));
    out.port = colon == std::string_view::npos ? "" : std::string(authority.substr(colon + 1));
  }
  if (out.host.empty()) {
    return bad("no host");
  }
  if (out.port.empty()) {
    out.port = "443";
  }
  if (out.port.find_first_not_of("0123456789") != std::string::npos || out.port.size() > 5 ||
      std::stoi(out.port) > 65535) {
    return bad("invalid port " + core::go_quote(out.port));
  }
  unsigned char buf[16];
  out.host_is_ip = inet_pton(AF_INET, out.host.c_str(), buf) == 1 ||
                   inet_pton(AF_INET6, out.host.c_str(), buf) == 1;
  return out;
}

}  // namespace stillpoint::kube
