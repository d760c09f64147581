// A throwaway certificate authority and a server certificate for 127.0.0.1/localhost, made
// fresh at every start so no key ever sits in the repository, and a random bearer token.
#pragma once

#include <string>

#include "core/result.h"

namespace stillpoint::kubesim {

struct TlsMaterial {
  std::string ca_cert_pem;
  std::string server_cert_pem;
  std::string server_key_pem;
};

core::Result<TlsMaterial> generate_tls_material();
// 32 random bytes, hex: what goes after "Bearer ".
std::string generate_token();

}  // namespace stillpoint::kubesim
