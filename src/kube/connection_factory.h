// ConnectionFactory: opens verified TLS connections to the API server for one ClientConfig.
// Internal to src/kube (it exposes Beast types); HttpClient pools what it opens and
// WebSocketPodExec upgrades what it opens.
//
// TLS: peer verification is on unless the kubeconfig says insecure-skip-tls-verify; the CA is
// the kubeconfig's or the system store; the name checked (and sent as SNI unless it is an IP
// address) is tls-server-name or the server's host. ALPN offers only http/1.1, because an h2
// connection cannot carry a WebSocket upgrade and Beast speaks HTTP/1.1 only.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "core/result.h"
#include "kube/client_config.h"
#include "kube/credential_source.h"
#include "kube/server_url.h"

namespace stillpoint::kube {

using TlsStream = boost::beast::ssl_stream<boost::beast::tcp_stream>;

inline constexpr auto kConnectTimeout = std::chrono::seconds(30);

class ConnectionFactory {
 public:
  static core::Result<std::shared_ptr<ConnectionFactory>> create(
      boost::asio::any_io_executor executor,
      ClientConfig config,
      std::shared_ptr<CredentialSource> credentials);

  const ServerUrl& url() const { return url_; }
  const ClientConfig& config() const { return config_; }
  CredentialSource& credentials() { return *credentials_; }
  const boost::asio::any_io_executor& executor() const { return executor_; }

  // Connects, verifies and completes the TLS handshake, presenting the client certificate of
  // `auth` if it has one. Errors: Unavailable (resolve/connect failed or connection dropped:
  // worth retrying), Protocol (TLS failed, e.g. "certificate verify failed: …": retrying will
  // not help), Timeout, Cancelled, InvalidArgument (a client certificate or key that OpenSSL
  // rejects).
  boost::asio::awaitable<core::Result<std::unique_ptr<TlsStream>>> connect(AuthMaterial auth);

  // Handshakes so far, and how many of them resumed an earlier TLS session.
  size_t handshakes() const { return handshakes_; }
  size_t resumed_handshakes() const { return resumed_handshakes_; }

 private:
  ConnectionFactory(boost::asio::any_io_executor executor,
                    ClientConfig config,
                    ServerUrl url,
                    std::shared_ptr<CredentialSource> credentials);
  core::Result<std::shared_ptr<boost::asio::ssl::context>> context_for(const AuthMaterial& auth);

  boost::asio::any_io_executor executor_;
  ClientConfig config_;
  ServerUrl url_;
  std::shared_ptr<CredentialSource> credentials_;
  // One SSL context per client identity; rebuilt only when an exec plugin hands out a new
  // certificate, so token-only users keep a single context (and TLS session reuse).
  std::shared_ptr<boost::asio::ssl::context> context_;
  std::string context_identity_;
  std::vector<std::shared_ptr<boost::asio::ssl::context>> retired_contexts_;

  // TLS session resumption: every hook opens its own connection (an upgraded exec connection
  // cannot go back to the pool), so a full handshake per exec is the largest fixed cost of a
  // hook. The latest session the server gave us (TLS 1.3 ticket or 1.2 session) is offered on
  // the next connection; a server that declines it simply does a full handshake.
  struct SessionCache;
  std::shared_ptr<SessionCache> sessions_;
  size_t handshakes_ = 0;
  size_t resumed_handshakes_ = 0;
};

}  // namespace stillpoint::kube
