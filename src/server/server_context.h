// What every Backup and Restore the server runs shares: the cluster's clients, the clock,
// the executors, the API group and namespace it serves, its default location and run
// settings, where it reports, and the interrupt of each running operation (SIGTERM stops
// them all the way the CLI's SIGINT stops one: post hooks still run).
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "core/async/clock.h"
#include "hooks/pod_exec.h"
#include "kube/cluster_api.h"
#include "operation/backup_request_from_object.h"
#include "operation/restore_request_from_object.h"
#include "server/api_resources.h"
#include "server/location_resolver.h"
#include "server/operation_observer.h"

namespace stillpoint::server {

struct ServerContext {
  kube::ClusterApi& cluster;
  hooks::PodExec& exec;
  core::Clock& clock;
  boost::asio::any_io_executor pool;  // blocking work of the runners
  ApiResources resources;
  std::string namespace_name;
  DefaultLocation default_location;
  operation::BackupRunSettings backup_settings;
  operation::RestoreRunSettings restore_settings;
  OperationObserver& observer;
  std::function<void(const std::string&)> log;  // one line per event, never a secret
  core::Duration progress_interval = std::chrono::seconds(1);

  // Running operations' interrupts, by a number the operation chose (register_interrupt).
  std::map<uint64_t, std::function<void()>> interrupts = {};
  uint64_t next_interrupt = {};
  bool stopping = false;  // SIGTERM: no operation starts any more

  uint64_t register_interrupt(std::function<void()> f) {
    interrupts.emplace(++next_interrupt, std::move(f));
    return next_interrupt;
  }
  void interrupt_all() {
    stopping = true;
    for (auto& [id, f] : interrupts) f();
  }
};

}  // namespace stillpoint::server
