// A blocking HTTP/1.1 client for tests of servers on 127.0.0.1: writes raw bytes (a request,
// garbage, two pipelined requests) and reads responses one at a time, each under a deadline, so
// a server that never answers fails the test instead of hanging it.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

namespace stillpoint::testing {

class TestHttpClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit TestHttpClient(uint16_t port) : socket_(io_) {
    namespace net = boost::asio;
    socket_.connect({net::ip::make_address("127.0.0.1"), port}, error_);
  }

  bool connected() const { return !error_ && socket_.is_open(); }
  // The last error: connect, write, read, or boost::asio::error::timed_out.
  boost::system::error_code error() const { return error_; }

  bool send(std::string_view bytes) {
    boost::asio::write(socket_, boost::asio::buffer(bytes.data(), bytes.size()), error_);
    return !error_;
  }

  // One response, or nullopt with error() set (eof when the server closed the connection).
  std::optional<Response> read(std::chrono::milliseconds deadline = std::chrono::seconds(10)) {
    namespace http = boost::beast::http;
    Response res;
    bool done = false;
    http::async_read(socket_, buffer_, res, [&](boost::system::error_code ec, std::size_t) {
      error_ = ec;
      done = true;
    });
    io_.restart();
    io_.run_for(deadline);
    if (!done) {
      boost::system::error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
      error_ = boost::asio::error::timed_out;
      return std::nullopt;
    }
    if (error_)
      return std::nullopt;
    return res;
  }

  // A request with `method` and `target`, then its response.
  std::optional<Response> request(std::string_view method,
                                  std::string_view target,
                                  std::string_view extra_headers = "") {
    std::string req = std::string(method) + " " + std::string(target) +
                      " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + std::string(extra_headers) + "\r\n";
    if (!send(req))
      return std::nullopt;
    return read();
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  boost::beast::flat_buffer buffer_;
  boost::system::error_code error_;
};

}  // namespace stillpoint::testing
