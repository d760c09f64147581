// A one-way "stop" for coroutines that wait (restore's pod waits): stop() wakes every wait()
// at once and makes later ones return immediately. Use on one executor.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stillpoint::restore {

class StopSignal {
 public:
  explicit StopSignal(boost::asio::any_io_executor ex)
      : timer_(ex, boost::asio::steady_timer::time_point::max()) {}

  void stop() {
    stopped_ = true;
    timer_.cancel();
  }
  bool stopped() const { return stopped_; }

  // Completes once stop() was called; races other waits with awaitable operators.
  boost::asio::awaitable<void> wait() {
    if (stopped_) co_return;
    co_await timer_.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  }

 private:
  bool stopped_ = false;
  boost::asio::steady_timer timer_;  // never expires: cancelled by stop()
};

}  // namespace stillpoint::restore
