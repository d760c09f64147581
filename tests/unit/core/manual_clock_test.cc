// `stillpoint server --test-clock`'s clock: time stands still until advance(); a sleeper wakes
// when the clock passes its deadline and not before; a cancelled sleeper wakes at once.
#include "core/async/manual_clock.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <gtest/gtest.h>

namespace stillpoint::core {
namespace {

using namespace std::chrono_literals;

TEST(ManualClock, SleepersWakeOnlyWhenTheClockPassesTheirDeadline) {
  boost::asio::io_context io;
  const Clock::TimePoint start{std::chrono::hours(500000)};
  ManualClock clock(start);
  EXPECT_EQ(clock.now(), start);
  int woke = 0;
  auto sleeper = [&](Duration d) -> boost::asio::awaitable<void> {
    co_await clock.sleep_for(d);
    ++woke;
  };
  boost::asio::co_spawn(io, sleeper(5min), boost::asio::detached);
  boost::asio::co_spawn(io, sleeper(1h), boost::asio::detached);
  io.poll();
  EXPECT_EQ(woke, 0);
  clock.advance(4min);
  io.poll();
  EXPECT_EQ(woke, 0);
  clock.advance(1min);  // exactly the first deadline
  io.poll();
  EXPECT_EQ(woke, 1);
  clock.advance(-1h);  // ignored: time does not go back
  EXPECT_EQ(clock.now(), start + 5min);
  clock.advance(2h);
  io.poll();
  EXPECT_EQ(woke, 2);
  EXPECT_EQ(clock.now(), start + 2h + 5min);
}

TEST(ManualClock, ACancelledSleepEndsAtOnce) {
  boost::asio::io_context io;
  ManualClock clock(Clock::TimePoint{});
  bool woke = false;
  boost::asio::cancellation_signal cancel;
  auto sleeper = [&]() -> boost::asio::awaitable<void> {
    co_await clock.sleep_for(24h);
    woke = true;
  };
  boost::asio::co_spawn(io, sleeper(),
                        boost::asio::bind_cancellation_slot(cancel.slot(), boost::asio::detached));
  io.poll();
  EXPECT_FALSE(woke);
  cancel.emit(boost::asio::cancellation_type::terminal);
  io.poll();
  EXPECT_TRUE(woke);
}

}  // namespace
}  // namespace stillpoint::core
