// How `backup create` and `restore create` run their runner: on one io_context, with a
// progress line redrawn every second on a terminal, milestones as lines of their own, and
// SIGINT/SIGTERM turned into runner.interrupt() (the runner then finishes what must finish and
// records itself). An exception escaping the runner is a bug: it is rethrown here, and `run`
// reports it as an internal error.
#pragma once

#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <exception>
#include <functional>
#include <optional>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.h"

namespace stillpoint::cli {

// True when stderr is a terminal: progress lines are redrawn in place.
inline bool stderr_is_tty() { return ::isatty(STDERR_FILENO) == 1; }

// Prints a milestone as a line of its own (clearing the progress line first on a terminal).
inline std::function<void(const std::string&)> milestone_printer(bool tty) {
  return [tty](const std::string& line) {
    std::fprintf(stderr, "%s%s\n", tty ? "\r\x1b[K" : "", line.c_str());
  };
}

template <class Outcome>
struct OperationRun {
  std::optional<core::Result<Outcome>> result;  // empty only if the run never finished
  int signal_number = 0;                        // the signal that interrupted it, if any
  double seconds = 0;
};

// `progress_line(elapsed_seconds)` is the text of the progress line; `interrupted_message` is
// printed once when a signal arrives.
template <class Outcome, class Runner>
OperationRun<Outcome> run_operation(boost::asio::io_context& io,
                                    Runner& runner,
                                    bool tty,
                                    const char* interrupted_message,
                                    std::function<std::string(double)> progress_line) {
  namespace asio = boost::asio;
  OperationRun<Outcome> run;
  std::exception_ptr crashed;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code ec, int sig) {
    if (ec) return;
    run.signal_number = sig;
    std::fprintf(stderr, "%sinterrupted: %s\n", tty ? "\r\x1b[K" : "", interrupted_message);
    runner.interrupt();
  });
  asio::steady_timer ticker(io);
  const auto started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  };
  std::function<void()> tick = [&]() {
    ticker.expires_after(std::chrono::seconds(1));
    ticker.async_wait([&](boost::system::error_code ec) {
      if (ec) return;
      std::fprintf(stderr, "\r\x1b[K%s", progress_line(elapsed()).c_str());
      tick();
    });
  };
  if (tty) tick();
  asio::co_spawn(
      io, [&]() -> asio::awaitable<void> { run.result.emplace(co_await runner.run()); },
      [&](std::exception_ptr e) {
        crashed = e;
        signals.cancel();
        ticker.cancel();
        io.stop();
      });
  io.run();
  if (tty) std::fprintf(stderr, "\r\x1b[K");
  if (crashed) std::rethrow_exception(crashed);
  run.seconds = elapsed();
  return run;
}

}  // namespace stillpoint::cli
