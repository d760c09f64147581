// An informer's core, as client-go's reflector does it: list the objects of one resource in
// one namespace (each delivered as an ADDED event, then a SYNCED marker), then watch from the
// list's resourceVersion; a watch that ends is resumed from the last resourceVersion seen
// (bookmarks included), a 410 Gone lists again, and any other error waits a bounded,
// doubling pause before the next try. Runs until the awaiting operation is cancelled.
//
// After a re-list the consumer sees every current object again as ADDED (and DELETED is not
// replayed for what vanished meanwhile: it sees SYNCED and compares). Consumers are
// idempotent on ADDED, which is what makes "resumed without losing or repeating" hold: an
// object is never lost (the list has it) and never processed twice (the controller keys on
// the object's phase and name, not on event counts).
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/async/clock.h"
#include "kube/cluster_api.h"

namespace stillpoint::server {

inline constexpr const char* kSyncedEvent = "SYNCED";

struct ObjectWatchOptions {
  std::string namespace_name;
  core::Duration first_pause = std::chrono::milliseconds(200);
  core::Duration max_pause = std::chrono::seconds(30);
  std::chrono::seconds watch_timeout{300};
  // Hears each failure that pauses the loop ("watch backups.stillpoint.io: ...; retrying in
  // 400ms"); may be empty.
  std::function<void(const std::string&)> log = {};
};

struct ObjectWatchCounters {
  size_t lists = 0;     // full lists started (the first, and one after each Gone)
  size_t listed = 0;    // full lists that succeeded: readiness counts these, not attempts
  size_t watches = 0;   // watch requests started
  size_t errors = 0;    // list or watch failures that paused the loop
};

// `on_event` gets ADDED/MODIFIED/DELETED events and the SYNCED marker (empty object) after
// each list. `counters` may be null.
boost::asio::awaitable<void> watch_objects(kube::ClusterApi& cluster,
                                           core::Clock& clock,
                                           kube::GroupVersionResource gvr,
                                           ObjectWatchOptions options,
                                           std::function<void(const kube::WatchEvent&)> on_event,
                                           ObjectWatchCounters* counters = nullptr);

// watch_objects() running beside its owner's loop (a controller's informer): started by the
// constructor, cancelled and awaited by stop(), which must be awaited before this is destroyed.
class BackgroundWatch {
 public:
  BackgroundWatch(boost::asio::any_io_executor executor,
                  kube::ClusterApi& cluster,
                  core::Clock& clock,
                  kube::GroupVersionResource gvr,
                  ObjectWatchOptions options,
                  std::function<void(const kube::WatchEvent&)> on_event,
                  ObjectWatchCounters* counters);
  BackgroundWatch(const BackgroundWatch&) = delete;
  BackgroundWatch& operator=(const BackgroundWatch&) = delete;

  boost::asio::awaitable<void> stop();

 private:
  boost::asio::cancellation_signal stop_;
  bool done_ = false;
  boost::asio::steady_timer finished_;
};

}  // namespace stillpoint::server
