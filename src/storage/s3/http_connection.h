// One HTTP/1.1 connection (plain or TLS) to an S3 endpoint, used blocking from one thread at a
// time: ObjectStore calls run on pool threads, never on an I/O thread. Beast does the work on a
// private io_context so that every step has a timeout (Beast's own timeouts are async-only).
//
// Requests are written whole; responses are either read whole (round_trip, for S3's small XML
// answers) or header first and body piece by piece (start + read_some, for streaming GETs).
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.h"
#include "storage/s3/s3_options.h"

namespace boost::asio::ssl {
class context;
}

namespace stillpoint::storage::s3 {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpRequest {
  std::string method;
  std::string target;  // path + "?" + query, as sent
  HeaderList headers;
  std::string_view body;  // not owned; must outlive the call
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
  // The first header named `name` (case-insensitive), or "".
  std::string header(std::string_view name) const;
};

// The TLS settings of a target: system trust or --s3-ca-file, or no verification when asked.
// nullptr for plain http.
core::Result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const S3Target& target);

class HttpConnection {
 public:
  HttpConnection(const S3Target& target, std::shared_ptr<boost::asio::ssl::context> tls,
                 std::chrono::seconds io_timeout);
  ~HttpConnection();
  HttpConnection(const HttpConnection&) = delete;
  HttpConnection& operator=(const HttpConnection&) = delete;

  // Sends `request` (connecting first when needed) and reads the whole response. A body over
  // `body_limit` is a Protocol error. `head`: the response has no body whatever its headers say.
  core::Result<HttpResponse> round_trip(const HttpRequest& request, size_t body_limit,
                                        bool head = false);
  // Sends `request` and reads only the response's status and headers; the body follows
  // through read_some().
  core::Result<HttpResponse> start(const HttpRequest& request);
  // Up to `size` body bytes; 0 at the end of the body.
  core::Result<size_t> read_some(char* buffer, size_t size);

  // True when the last exchange completed and the server keeps the connection open.
  bool reusable() const;
  // A kept connection not worth reusing: idle longer than `max_idle` (servers and load
  // balancers close idle connections after 5-75 s, and a request sent into a closing one is
  // lost), or readable while idle (the server closed it or sent something unasked).
  bool stale(std::chrono::seconds max_idle) const;
  // Completed request/response exchanges on the current TCP connection.
  int exchanges() const;
  // Drops the connection (the next request reconnects).
  void close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace stillpoint::storage::s3
