// Coroutines started side by side on one executor and awaited together: the worker pools of a
// backup (ItemBlocks) and of a restore (objects of one type), and a restore's per-pod work
// (volume data, exec hooks) that outlives the creation of its pod.
#pragma once

#include <cstddef>
#include <exception>
#include <functional>
#include <memory>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace stillpoint::core::async {

// The executor must be single-threaded (an io_context run by one thread, or a strand): the
// count of running tasks is not atomic. The group must outlive its tasks: wait() before it
// goes.
class TaskGroup {
 public:
  explicit TaskGroup(boost::asio::any_io_executor ex)
      : ex_(std::move(ex)), all_done_(ex_, boost::asio::steady_timer::time_point::max()) {}
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // Starts `task` now, with its own cancellation slot (cancel() reaches it). `on_exception`
  // hears of a task that ended by throwing; without it, the exception is dropped, as a
  // detached co_spawn would.
  void spawn(boost::asio::awaitable<void> task,
             std::function<void(std::exception_ptr)> on_exception = {}) {
    namespace asio = boost::asio;
    signals_.push_back(std::make_unique<asio::cancellation_signal>());
    ++running_;
    asio::co_spawn(ex_, std::move(task),
                   asio::bind_cancellation_slot(
                       signals_.back()->slot(),
                       [this, on_exception = std::move(on_exception)](std::exception_ptr e) {
                         if (e && on_exception) on_exception(e);
                         if (--running_ == 0) all_done_.cancel();
                       }));
  }

  // Tasks started and not yet finished.
  size_t running() const { return running_; }

  // Terminal cancellation for every task started so far (finished ones ignore it).
  void cancel() {
    for (auto& signal : signals_) signal->emit(boost::asio::cancellation_type::terminal);
  }

  // Returns once no task runs, including tasks spawned while waiting.
  boost::asio::awaitable<void> wait() {
    namespace asio = boost::asio;
    while (running_ > 0) {
      co_await all_done_.async_wait(asio::as_tuple(asio::use_awaitable));
    }
  }

 private:
  boost::asio::any_io_executor ex_;
  boost::asio::steady_timer all_done_;  // cancelled when the last running task ends
  std::vector<std::unique_ptr<boost::asio::cancellation_signal>> signals_;
  size_t running_ = 0;
};

// Runs `make(0)` .. `make(n-1)` in `group` and waits for all of them.
template <class Make>
boost::asio::awaitable<void> run_all(TaskGroup& group, size_t n, Make make) {
  for (size_t i = 0; i < n; ++i) group.spawn(make(i));
  co_await group.wait();
}

}  // namespace stillpoint::core::async
