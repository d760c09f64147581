// The API server address of a kubeconfig (`https://host:port/prefix`) split into what a TCP
// connect, TLS SNI/verification and request targets need. Only https is accepted: stillpoint
// sends credentials on every request, and client-go sends none over plain http.
#pragma once

#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::kube {

struct ServerUrl {
  std::string host;    // without brackets for IPv6
  std::string port;    // "443" when absent
  std::string prefix;  // path prefix kept in front of every API path, no trailing '/'
  bool host_is_ip = false;

  // "host:port" for the Host header (IPv6 bracketed).
  std::string authority() const;
};

core::Result<ServerUrl> parse_server_url(std::string_view server);

}  // namespace stillpoint::kube
