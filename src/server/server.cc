#include "server/server.h"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/backup_processor.h"
#include "server/delete_request_processor.h"
#include "server/interrupted_operations.h"
#include "server/restore_processor.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

Server::Server(ServerContext& ctx, ServerOptions options)
    : ctx_(ctx), options_(std::move(options)) {}

Server::~Server() = default;

asio::awaitable<core::Status> Server::check_no_velero() {
  if (options_.api_group != kVeleroGroup || options_.force) co_return core::ok();
  std::string found;
  kube::ListOptions list_options;
  list_options.label_selector = "component=velero";
  // Named arguments only in co_await expressions (GCC 12 destroys temporaries twice).
  const kube::GroupVersionResource deployments{"apps", "v1", "deployments"};
  kube::ItemCallback first = [&](json item) {
    if (found.empty()) {
      found = item["metadata"].value("namespace", "") + "/" + item["metadata"].value("name", "");
    }
    return core::ok();
  };
  auto listed = co_await ctx_.cluster.list(deployments, list_options, first);
  if (!listed) {
    co_return core::unexpected(listed.error().code,
                               "checking for a running Velero (deployments labelled "
                               "component=velero): " +
                                   listed.error().message + " (--force skips the check)");
  }
  if (!found.empty()) {
    co_return core::unexpected(
        core::ErrorCode::Conflict,
        "Velero's own server runs in this cluster (deployment " + found +
            "): two controllers would both run every velero.io/v1 Backup; stop Velero first, "
            "or pass --force if it is scaled to zero");
  }
  co_return core::ok();
}

asio::awaitable<void> Server::run(std::function<bool()> leading) {
  if (auto s = co_await check_no_velero(); !s) {
    status_ = s;
    co_return;
  }
  auto executor = co_await asio::this_coro::executor;
  auto may_start = [this, leading] { return !stopped_ && !ctx_.stopping && recovered_ && leading(); };
  if (!options_.watch.log) options_.watch.log = ctx_.log;
  ControllerOptions backup_options{ctx_.namespace_name, options_.max_concurrent_backups,
                                   options_.watch};
  ControllerOptions restore_options{ctx_.namespace_name, options_.max_concurrent_restores,
                                    options_.watch};
  backups_ = std::make_unique<OperationController>(
      ctx_.cluster, ctx_.clock, executor, ctx_.resources.backups, backup_options,
      [this](json o) { return process_backup(ctx_, std::move(o)); }, may_start);
  restores_ = std::make_unique<OperationController>(
      ctx_.cluster, ctx_.clock, executor, ctx_.resources.restores, restore_options,
      [this](json o) { return process_restore(ctx_, std::move(o)); }, may_start);
  // Like starting work, syncing and validating locations is the leader's job.
  sync_ = std::make_unique<BackupSync>(ctx_, options_.backup_sync_period, may_start);
  validator_ = std::make_unique<LocationValidator>(ctx_, options_.store_validation_frequency,
                                                   may_start);
  // Deletions one at a time: each is short, and two deleting one backup would race.
  ControllerOptions delete_options{ctx_.namespace_name, 1, options_.watch};
  delete_requests_ = std::make_unique<OperationController>(
      ctx_.cluster, ctx_.clock, executor, ctx_.resources.delete_requests, delete_options,
      [this](json o) { return process_delete_request(ctx_, std::move(o)); }, may_start);
  schedules_ = std::make_unique<ScheduleController>(ctx_, executor, options_.watch, may_start);
  collector_ = std::make_unique<GarbageCollector>(ctx_, options_.gc_frequency, may_start);

  asio::cancellation_signal stop_controllers;
  cancel_ = [&stop_controllers] { stop_controllers.emit(asio::cancellation_type::terminal); };
  // Recovery runs once this replica leads; the controllers list and watch from the start (a
  // standby is ready to take over with a warm queue).
  auto recover = [this, leading]() -> asio::awaitable<void> {
    while (!stopped_ && !leading()) co_await ctx_.clock.sleep_for(std::chrono::milliseconds(100));
    if (stopped_) co_return;
    const RecoveryCounts counts = co_await recover_interrupted_operations(ctx_);
    if (counts.backups_failed + counts.restores_failed > 0) {
      ctx_.log("settled the work of a previous server: " + std::to_string(counts.backups_failed) +
               " backup(s) and " + std::to_string(counts.restores_failed) +
               " restore(s) marked Failed, " + std::to_string(counts.pods_thawed) +
               " pod(s) given their post hooks");
    }
    recovered_ = true;
    leadership_changed();
    // Collection starts once the predecessor's work is settled: an InProgress restore it left
    // is Failed by then, and must not hold a backup back as if it still read it.
    co_await collector_->run();
  };
  // Spawned and awaited through a timer, not `co_await co_spawn(...)`: GCC 12 destroys the
  // temporaries of a co_await expression twice.
  bool finished = false;
  asio::steady_timer ended(executor, asio::steady_timer::time_point::max());
  asio::co_spawn(executor, run_all(std::move(recover)),
                 asio::bind_cancellation_slot(stop_controllers.slot(), [&](std::exception_ptr) {
                   finished = true;
                   ended.cancel();
                 }));
  while (!finished) co_await ended.async_wait(asio::as_tuple(asio::use_awaitable));
  cancel_ = nullptr;
}

asio::awaitable<void> Server::run_all(std::function<asio::awaitable<void>()> recover) {
  using namespace asio::experimental::awaitable_operators;
  co_await (recover() && backups_->run() && restores_->run() && delete_requests_->run() &&
            schedules_->run() && sync_->run() && validator_->run());
}

void Server::leadership_changed() {
  if (backups_) backups_->wake();
  if (restores_) restores_->wake();
  if (delete_requests_) delete_requests_->wake();
  if (schedules_) schedules_->wake();
}

void Server::stop() {
  stopped_ = true;
  ctx_.interrupt_all();
  if (cancel_) cancel_();
}

bool Server::synced() const {
  return backups_ && restores_ && delete_requests_ && schedules_ &&
         backups_->watch_counters().listed > 0 && restores_->watch_counters().listed > 0 &&
         delete_requests_->watch_counters().listed > 0 &&
         schedules_->watch_counters().listed > 0;
}

size_t Server::running() const {
  return (backups_ ? backups_->running() : 0) + (restores_ ? restores_->running() : 0) +
         (delete_requests_ ? delete_requests_->running() : 0);
}

}  // namespace stillpoint::server
