#include "metrics/listen_address.h"

#include <charconv>

namespace stillpoint::metrics {

core::Result<ListenAddress> parse_listen_address(std::string_view text) {
  auto invalid = [&](const std::string& why) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "listen address \"" + std::string(text) + "\": " + why);
  };
  const auto colon = text.rfind(':');
  if (colon == std::string_view::npos) {
    return invalid("no port (want HOST:PORT or :PORT)");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view port_text = text.substr(colon + 1);
  if (host.starts_with('[') != host.ends_with(']') || (host == "[")) {
    return invalid("unbalanced brackets around the IPv6 address");
  }
  if (host.starts_with('[')) {
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string_view::npos) {
    return invalid("an IPv6 address needs brackets, as in [::1]:8085");
  }
  unsigned port = 0;
  auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
  if (port_text.empty() || ec != std::errc() || end != port_text.data() + port_text.size() ||
      port > 65535) {
    return invalid("port \"" + std::string(port_text) + "\" is not a number from 0 to 65535");
  }
  ListenAddress out;
  out.host = host.empty() ? "0.0.0.0" : std::string(host);
  out.port = static_cast<uint16_t>(port);
  return out;
}

}  // namespace stillpoint::metrics
