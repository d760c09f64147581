// Runs n coroutines side by side on one executor and waits for all of them: the worker pools
// of a backup (ItemBlocks) and of a restore (objects of one type, pods' exec hooks).
#pragma once

#include <exception>
#include <memory>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stillpoint::backup {

// `make(i)` returns the i-th coroutine; each gets its own cancellation signal, appended to
// `signals` when given (to cancel workers one by one). The executor must be single-threaded
// (an io_context run by one thread or a strand): the countdown is not atomic.
template <class Make>
boost::asio::awaitable<void> run_all(
    boost::asio::any_io_executor ex,
    size_t n,
    std::vector<std::unique_ptr<boost::asio::cancellation_signal>>* signals,
    Make make) {
  namespace asio = boost::asio;
  if (n == 0) co_return;
  size_t remaining = n;
  asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
  std::vector<std::unique_ptr<asio::cancellation_signal>> own;
  if (signals == nullptr) signals = &own;
  for (size_t i = 0; i < n; ++i) {
    signals->push_back(std::make_unique<asio::cancellation_signal>());
    asio::co_spawn(ex, make(i),
                   asio::bind_cancellation_slot(signals->back()->slot(),
                                                [&remaining, &all_done](std::exception_ptr) {
                                                  if (--remaining == 0) all_done.cancel();
                                                }));
  }
  while (remaining > 0) {
    co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  }
}

}  // namespace stillpoint::backup
