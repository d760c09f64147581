#include "storage/s3/http_connection.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <poll.h>
#include <strings.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <fstream>
#include <optional>

namespace stillpoint::storage::s3 {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using core::ErrorCode;
using core::unexpected;

constexpr size_t kReadBufferBytes = 64 * 1024;
constexpr size_t kWriteSliceBytes = 1024 * 1024;

bool is_ip_literal(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

std::string HttpResponse::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (key.size() == name.size() && strncasecmp(key.data(), name.data(), name.size()) == 0) {
      return value;
    }
  }
  return {};
}

core::Result<std::shared_ptr<ssl::context>> make_tls_context(const S3Target& target) {
  if (!target.tls) return std::shared_ptr<ssl::context>();
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_client);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                   ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  error_code ec;
  if (target.insecure_skip_verify) {
    ctx->set_verify_mode(ssl::verify_none);
    return ctx;
  }
  ctx->set_verify_mode(ssl::verify_peer);
  if (!target.ca_file.empty()) {
    if (!std::ifstream(target.ca_file)) {
      return unexpected(ErrorCode::InvalidArgument,
                        "--s3-ca-file " + target.ca_file + ": cannot be read");
    }
    ctx->load_verify_file(target.ca_file, ec);
    if (ec) {
      return unexpected(ErrorCode::InvalidArgument, "--s3-ca-file " + target.ca_file +
                                                        ": not a PEM certificate bundle (" +
                                                        ec.message() + ")");
    }
  } else {
    ctx->set_default_verify_paths(ec);
    if (ec) {
      return unexpected(ErrorCode::Internal,
                        "cannot load the system's trusted certificates: " + ec.message());
    }
  }
  return ctx;
}

struct HttpConnection::Impl {
  std::string host;  // the name connected to and verified (bucket.host in virtual-host style)
  std::string port;
  bool insecure = false;
  bool virtual_hosted = false;
  std::shared_ptr<ssl::context> tls;
  std::chrono::seconds timeout;
  asio::io_context ioc;
  std::optional<beast::tcp_stream> tcp;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls_stream;
  beast::flat_buffer buffer;
  std::optional<http::response_parser<http::buffer_body>> parser;
  bool connected = false;
  bool reusable = false;
  bool body_done = false;  // the streamed body has been read to its end
  int exchanges = 0;       // completed on the current TCP connection
  std::chrono::steady_clock::time_point idle_since;

  beast::tcp_stream& lowest() { return tls_stream ? beast::get_lowest_layer(*tls_stream) : *tcp; }

  template <class F>
  auto with_stream(F&& f) {
    if (tls_stream) return f(*tls_stream);
    return f(*tcp);
  }

