#include "metrics/http_messages.h"

#include <utility>

#include <boost/asio/error.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

namespace stillpoint::metrics {

namespace http = boost::beast::http;

void apply_limits(RequestParser& parser) {
  parser.header_limit(kMaxHeaderBytes);
  parser.body_limit(kMaxBodyBytes);
}

bool is_disconnect(boost::system::error_code ec) {
  namespace net = boost::asio;
  return ec == http::error::end_of_stream || ec == net::error::eof ||
         ec == net::error::connection_reset || ec == net::error::operation_aborted ||
         ec == net::error::bad_descriptor || ec == boost::beast::error::timeout;
}

HttpReply reply_for_read_error(boost::system::error_code ec) {
  HttpReply r;
  if (ec == http::error::header_limit) {
    r.status = 431;
    r.body = "request header larger than " + std::to_string(kMaxHeaderBytes) + " bytes\n";
  } else if (ec == http::error::body_limit) {
    r.status = 413;
    r.body = "request body larger than " + std::to_string(kMaxBodyBytes) + " bytes\n";
  } else {
    r.status = 400;
    r.body = "bad request: " + ec.message() + "\n";
  }
  return r;
}

HttpResponse to_response(HttpReply reply, unsigned version, bool keep_alive) {
  HttpResponse res{static_cast<http::status>(reply.status), version};
  res.set(http::field::server, "stillpoint");
  res.set(http::field::content_type, reply.content_type);
  for (auto& [name, value] : reply.headers)
    res.set(name, value);
  res.body() = std::move(reply.body);
  res.keep_alive(keep_alive);
  res.prepare_payload();
  return res;
}

}  // namespace stillpoint::metrics
