// A whole Server (server.h) running in the background of a ServerHarness's I/O context, driven
// by the test: run_until() turns the loop until a condition holds, the fake clock moves only
// when the test advances it. For the schedule, expiry and deletion tests.
#pragma once

#include <functional>
#include <memory>

#include <boost/asio/co_spawn.hpp>

#include "server/server.h"
#include "unit/server/server_harness.h"

namespace stillpoint::server {

class RunningServer {
 public:
  RunningServer(ServerHarness& h, ServerOptions options) : h_(h) {
    options.namespace_name = "stillpoint";
    server_ = std::make_unique<Server>(h.ctx, std::move(options));
    h_.ctx.stopping = false;
    h_.io.restart();
    boost::asio::co_spawn(h_.io, server_->run([] { return true; }),
                          [this](std::exception_ptr) { finished_ = true; });
  }
  ~RunningServer() { stop(); }

  // Turns the I/O loop until `done()` holds; false when 20 s of wall time pass first.
  bool run_until(const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (!done()) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      h_.io.run_one_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  // Lets every ready handler run (nothing the clock holds back).
  void settle() {
    for (int i = 0; i < 5; ++i) {
      h_.io.poll();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }
  void stop() {
    if (finished_ || !server_) return;
    server_->stop();
    run_until([this] { return finished_; });
  }
  Server& server() { return *server_; }

 private:
  ServerHarness& h_;
  std::unique_ptr<Server> server_;
  bool finished_ = false;
};

}  // namespace stillpoint::server
