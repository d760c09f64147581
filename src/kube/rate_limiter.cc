#include "kube/rate_limiter.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stillpoint::kube {

RateLimiter::RateLimiter(double qps, int burst)
    : qps_(qps), burst_(std::max(1, burst)), tokens_(std::max(1, burst)) {}

RateLimiter::Clock::duration RateLimiter::reserve(Clock::time_point now) {
  if (qps_ <= 0) {
    return Clock::duration::zero();
  }
  if (!started_) {
    started_ = true;
    last_ = now;
  }
  if (now > last_) {
    const double elapsed = std::chrono::duration<double>(now - last_).count();
    tokens_ = std::min(burst_, tokens_ + elapsed * qps_);
    last_ = now;
  }
  // Tokens may go negative: each waiter owns the slot its deficit describes.
  tokens_ -= 1;
  if (tokens_ >= 0) {
    return Clock::duration::zero();
  }
  return std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(-tokens_ / qps_));
}

boost::asio::awaitable<void> RateLimiter::acquire() {
  const auto wait = reserve(Clock::now());
  if (wait <= Clock::duration::zero()) {
    co_return;
  }
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_after(wait);
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
}

}  // namespace stillpoint::kube
