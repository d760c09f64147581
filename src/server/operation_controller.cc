#include "server/operation_controller.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/operation_status.h"
#include "core/json_fields.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

OperationController::OperationController(kube::ClusterApi& cluster,
                                         core::Clock& clock,
                                         asio::any_io_executor executor,
                                         kube::GroupVersionResource gvr,
                                         ControllerOptions options,
                                         Process process,
                                         std::function<bool()> may_start)
    : cluster_(cluster),
      clock_(clock),
      gvr_(std::move(gvr)),
      options_(std::move(options)),
      process_(std::move(process)),
      may_start_(std::move(may_start)),
      wake_(executor, asio::steady_timer::time_point::max()) {
  options_.watch.namespace_name = options_.namespace_name;
}

void OperationController::wake() { wake_.cancel(); }

void OperationController::on_event(const kube::WatchEvent& event) {
  if (event.type == kSyncedEvent) return;
  const std::string name = core::string_at(event.object, json::json_pointer("/metadata/name"));
  if (name.empty()) return;
  if (event.type == "DELETED" || !is_new(event.object)) {
    queue_.remove(name);
    return;
  }
  if (queue_.offer(name, core::string_at(event.object, json::json_pointer("/metadata/creationTimestamp")))) wake();
}

asio::awaitable<void> OperationController::start(std::string name) {
  // Read again: the event that queued it may be old. Deleted or no longer new: dropped.
  auto object = co_await cluster_.get(gvr_, options_.namespace_name, name);
  if (object && is_new(*object)) {
    ++started_;
    co_await process_(std::move(*object));
  }
}

asio::awaitable<void> OperationController::run() {
  auto executor = co_await asio::this_coro::executor;
  // The informer runs beside the dispatch loop and is cancelled with it.
  BackgroundWatch watch(executor, cluster_, clock_, gvr_, options_.watch,
                        [this](const kube::WatchEvent& e) { on_event(e); }, &counters_);
  for (;;) {
    while (running_ < options_.max_concurrent && queue_.size() > 0 && may_start_()) {
      auto name = queue_.take();
      ++running_;
      asio::co_spawn(executor, start(std::move(*name)), [this](std::exception_ptr) {
        --running_;
        wake();
      });
    }
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    wake_.expires_at(asio::steady_timer::time_point::max());
    if ((co_await asio::this_coro::cancellation_state).cancelled() !=
        asio::cancellation_type::none) {
      break;
    }
  }
  co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
  co_await watch.stop();
  // Runs finish on their own (the server interrupts them first on shutdown).
  while (running_ > 0) {
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    wake_.expires_at(asio::steady_timer::time_point::max());
  }
}

}  // namespace stillpoint::server