  // Runs one asynchronous operation to completion under the I/O timeout.
  template <class Start>
  error_code run(Start&& start) {
    error_code result = asio::error::would_block;
    lowest().expires_after(timeout);
    start([&result](error_code ec, auto&&...) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  std::string authority() const { return host + ":" + port; }

  core::Error transport_error(const char* what, error_code ec) {
    close();
    const ErrorCode code = ec == beast::error::timeout ? ErrorCode::Timeout : ErrorCode::Unavailable;
    return core::Error{code, std::string(what) + " " + authority() + ": " + ec.message()};
  }

  void close() {
    if (tls_stream || tcp) {
      error_code ignored;
      lowest().socket().close(ignored);
    }
    tls_stream.reset();
    tcp.reset();
    parser.reset();
    buffer.clear();
    connected = false;
    reusable = false;
    exchanges = 0;
  }

  void finished_exchange(bool keep_alive) {
    reusable = keep_alive;
    ++exchanges;
    idle_since = std::chrono::steady_clock::now();
    if (!keep_alive) close();
  }

  core::Status connect() {
    close();
    asio::ip::tcp::resolver resolver(ioc);
    error_code ec;
    auto endpoints = resolver.resolve(host, port, ec);
    if (ec) {
      return unexpected(ErrorCode::Unavailable,
                        "cannot resolve " + host + ": " + ec.message() +
                            (virtual_hosted ? " (the bucket is addressed in the host name; for "
                                              "MinIO or Ceph add --s3-path-style)"
                                            : ""));
    }
    if (tls) {
      tls_stream.emplace(ioc, *tls);
    } else {
      tcp.emplace(ioc);
    }
    ec = run([&](auto handler) { lowest().async_connect(endpoints, std::move(handler)); });
    if (ec) return unexpected(transport_error("cannot connect to", ec));
    lowest().socket().set_option(asio::ip::tcp::no_delay(true), ec);
    if (tls_stream) {
      SSL* raw = tls_stream->native_handle();
      const bool ip = is_ip_literal(host);
      if (!ip) SSL_set_tlsext_host_name(raw, host.c_str());
      if (!insecure) {
        // OpenSSL's own name check, so that a mismatch reads "hostname mismatch" or
        // "IP address mismatch" (IP SANs need set1_ip, not set1_host).
        X509_VERIFY_PARAM* param = SSL_get0_param(raw);
        if (!ip || X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str()) != 1) {
          X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
          X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
        }
      }
      ERR_clear_error();
      ec = run([&](auto handler) {
        tls_stream->async_handshake(ssl::stream_base::client, std::move(handler));
      });
      if (ec) {
        // A certificate or protocol problem does not go away by retrying (Protocol); a reset
        // or a timeout during the handshake may (transport error, retried).
        const long verify = SSL_get_verify_result(raw);
        if (!insecure && verify != X509_V_OK) {
          const std::string reason = std::string("certificate verify failed: ") +
                                     X509_verify_cert_error_string(verify) +
                                     " (trust its CA with --s3-ca-file)";
          close();
          return unexpected(ErrorCode::Protocol,
                            "TLS handshake with " + authority() + " failed: " + reason);
        }
        if (ec.category() == asio::error::get_ssl_category()) {
          const std::string reason = ec.message();
          close();
          return unexpected(ErrorCode::Protocol,
                            "TLS handshake with " + authority() + " failed: " + reason);
        }
        return unexpected(transport_error("TLS handshake with", ec));
      }
    }
    connected = true;
    return core::ok();
  }

  core::Status send(const HttpRequest& request) {
    if (!connected) {
      if (auto s = connect(); !s) return s;
    }
    reusable = false;
    body_done = false;
    parser.reset();
    http::request<http::empty_body> header;
    header.method_string(request.method);
    header.target(request.target);
    header.version(11);
    for (const auto& [name, value] : request.headers) header.set(name, value);
    header.set(http::field::content_length, std::to_string(request.body.size()));
    http::request_serializer<http::empty_body> serializer(header);
    error_code ec = run([&](auto handler) {
      with_stream([&](auto& stream) {
        http::async_write_header(stream, serializer, std::move(handler));
      });
    });
    // The body goes in slices, each with a fresh timeout: the timeout is for a stalled
    // connection, not a limit on how long a large part may take on a slow link.
    for (size_t offset = 0; !ec && offset < request.body.size(); offset += kWriteSliceBytes) {
      const size_t n = std::min(kWriteSliceBytes, request.body.size() - offset);
      ec = run([&](auto handler) {
        with_stream([&](auto& stream) {
          asio::async_write(stream, asio::buffer(request.body.data() + offset, n),
                            std::move(handler));
        });
      });
    }
    if (ec) return unexpected(transport_error("cannot send to", ec));
    return core::ok();
  }

  template <class Fields>
  static HeaderList copy_headers(const Fields& fields) {
    HeaderList out;
    for (const auto& field : fields) {
      out.emplace_back(std::string(field.name_string()), std::string(field.value()));
    }
    return out;
  }
};

HttpConnection::HttpConnection(const S3Target& target, std::shared_ptr<ssl::context> tls,
                               std::chrono::seconds io_timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->host = target.path_style ? target.host : target.bucket + "." + target.host;
  impl_->port = target.port;
  impl_->insecure = target.insecure_skip_verify;
  impl_->virtual_hosted = !target.path_style;
  impl_->tls = std::move(tls);
  impl_->timeout = io_timeout;
}

HttpConnection::~HttpConnection() { impl_->close(); }

core::Result<HttpResponse> HttpConnection::round_trip(const HttpRequest& request,
                                                      size_t body_limit, bool head) {
  if (auto s = impl_->send(request); !s) return unexpected(s.error());
  http::response_parser<http::string_body> parser;
  parser.body_limit(body_limit);
  if (head) parser.skip(true);  // HEAD answers carry Content-Length but no body
  error_code ec = impl_->run([&](auto handler) {
    impl_->with_stream([&](auto& stream) {
      http::async_read(stream, impl_->buffer, parser, std::move(handler));
    });
  });
  if (ec == http::error::body_limit) {
    impl_->close();
    return unexpected(ErrorCode::Protocol, "the answer of " + impl_->authority() +
                                               " is larger than " +
                                               std::to_string(body_limit) + " bytes");
  }
  if (ec) return unexpected(impl_->transport_error("no answer from", ec));
  auto message = parser.release();
  HttpResponse response;
  response.status = static_cast<int>(message.result_int());
  response.headers = Impl::copy_headers(message);
  response.body = std::move(message.body());
  impl_->finished_exchange(message.keep_alive());
  return response;
}

core::Result<HttpResponse> HttpConnection::start(const HttpRequest& request) {
  if (auto s = impl_->send(request); !s) return unexpected(s.error());
  impl_->parser.emplace();
  impl_->parser->body_limit(boost::none);
  // Beast reads max(512, free capacity) per socket read: without room, a 1 GiB download took
  // 2 million 512-byte reads and 16-18 CPU-s (docs/performance.md, S3 locations).
  impl_->buffer.reserve(kReadBufferBytes);
  error_code ec = impl_->run([&](auto handler) {
    impl_->with_stream([&](auto& stream) {
      http::async_read_header(stream, impl_->buffer, *impl_->parser, std::move(handler));
    });
  });
  if (ec) return unexpected(impl_->transport_error("no answer from", ec));
  HttpResponse response;
  response.status = static_cast<int>(impl_->parser->get().result_int());
  response.headers = Impl::copy_headers(impl_->parser->get());
  return response;
}

core::Result<size_t> HttpConnection::read_some(char* buffer, size_t size) {
  auto& parser = impl_->parser;
  if (impl_->body_done) return size_t{0};
  if (!parser) return unexpected(ErrorCode::Internal, "read_some() without start()");
  while (true) {
    if (parser->is_done()) {
      impl_->body_done = true;
      const bool keep = parser->keep_alive();
      parser.reset();
      impl_->finished_exchange(keep);
      return size_t{0};
    }
    auto& body = parser->get().body();
    body.data = buffer;
    body.size = size;
    error_code ec = impl_->run([&](auto handler) {
      impl_->with_stream([&](auto& stream) {
        http::async_read_some(stream, impl_->buffer, *parser, std::move(handler));
      });
    });
    if (ec == http::error::need_buffer) ec = {};
    if (ec) return unexpected(impl_->transport_error("reading from", ec));
    const size_t got = size - body.size;
    if (got > 0) return got;
  }
}

bool HttpConnection::reusable() const { return impl_->reusable; }

int HttpConnection::exchanges() const { return impl_->exchanges; }

bool HttpConnection::stale(std::chrono::seconds max_idle) const {
  if (!impl_->connected || !impl_->reusable) return true;
  if (std::chrono::steady_clock::now() - impl_->idle_since > max_idle) return true;
  auto& self = const_cast<Impl&>(*impl_);
  pollfd fd{self.lowest().socket().native_handle(), POLLIN, 0};
  return ::poll(&fd, 1, 0) != 0;  // readable while idle: closed by the server, or garbage
}

void HttpConnection::close() { impl_->close(); }

}  // namespace stillpoint::storage::s3
