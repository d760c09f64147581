#include "kube/connection_factory.h"

#include <fcntl.h>

#include <mutex>
#include <tuple>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace stillpoint::kube {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using core::ErrorCode;
using core::unexpected;

// OpenSSL's reason ("certificate verify failed (SSL routines)") is in the message.
std::string describe_ec(const boost::system::error_code& ec) {
  return ec.message();
}

}  // namespace

core::Result<std::shared_ptr<ConnectionFactory>> ConnectionFactory::create(
    asio::any_io_executor executor,
    ClientConfig config,
    std::shared_ptr<CredentialSource> credentials) {
  auto url = parse_server_url(config.cluster.server);
  if (!url) {
    return unexpected(url.error());
  }
  auto factory = std::shared_ptr<ConnectionFactory>(new ConnectionFactory(
      std::move(executor), std::move(config), std::move(*url), std::move(credentials)));
  // Build the base context now so that a bad CA is reported before the first request.
  if (auto ctx = factory->context_for(AuthMaterial{}); !ctx) {
    return unexpected(ctx.error());
  }
  return factory;
}

ConnectionFactory::ConnectionFactory(asio::any_io_executor executor,
                                     ClientConfig config,
                                     ServerUrl url,
                                     std::shared_ptr<CredentialSource> credentials)
    : executor_(std::move(executor)),
      config_(std::move(config)),
      url_(std::move(url)),
      credentials_(std::move(credentials)) {}

struct ConnectionFactory::SessionCache {
  std::mutex mu;
  SSL_SESSION* session = nullptr;

  ~SessionCache() { reset(); }
  void reset() {
    std::lock_guard lock(mu);
    if (session) SSL_SESSION_free(session);
    session = nullptr;
  }
  // Our own ex_data slot: asio's ssl::context keeps its verify callback in the app data.
  static int slot() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
  }
  // OpenSSL's new-session callback: we keep the newest session (returning 1 takes ownership).
  static int on_new_session(SSL* ssl, SSL_SESSION* session) {
    auto* self = static_cast<SessionCache*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), slot()));
    if (!self) return 0;
    std::lock_guard lock(self->mu);
    if (self->session) SSL_SESSION_free(self->session);
    self->session = session;
    return 1;
  }
  void offer(SSL* ssl) {
    std::lock_guard lock(mu);
    if (session) SSL_set_session(ssl, session);
  }
};

