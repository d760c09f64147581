// Time for code that waits: what time it is (for records) and a cancellable sleep (for
// timeouts and retry pauses). An interface so that tests drive time with a fake clock instead
// of waiting — a 30 s hook timeout or a 1 s Retry-After is tested in microseconds
// (tests/fakes/fake_clock.h). It does not measure intervals for caches (idle connections use
// std::chrono::steady_clock directly).
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

#include "core/go_duration.h"

namespace stillpoint::core {

class Clock {
 public:
  using TimePoint = std::chrono::system_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint now() const = 0;
  // Time for measuring intervals that must not jump when the wall clock is set (a leader's
  // renew deadline, a lease's observed age: Go's monotonic reading in client-go). Defaults to
  // now() so that a fake moves both together; SteadyClock answers std::chrono::steady_clock.
  virtual std::chrono::steady_clock::time_point steady_now() const {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(now().time_since_epoch()));
  }
  // Completes after `d`; when the awaiting operation is cancelled first, completes early
  // (the caller, typically the loser of a timeout race, ignores it).
  virtual boost::asio::awaitable<void> sleep_for(Duration d) = 0;
};

// The real clock: wall time for records, asio's steady timer for sleeping.
class SteadyClock : public Clock {
 public:
  TimePoint now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::now();
  }
  boost::asio::awaitable<void> sleep_for(Duration d) override;
};

}  // namespace stillpoint::core
