// A clock that moves only when told to: `stillpoint server --test-clock` runs on one, so that an
// end-to-end test lives a simulated day of schedules, expiries and syncs in seconds
// (POST /debug/clock on the server's endpoints advances it; docs/schedules.md). Unlike the unit
// tests' FakeClock, it is safe to read from any thread (the runners' pool threads stamp
// records with now()); sleep_for() and advance() belong to the server's one I/O thread.
#pragma once

#include <atomic>
#include <list>

#include <boost/asio/steady_timer.hpp>

#include "core/async/clock.h"

namespace stillpoint::core {

class ManualClock : public Clock {
 public:
  explicit ManualClock(TimePoint start) : now_(start.time_since_epoch().count()) {}

  TimePoint now() const override { return TimePoint(TimePoint::duration(now_.load())); }
  // Completes once advance() has moved the clock `d` past now, or when cancelled.
  boost::asio::awaitable<void> sleep_for(Duration d) override;
  // Moves the clock forward and wakes every sleeper whose deadline passed. Negative: ignored.
  void advance(Duration d);

 private:
  struct Sleeper {
    TimePoint deadline;
    boost::asio::steady_timer* timer;
  };
  std::atomic<TimePoint::rep> now_;
  std::list<Sleeper> sleepers_;
};

}  // namespace stillpoint::core