core::Result<std::shared_ptr<ssl::context>> ConnectionFactory::context_for(
    const AuthMaterial& auth) {
  const std::string identity =
      auth.client_certificate_pem.value_or("") + "\n" + auth.client_key_pem.value_or("");
  if (context_ && identity == context_identity_) {
    return context_;
  }
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  boost::system::error_code ec;
  const ClusterEndpoint& cluster = config_.cluster;
  if (cluster.insecure_skip_tls_verify) {
    ctx->set_verify_mode(ssl::verify_none);
  } else {
    ctx->set_verify_mode(ssl::verify_peer);
    if (!cluster.ca_pem.empty()) {
      ctx->add_certificate_authority(asio::buffer(cluster.ca_pem), ec);
      if (ec) {
        return unexpected(ErrorCode::InvalidArgument,
                          "certificate authority of " + config_.source + ": " + describe_ec(ec));
      }
    } else {
      ctx->set_default_verify_paths(ec);
    }
  }
  if (auth.client_certificate_pem) {
    ctx->use_certificate_chain(asio::buffer(*auth.client_certificate_pem), ec);
    if (!ec) {
      ctx->use_private_key(asio::buffer(auth.client_key_pem.value_or("")), ssl::context::pem, ec);
    }
    if (ec) {
      return unexpected(ErrorCode::InvalidArgument, "client certificate: " + describe_ec(ec));
    }
  }
  static const unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  SSL_CTX_set_alpn_protos(ctx->native_handle(), kAlpn, sizeof kAlpn);
  // A new identity (client certificate) starts without a session: sessions are bound to the
  // certificate they were made with.
  if (!sessions_) sessions_ = std::make_shared<SessionCache>();
  sessions_->reset();
  SSL_CTX_set_ex_data(ctx->native_handle(), SessionCache::slot(), sessions_.get());
  SSL_CTX_set_session_cache_mode(ctx->native_handle(),
                                 SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
  SSL_CTX_sess_set_new_cb(ctx->native_handle(), &SessionCache::on_new_session);
  if (context_) {
    // Streams made from the old context may still be open; asio's context owns their verify
    // callback, so it is kept rather than freed under them.
    retired_contexts_.push_back(context_);
  }
  context_ = ctx;
  context_identity_ = identity;
  return ctx;
}

asio::awaitable<core::Result<std::unique_ptr<TlsStream>>> ConnectionFactory::connect(
    AuthMaterial auth) {
  auto ctx = context_for(auth);
  if (!ctx) {
    co_return unexpected(ctx.error());
  }
  auto context = *ctx;
  // An IP literal needs no resolver (whose getaddrinfo runs on a helper thread).
  boost::system::error_code rec;
  asio::ip::tcp::resolver::results_type endpoints;
  boost::system::error_code literal_ec;
  const auto literal = asio::ip::make_address(url_.host, literal_ec);
  if (!literal_ec) {
    const auto port = static_cast<unsigned short>(std::stoul(url_.port));
    endpoints = asio::ip::tcp::resolver::results_type::create(
        asio::ip::tcp::endpoint(literal, port), url_.host, url_.port);
  } else {
    asio::ip::tcp::resolver resolver(executor_);
    std::tie(rec, endpoints) = co_await resolver.async_resolve(
        url_.host, url_.port, asio::as_tuple(asio::use_awaitable));
  }
  if (rec) {
    co_return unexpected(ErrorCode::Unavailable,
                         "cannot resolve " + url_.host + ": " + rec.message());
  }
  auto raw = std::make_unique<TlsStream>(executor_, *context);
  auto& tcp = boost::beast::get_lowest_layer(*raw);
  tcp.expires_after(kConnectTimeout);
  auto [cec, ep] = co_await tcp.async_connect(endpoints, asio::as_tuple(asio::use_awaitable));
  if (cec) {
    const auto code = cec == boost::beast::error::timeout     ? ErrorCode::Timeout
                      : cec == asio::error::operation_aborted ? ErrorCode::Cancelled
                                                              : ErrorCode::Unavailable;
    co_return unexpected(code, "cannot connect to " + url_.authority() + ": " + cec.message());
  }
  tcp.socket().set_option(asio::ip::tcp::no_delay(true));
  // Processes started later (exec credential plugins) must not inherit the connection: a
  // child holding it open would keep an exec session alive after we close it.
  ::fcntl(tcp.socket().native_handle(), F_SETFD, FD_CLOEXEC);
  if (!url_.host_is_ip || !config_.cluster.tls_server_name.empty()) {
    const std::string sni =
        config_.cluster.tls_server_name.empty() ? url_.host : config_.cluster.tls_server_name;
    SSL_set_tlsext_host_name(raw->native_handle(), sni.c_str());
  }
  if (!config_.cluster.insecure_skip_tls_verify) {
    // OpenSSL's own name check (rather than a verify callback) so that a mismatch is reported
    // as "hostname mismatch" / "IP address mismatch" in the verify result.
    const std::string name =
        config_.cluster.tls_server_name.empty() ? url_.host : config_.cluster.tls_server_name;
    X509_VERIFY_PARAM* param = SSL_get0_param(raw->native_handle());
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
      X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
    }
  }
  sessions_->offer(raw->native_handle());
  ERR_clear_error();  // asio reports the oldest queued OpenSSL error; make it this handshake's
  auto [hec] =
      co_await raw->async_handshake(ssl::stream_base::client, asio::as_tuple(asio::use_awaitable));
  if (hec) {
    const auto code = hec == boost::beast::error::timeout     ? ErrorCode::Timeout
                      : hec == asio::error::operation_aborted ? ErrorCode::Cancelled
                                                              : ErrorCode::Unavailable;
    std::string reason = describe_ec(hec);
    // A TLS failure (untrusted certificate, wrong name, no common protocol) will not go away
    // by retrying: Protocol, not Unavailable.
    auto final_code =
        hec.category() == asio::error::get_ssl_category() ? ErrorCode::Protocol : code;
    if (const long verify = SSL_get_verify_result(raw->native_handle()); verify != X509_V_OK) {
      reason = std::string("certificate verify failed: ") + X509_verify_cert_error_string(verify);
      final_code = ErrorCode::Protocol;
    }
    co_return unexpected(final_code,
                         "TLS handshake with " + url_.authority() + " failed: " + reason);
  }
  ++handshakes_;
  if (SSL_session_reused(raw->native_handle())) ++resumed_handshakes_;
  tcp.expires_never();
  co_return raw;
}

}  // namespace stillpoint::kube
