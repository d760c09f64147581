// The metrics and health endpoints read requests from anyone who reaches the pod's port: the
// bytes go through the server's parser with its limits (http_messages.h), each request parsed
// is routed and framed, and the parser's errors get their 4xx. Nothing may crash or hang, a body
// past the bound is never accepted, and every answer is one of the statuses the routes give.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/write.hpp>

#include "metrics/http_messages.h"
#include "metrics/http_routes.h"

namespace metrics = stillpoint::metrics;
namespace http = boost::beast::http;

namespace {

void check_status(unsigned status) {
  switch (status) {
    case 200:
    case 400:
    case 404:
    case 405:
    case 413:
    case 431:
    case 503:
      return;
    default:
      std::abort();
  }
}

void frame(metrics::HttpReply reply, unsigned version, bool keep_alive) {
  check_status(reply.status);
  std::ostringstream out;
  out << metrics::to_response(std::move(reply), version, keep_alive);
  if (out.str().empty())
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // Not ready on every other request, so both /readyz answers are reached.
  int calls = 0;
  metrics::EndpointHandlers handlers;
  handlers.readiness = [&calls] { return metrics::Readiness{++calls % 2 == 0, "not the leader"}; };
  handlers.metrics = [] { return std::string("stillpoint_backups 1\n"); };

  // Requests one after another, as a keep-alive connection delivers them.
  size_t offset = 0;
  while (offset < size) {
    metrics::RequestParser parser;
    metrics::apply_limits(parser);
    parser.eager(true);
    boost::system::error_code ec;
    while (!parser.is_done()) {
      const size_t used = parser.put(boost::asio::buffer(data + offset, size - offset), ec);
      offset += used;
      if (ec == http::error::need_more) {
        ec = {};
        if (used == 0 || offset >= size) {
          parser.put_eof(ec);  // the connection ends here
          break;
        }
        continue;
      }
      if (ec || used == 0)
        break;
    }
    if (ec) {
      if (!metrics::is_disconnect(ec))
        frame(metrics::reply_for_read_error(ec), 11, false);
      return 0;
    }
    if (!parser.is_done())
      return 0;
    const auto& req = parser.get();
    if (req.body().size() > metrics::kMaxBodyBytes)
      std::abort();
    metrics::HttpReply reply = metrics::route(req.method_string(), req.target(), handlers);
    frame(std::move(reply), req.version(), req.keep_alive());
    if (!req.keep_alive())
      return 0;
  }
  return 0;
}
