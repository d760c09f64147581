// Runs blocking work (storage, compression) on the pool and resumes the calling coroutine on
// its own executor, as ObjectStore's contract asks: never block an I/O thread.
#pragma once

#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/result.h"

namespace stillpoint::backup {

// `f` returns core::Status; it runs on `ex` (a pool, or a strand of one for ordered work).
template <class F>
boost::asio::awaitable<core::Status> run_blocking(boost::asio::any_io_executor ex, F f) {
  namespace asio = boost::asio;
  // co_spawn's result must be default-constructible, hence optional<Error>.
  std::optional<core::Error> error = co_await asio::co_spawn(
      ex,
      [&f]() -> asio::awaitable<std::optional<core::Error>> {
        core::Status s = f();
        if (!s) co_return s.error();
        co_return std::nullopt;
      },
      asio::use_awaitable);
  if (error) co_return core::unexpected(std::move(*error));
  co_return core::ok();
}

}  // namespace stillpoint::backup
