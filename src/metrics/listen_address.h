// Where the endpoints listen, written as Velero's --metrics-address is: "HOST:PORT", ":PORT"
// (every IPv4 interface) or "[IPV6]:PORT".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::metrics {

struct ListenAddress {
  std::string host = "127.0.0.1";  // an IP address; no name is resolved
  uint16_t port = 0;               // 0: an ephemeral port, see HttpEndpoints::port()
};

// Errors: InvalidArgument naming the text, for a missing or non-numeric port, a port above
// 65535, or an unbalanced bracket. The host is checked when the endpoints bind.
core::Result<ListenAddress> parse_listen_address(std::string_view text);

}  // namespace stillpoint::metrics
