#include "fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace stillpoint::s3test {
namespace {

void reset(int fd) {
  linger l{1, 0};  // close with RST rather than FIN
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

bool write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port) : upstream_port_(upstream_port) {
  listener_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listener_, 64) != 0 ||
      getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
  }
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stopping_ = true;
  shutdown(listener_, SHUT_RDWR);
  acceptor_.join();
  close(listener_);
  // Joined without the lock: a finishing pump takes it to leave open_clients_.
  std::vector<std::thread> pumps;
  {
    std::lock_guard lock(mutex_);
    pumps.swap(pumps_);
  }
  for (auto& t : pumps) t.join();
}

void FaultProxy::cut_large_requests(uint64_t after_bytes, uint64_t per_connection_bytes) {
  per_connection_ = per_connection_bytes;
  arm_at_ = forwarded_.load() + after_bytes;
  armed_ = true;
}

void FaultProxy::cut_downloads(uint64_t bytes, int count) {
  download_cut_at_ = bytes;
  download_cuts_left_ = count;
}

void FaultProxy::close_all() {
  std::lock_guard lock(mutex_);
  for (int fd : open_clients_) shutdown(fd, SHUT_RDWR);
}

size_t FaultProxy::open_connections() const {
  std::lock_guard lock(mutex_);
  return open_clients_.size();
}

void FaultProxy::accept_loop() {
  while (!stopping_) {
    const int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR) continue;
      return;  // shut down
    }
    std::lock_guard lock(mutex_);
    open_clients_.push_back(client);
    pumps_.emplace_back([this, client] {
      pump(client);
      std::lock_guard done(mutex_);
      std::erase(open_clients_, client);
    });
  }
}

// Both directions on one thread with poll(): requests and answers of one keep-alive
// connection interleave, and a reset must cut both at once.
void FaultProxy::pump(int client) {
  if (slow_downs_left_.load() > 0 && slow_downs_left_.fetch_sub(1) > 0) {
    char request[64 * 1024];
    (void)recv(client, request, sizeof request, 0);  // the request's head, at least
    static const std::string body =
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>SlowDown</Code>"
        "<Message>Please reduce your request rate.</Message></Error>";
    const std::string answer = "HTTP/1.1 503 Slow Down\r\nContent-Type: application/xml\r\n"
                               "Connection: close\r\nContent-Length: " +
                               std::to_string(body.size()) + "\r\n\r\n" + body;
    write_all(client, answer.data(), answer.size());
    shutdown(client, SHUT_WR);
    close(client);
    return;
  }
  const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(upstream_port_));
  if (server < 0 || connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    if (server >= 0) close(server);
    reset(client);
    return;
  }
  uint64_t sent_while_armed = 0;
  uint64_t received = 0;
  char buffer[64 * 1024];
  pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
  while (!stopping_) {
    const int ready = poll(fds, 2, 200);
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = recv(fds[i].fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        done = true;
        break;
      }
      if (i == 0) {
        const uint64_t total = forwarded_ += static_cast<uint64_t>(n);
        if (armed_ && total >= arm_at_) {
          sent_while_armed += static_cast<uint64_t>(n);
          if (sent_while_armed > per_connection_) {
            ++cut_;
            reset(client);
            reset(server);
            return;
          }
        }
      }
      if (i == 1 && download_cuts_left_.load() > 0) {
        received += static_cast<uint64_t>(n);
        if (received > download_cut_at_ && download_cuts_left_.fetch_sub(1) > 0) {
          ++cut_;
          reset(client);
          reset(server);
          return;
        }
      }
      if (!write_all(fds[1 - i].fd, buffer, static_cast<size_t>(n))) done = true;
    }
    if (done) break;
  }
  close(client);
  close(server);
}

}  // namespace stillpoint::s3test
