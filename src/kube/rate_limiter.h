// A token bucket like client-go's (flowcontrol.NewTokenBucketRateLimiter): `burst` requests
// may go at once, then `qps` per second. reserve() is the pure arithmetic (a caller-provided
// clock, so tests drive time); acquire() waits on an asio timer for the reserved slot.
//
// Reservations are taken in call order, so waiting requests keep their turn. Not thread-safe:
// use from one executor (the HttpClient's).
#pragma once

#include <chrono>

#include <boost/asio/awaitable.hpp>

namespace stillpoint::kube {

inline constexpr double kDefaultQps = 100;
inline constexpr int kDefaultBurst = 100;

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  // qps <= 0 disables limiting.
  RateLimiter(double qps, int burst);

  // Takes one token and returns how long the caller must wait before using it.
  Clock::duration reserve(Clock::time_point now);

  // reserve(now) and sleep until the slot. Cancellation ends the wait early (the slot is
  // spent, which only makes later requests a little more patient).
  boost::asio::awaitable<void> acquire();

 private:
  double qps_;
  double burst_;
  double tokens_;
  Clock::time_point last_;
  bool started_ = false;
};

}  // namespace stillpoint::kube
