// Runs blocking work (storage, compression, reading an archive) on another executor (the
// pool, or a strand of it for ordered work) and resumes the calling coroutine on its own, as
// ObjectStore's contract asks: never block an I/O thread.
#pragma once

#include <optional>
#include <type_traits>
#include <utility>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stillpoint::core::async {

// `f()`'s result, computed on `ex`. An exception thrown by `f` is rethrown here.
template <class F>
auto offload(boost::asio::any_io_executor ex, F f)
    -> boost::asio::awaitable<std::invoke_result_t<F&>> {
  namespace asio = boost::asio;
  using R = std::invoke_result_t<F&>;
  // co_spawn's own result must be default-constructible; R (a Result) need not be, so the
  // value travels through a local.
  std::optional<R> out;
  co_await asio::co_spawn(
      ex,
      [&f, &out]() -> asio::awaitable<void> {
        out.emplace(f());
        co_return;
      },
      asio::use_awaitable);
  co_return std::move(*out);
}

}  // namespace stillpoint::core::async
