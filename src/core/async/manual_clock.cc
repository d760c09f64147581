#include "core/async/manual_clock.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stillpoint::core {

boost::asio::awaitable<void> ManualClock::sleep_for(Duration d) {
  boost::asio::steady_timer timer(co_await boost::asio::this_coro::executor);
  timer.expires_at(boost::asio::steady_timer::time_point::max());
  const TimePoint deadline = now() + std::chrono::duration_cast<TimePoint::duration>(d);
  if (deadline <= now()) co_return;
  auto it = sleepers_.insert(sleepers_.end(), Sleeper{deadline, &timer});
  // as_tuple: woken by advance() (a cancel) or by the caller's cancellation, never a throw.
  co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  sleepers_.erase(it);
}

void ManualClock::advance(Duration d) {
  if (d.count() <= 0) return;
  now_ += std::chrono::duration_cast<TimePoint::duration>(d).count();
  const TimePoint at = now();
  for (auto& s : sleepers_) {
    if (s.deadline <= at) s.timer->cancel();
  }
}

}  // namespace stillpoint::core
