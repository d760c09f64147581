// A TCP proxy on 127.0.0.1 in front of an S3 endpoint that breaks the network mid-upload on
// demand: once armed, and after `after_bytes` more bytes have gone from clients to the server,
// every connection that sends more than `per_connection_bytes` is reset (RST, as a dropped
// route or a killed load balancer does). Small requests — an abort, a listing — still pass, so
// the test sees what stillpoint cleans up after a failure it cannot retry past.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

namespace stillpoint::s3test {

class FaultProxy {
 public:
  explicit FaultProxy(int upstream_port);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  void cut_large_requests(uint64_t after_bytes, uint64_t per_connection_bytes = 1 << 20);
  // The next `count` connections that receive more than `bytes` from the server are reset
  // there (a download broken mid-body).
  void cut_downloads(uint64_t bytes, int count);
  // The next `count` connections are answered, at their first request, with 503 SlowDown
  // (S3's "reduce your request rate") and closed, without reaching the server.
  void slow_down(int count) { slow_downs_left_ = count; }
  // Closes every open connection (both ends), as a server or load balancer closes idle
  // keep-alive connections.
  void close_all();
  // Client connections still being proxied; 0 once close_all() has closed every one.
  size_t open_connections() const;
  uint64_t connections_cut() const { return cut_.load(); }
  uint64_t bytes_forwarded() const { return forwarded_.load(); }

 private:
  void accept_loop();
  void pump(int client);

  int upstream_port_;
  int listener_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> armed_{false};
  std::atomic<uint64_t> arm_at_{0};
  std::atomic<uint64_t> per_connection_{0};
  std::atomic<uint64_t> forwarded_{0};
  std::atomic<uint64_t> cut_{0};
  std::atomic<uint64_t> download_cut_at_{0};
  std::atomic<int> download_cuts_left_{0};
  std::atomic<int> slow_downs_left_{0};
  std::thread acceptor_;
  mutable std::mutex mutex_;
  std::vector<std::thread> pumps_;
  std::vector<int> open_clients_;  // under mutex_
};

}  // namespace stillpoint::s3test
