#include "server/object_watch.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/this_coro.hpp>

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

bool cancelled(asio::cancellation_state state) {
  return state.cancelled() != asio::cancellation_type::none;
}

}  // namespace

asio::awaitable<void> watch_objects(kube::ClusterApi& cluster,
                                    core::Clock& clock,
                                    kube::GroupVersionResource gvr,
                                    ObjectWatchOptions options,
                                    std::function<void(const kube::WatchEvent&)> on_event,
                                    ObjectWatchCounters* counters) {
  // Cancellation ends the loop through the checks below, not by an exception mid-callback.
  co_await asio::this_coro::throw_if_cancelled(false);
  // A cancellation that arrives while a callback runs finds no operation to cancel: the
  // callbacks look at the state themselves and end the list or watch.
  const asio::cancellation_state state = co_await asio::this_coro::cancellation_state;
  ObjectWatchCounters local;
  ObjectWatchCounters& count = counters ? *counters : local;
  core::Duration pause = options.first_pause;
  std::string resource_version;  // empty: list first
  for (;;) {
    if (cancelled(co_await asio::this_coro::cancellation_state)) co_return;
    core::Status step = core::ok();
    if (resource_version.empty()) {
      ++count.lists;
      kube::ListOptions list_options;
      list_options.namespace_name = options.namespace_name;
      // Callbacks and other arguments are named, never temporaries of the co_await
      // expression: GCC 12 destroys such temporaries twice.
      kube::ItemCallback on_item = [&](json item) -> core::Status {
        on_event(kube::WatchEvent{"ADDED", std::move(item)});
        if (cancelled(state)) return core::unexpected(core::ErrorCode::Cancelled, "stopped");
        return core::ok();
      };
      auto listed = co_await cluster.list(gvr, list_options, on_item);
      if (listed) {
        ++count.listed;
        on_event(kube::WatchEvent{kSyncedEvent, json::object()});
        resource_version = listed->resource_version;
        // A server that gives no resourceVersion cannot be resumed from: watch from "now"
        // would lose what changed in between, so such a list is simply repeated.
        if (resource_version.empty()) resource_version = "0";
      } else {
        step = core::unexpected(listed.error());
      }
    } else {
      ++count.watches;
      kube::WatchOptions watch_options;
      watch_options.namespace_name = options.namespace_name;
      watch_options.resource_version = resource_version;
      watch_options.timeout = options.watch_timeout;
      kube::WatchCallback on_watch_event = [&](const kube::WatchEvent& event) {
        if (event.object.contains("metadata")) {
          const json& rv = event.object["metadata"].value("resourceVersion", json());
          if (rv.is_string() && !rv.get<std::string>().empty()) {
            resource_version = rv.get<std::string>();
          }
        }
        if (event.type != "BOOKMARK") on_event(event);
        return !cancelled(state);
      };
      step = co_await cluster.watch(gvr, watch_options, on_watch_event);
      if (step) pause = options.first_pause;  // a watch that ran its course is healthy
    }
    if (cancelled(state)) co_return;
    if (step) continue;
    if (step.error().code == core::ErrorCode::Cancelled ||
        cancelled(co_await asio::this_coro::cancellation_state)) {
      co_return;
    }
    if (step.error().code == core::ErrorCode::Gone) {
      resource_version.clear();  // too old to resume: list again, at once
      continue;
    }
    ++count.errors;
    if (options.log) {
      options.log((resource_version.empty() ? "list " : "watch ") + gvr.resource + "." +
                  gvr.group + ": " + step.error().message + "; retrying in " +
                  std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(pause)
                                     .count()) +
                  "ms");
    }
    co_await clock.sleep_for(pause);
    pause = std::min(pause * 2, options.max_pause);
  }
}

BackgroundWatch::BackgroundWatch(asio::any_io_executor executor,
                                 kube::ClusterApi& cluster,
                                 core::Clock& clock,
                                 kube::GroupVersionResource gvr,
                                 ObjectWatchOptions options,
                                 std::function<void(const kube::WatchEvent&)> on_event,
                                 ObjectWatchCounters* counters)
    : finished_(executor, asio::steady_timer::time_point::max()) {
  asio::co_spawn(executor,
                 watch_objects(cluster, clock, std::move(gvr), std::move(options),
                               std::move(on_event), counters),
                 asio::bind_cancellation_slot(stop_.slot(), [this](std::exception_ptr) {
                   done_ = true;
                   finished_.cancel();
                 }));
}

asio::awaitable<void> BackgroundWatch::stop() {
  stop_.emit(asio::cancellation_type::terminal);
  while (!done_) co_await finished_.async_wait(asio::as_tuple(asio::use_awaitable));
}

}  // namespace stillpoint::server
