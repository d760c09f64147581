// What one operation against a cluster runs on: the backup location's store, an io_context
// for the cluster's clients and the runner, a one-thread pool for blocking work (compression,
// files), and the clients, connected as kubectl would connect. `backup create` and `restore
// create` open one each; a schedule or an in-cluster server would open one per operation the
// same way. It does not run anything or print anything (cluster_operation.h does).
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "cli/cluster_flags.h"
#include "cli/storage_flags.h"
#include "core/result.h"
#include "hooks/clock.h"
#include "hooks/pod_exec.h"
#include "kube/rest_client.h"
#include "storage/object_store.h"

namespace stillpoint::cli {

// Where a runner reports its milestones, one short line each.
using Milestones = std::function<void(const std::string&)>;

class ClusterSession {
 public:
  // Opens the store, then connects to the cluster; the first failure is returned.
  static core::Result<std::unique_ptr<ClusterSession>> open(const StorageFlags& storage,
                                                            const ClusterFlags& cluster);
  ClusterSession(const ClusterSession&) = delete;  // the clients hold io_'s executor
  ClusterSession& operator=(const ClusterSession&) = delete;

  boost::asio::io_context& io() { return io_; }
  storage::ObjectStore& store() const { return *store_; }

  // The environment a runner takes (backup::BackupEnvironment, restore::RestoreEnvironment:
  // rest, exec, clock, store, pool for blocking work, milestone sink, in that order).
  template <class Environment>
  Environment environment(Milestones milestone) {
    return Environment{*rest_, *exec_, clock_, *store_, pool_.get_executor(), std::move(milestone)};
  }

  // Waits for the blocking work handed to the pool; call once the runner has finished.
  void join_pool() { pool_.join(); }

 private:
  explicit ClusterSession(std::unique_ptr<storage::ObjectStore> store);

  // Destroyed in reverse: clients before the pool and io_context they use.
  std::unique_ptr<storage::ObjectStore> store_;
  boost::asio::io_context io_;
  boost::asio::thread_pool pool_{1};
  std::unique_ptr<kube::RestClient> rest_;
  std::unique_ptr<hooks::PodExec> exec_;
  hooks::SteadyClock clock_;
};

}  // namespace stillpoint::cli
