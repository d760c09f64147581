// Benchmarks drive the client synchronously: run one coroutine (and whatever it spawned) to
// completion on an io_context and return its result.
#pragma once

#include <optional>
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

namespace stillpoint::bench {

template <class T>
boost::asio::awaitable<void> store_result(boost::asio::awaitable<T> op, std::optional<T>* out) {
  out->emplace(co_await std::move(op));
}

template <class T>
T run(boost::asio::io_context& io, boost::asio::awaitable<T> op) {
  std::optional<T> out;
  boost::asio::co_spawn(io, store_result(std::move(op), &out), boost::asio::detached);
  io.restart();
  io.run();
  return std::move(*out);
}

}  // namespace stillpoint::bench
