// A clock that moves only when the test says so. sleep_for() parks the coroutine on an asio
// timer that never expires by itself; advance() wakes every sleeper whose deadline passed.
// Cancelling a sleeper (e.g. when it loses a timeout race) wakes it too, as asio timers do.
// With advance_on_sleep(), a sleep instead moves the clock by its own length and returns at
// once: for code whose only waits are its own pauses (the transport's retries), run to
// completion by a test that has no point at which to call advance().
#pragma once

#include <list>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/async/clock.h"

namespace stillpoint::testing {

class FakeClock : public core::Clock {
 public:
  TimePoint now() const override { return now_; }

  boost::asio::awaitable<void> sleep_for(core::Duration d) override {
    if (advance_on_sleep_) {
      advance(d);
      co_return;
    }
    boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
    timer.expires_at(boost::asio::steady_timer::time_point::max());
    auto it = sleepers_.insert(sleepers_.end(), Sleeper{now_ + d, &timer});
    co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    sleepers_.erase(it);
  }

  void advance(core::Duration d) {
    now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d);
    for (auto& s : sleepers_) {
      if (s.deadline <= now_) {
        s.timer->cancel();
      }
    }
  }

  size_t sleepers() const { return sleepers_.size(); }

  void advance_on_sleep() { advance_on_sleep_ = true; }

 private:
  struct Sleeper {
    TimePoint deadline;
    boost::asio::steady_timer* timer;
  };
  TimePoint now_ = TimePoint(std::chrono::hours(24 * 365 * 50));
  std::list<Sleeper> sleepers_;
  bool advance_on_sleep_ = false;
};

}  // namespace stillpoint::testing
