// HTTP/1.1 framing for the endpoints, shared by the server (http_endpoints.cc) and the fuzz
// target so that both parse with the same parser and the same limits: the request parser with
// its bounds, the answer to a request that could not be read, and a reply as a Beast response.
//
// It deliberately holds no coroutine (the fuzz target links it; see fuzz/CMakeLists.txt).
#pragma once

#include <cstddef>
#include <cstdint>

#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/system/error_code.hpp>

#include "metrics/http_routes.h"

namespace stillpoint::metrics {

// Bounds on what one request may hold. A probe or a scrape is a request line and a few headers
// (Prometheus sends about 300 bytes); none of the routes reads a body. 8 KiB of header is what
// most servers accept; the body limit only lets a small POST reach its 405.
inline constexpr std::uint32_t kMaxHeaderBytes = 8 * 1024;
inline constexpr std::uint64_t kMaxBodyBytes = 4 * 1024;
// The read buffer of one connection: one request at its largest, plus a pipelined request line.
inline constexpr std::size_t kMaxBufferedBytes = kMaxHeaderBytes + kMaxBodyBytes + 1024;

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;
using HttpResponse = boost::beast::http::response<boost::beast::http::string_body>;

// Applies the bounds above to a fresh parser.
void apply_limits(RequestParser& parser);

// Whether a failed read is the peer going away (or our own deadline or stop) rather than a
// request we could not parse; the former gets no answer.
bool is_disconnect(boost::system::error_code ec);

// The answer to a request that could not be parsed: 431 past the header bound, 413 past the
// body bound, 400 otherwise. The connection is closed after it.
HttpReply reply_for_read_error(boost::system::error_code ec);

// `reply` framed for an HTTP/`version` (10 or 11) client, Content-Length set.
HttpResponse to_response(HttpReply reply, unsigned version, bool keep_alive);

}  // namespace stillpoint::metrics
