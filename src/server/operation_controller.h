// The controller of one kind (Backups or Restores) in the server's namespace: an informer
// (object_watch.h) feeds an OperationQueue with the objects that are new; while this replica
// may start work (it holds the Lease, and is not stopping) and fewer than `max_concurrent`
// run, the oldest is taken, read again (an object deleted or changed while queued is dropped
// here), and run (run_object.h). Nothing about backups or restores themselves lives here.
#pragma once

#include <cstddef>
#include <functional>
#include <string>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>
#include <nlohmann/json.hpp>

#include "core/async/clock.h"
#include "kube/cluster_api.h"
#include "server/object_watch.h"
#include "server/operation_queue.h"

namespace stillpoint::server {

struct ControllerOptions {
  std::string namespace_name;
  size_t max_concurrent = 1;
  ObjectWatchOptions watch;  // namespace_name is filled in from above
};

class OperationController {
 public:
  using Process = std::function<boost::asio::awaitable<void>(nlohmann::json object)>;

  // `may_start` is asked before each start (leadership, shutdown); call wake() when its answer
  // may have changed.
  OperationController(kube::ClusterApi& cluster,
                      core::Clock& clock,
                      boost::asio::any_io_executor executor,
                      kube::GroupVersionResource gvr,
                      ControllerOptions options,
                      Process process,
                      std::function<bool()> may_start);

  // Watches and dispatches until cancelled; then waits for the runs it started.
  boost::asio::awaitable<void> run();
  void wake();

  size_t running() const { return running_; }
  size_t queued() const { return queue_.size(); }
  size_t started() const { return started_; }
  const ObjectWatchCounters& watch_counters() const { return counters_; }

 private:
  void on_event(const kube::WatchEvent& event);
  boost::asio::awaitable<void> start(std::string name);

  kube::ClusterApi& cluster_;
  core::Clock& clock_;
  kube::GroupVersionResource gvr_;
  ControllerOptions options_;
  Process process_;
  std::function<bool()> may_start_;
  OperationQueue queue_;
  ObjectWatchCounters counters_;
  boost::asio::steady_timer wake_;
  size_t running_ = 0;
  size_t started_ = 0;
};

}  // namespace stillpoint::server
