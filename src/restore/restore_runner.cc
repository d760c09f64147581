#include "restore/restore_runner.h"

#include <optional>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "catalog/backup_catalog.h"
#include "catalog/backup_checksums.h"
#include "catalog/backup_keys.h"
#include "catalog/gzip_object_writer.h"
#include "catalog/restore_keys.h"
#include "core/async/offload.h"
#include "core/json_fields.h"
#include "kube/resource_filter.h"
#include "restore/crd_readiness.h"
#include "restore/restore_order.h"
#include "restore/restore_runner_state.h"

namespace stillpoint::restore {

namespace asio = boost::asio;
using core::string_at;
using nlohmann::json;

RestoreRunner::RestoreRunner(RestoreEnvironment env, RestoreRequest request)
    : env_(std::move(env)),
      request_(std::move(request)),
      state_(std::make_unique<State>(request_.hooks_spec, request_.hook_wait_limit)) {}

RestoreRunner::~RestoreRunner() = default;

void RestoreRunner::interrupt() {
  interrupted_ = true;
  if (state_->pod_hooks) state_->pod_hooks->stop();
  if (state_->volume_restorer) state_->volume_restorer->stop();
}

RestoreProgress RestoreRunner::progress() const {
  RestoreProgress p = state_->progress;
  p.pods_waiting_for_hooks = state_->pod_work ? state_->pod_work->running() : 0;
  p.hooks_running = state_->runner ? state_->runner->running() : 0;
  return p;
}

asio::awaitable<void> RestoreRunner::wait_for_crds() {
  State& st = *state_;
  auto warnings = co_await wait_until_established(env_.cluster, env_.clock, st.created_crds,
                                                  std::chrono::seconds(60));
  for (auto& w : warnings) st.results.restore_warning(std::move(w));
  // Their resources appear in discovery only now.
  auto discovered = co_await env_.cluster.discover();
  if (discovered) {
    st.discovery = std::move(*discovered);
  } else {
    st.results.restore_warning("discovery after creating CRDs failed: " +
                               discovered.error().message);
  }
}

asio::awaitable<void> RestoreRunner::after_pod_created(
    hooks::Pod pod, hooks::PodRestorePlan plan, std::vector<catalog::VolumeRecord> volumes) {
  State& st = *state_;
  const std::string ns = pod.namespace_name;
  if (!volumes.empty()) {
    st.status.volumes_attempted += volumes.size();
    PodVolumesOutcome out = co_await st.volume_restorer->run(ns, pod.name, volumes);
    for (const auto& v : out.volumes) {
      json fields = {{"namespace", ns}, {"pod", pod.name}, {"volume", v.volume}};
      if (v.ok) {
        ++st.status.volumes_completed;
        fields["bytes"] = v.bytes;
        st.log->info("pod volume restored", fields);
      }
    }
    if (!out.released) {
      st.results.error(ns, out.error);
      st.log->error("pod volume data not restored", {{"namespace", ns}, {"pod", pod.name},
                                                     {"error", out.error}});
      // Held in restore-wait, its containers never start: its hooks cannot run.
      st.pod_hooks->give_up(pod, plan, "the pod's volume data was not restored");
      co_return;
    }
  }
  if (!plan.exec.empty()) {
    PodHooksOutcome outcome = co_await st.pod_hooks->run(pod, std::move(plan), env_.clock.now());
    (void)outcome;
  }
}

asio::awaitable<core::Result<RestoreOutcome>> RestoreRunner::run() {
  State& st = *state_;
  const std::string& name = request_.name;
  RestoreStatus& status = st.status;
  status.start = env_.clock.now();

  auto exists = env_.store.exists(catalog::restore_object_key(name));
  if (!exists) co_return core::unexpected(exists.error());
  if (*exists) {
    co_return core::unexpected(core::ErrorCode::Conflict,
                               "restore \"" + name + "\" already exists in " +
                                   env_.store.describe());
  }
  auto backup_object = catalog::read_backup(env_.store, request_.backup_name);
  if (!backup_object) co_return core::unexpected(backup_object.error());
  const std::string backup_phase =
      string_at(*backup_object, json::json_pointer("/status/phase"));
  if (backup_phase != "Completed" && backup_phase != "PartiallyFailed") {
    co_return core::unexpected(
        core::ErrorCode::InvalidArgument,
        "backup \"" + request_.backup_name + "\" has phase " +
            (backup_phase.empty() ? std::string("(none)") : backup_phase) +
            ": only Completed or PartiallyFailed backups can be restored");
  }
  // Loaded once; the manifest, the tarball and the volume data are read through it.
  auto verified = catalog::open_verified_backup(env_.store, request_.backup_name);
  if (!verified) co_return core::unexpected(verified.error());
  st.backup_store = std::move(*verified);
  auto manifest = catalog::read_volume_manifest(*st.backup_store, request_.backup_name);
  if (!manifest) co_return core::unexpected(manifest.error());
  for (auto& r : *manifest) st.volumes_by_pod[r.pod_key()].push_back(std::move(r));
  auto discovered = co_await env_.cluster.discover();
  if (!discovered) co_return core::unexpected(discovered.error());
  st.discovery = std::move(*discovered);

  // From here on the restore exists: whatever happens is recorded in its log and object.
  if (auto s = env_.store.remove_prefix(catalog::restore_prefix(name)); !s) {
    co_return core::unexpected(s.error());
  }
  auto log_object = env_.store.put(catalog::restore_log_key(name));
  if (!log_object) co_return core::unexpected(log_object.error());
  st.log = std::make_unique<catalog::OperationLog>(
      name, std::make_unique<catalog::GzipObjectWriter>(std::move(*log_object)), "restore");
  st.log->info("restore started",
               {{"backup", request_.backup_name}, {"storage", env_.store.describe()}});
  for (const auto& w : request_.spec_warnings) st.results.restore_warning(w);
  for (const auto& w : st.discovery.warnings) st.log->warning(w);

  st.transform.backup_name = request_.backup_name;
  st.transform.restore_name = name;
  st.transform.namespace_mapping = request_.hooks_spec.namespace_mapping;
  const json& icr = request_.spec.contains("includeClusterResources")
                        ? request_.spec["includeClusterResources"]
                        : json();
  st.include_cluster_resources = icr.is_boolean()
                                     ? icr.get<bool>()
                                     : request_.hooks_spec.filter.namespaces.includes_everything();
  st.runner = std::make_unique<hooks::HookRunner>(env_.exec, env_.clock, st.tracker);
  auto ex = co_await asio::this_coro::executor;
  st.pod_hooks = std::make_unique<PodExecHooks>(ex, env_.cluster, *st.runner, st.tracker,
                                                env_.clock, request_.hook_wait_limit);
  st.volume_restorer = std::make_unique<PodVolumeRestorer>(
      ex, VolumeRestoreEnv{env_.exec, env_.cluster, env_.clock, *st.backup_store, env_.pool,
                           &st.progress.volume_bytes},
      request_.hook_wait_limit);
  if (interrupted_) {
    st.pod_hooks->stop();
    st.volume_restorer->stop();
  }
  st.pod_work = std::make_unique<core::async::TaskGroup>(ex);

  // The archive, read whole before anything is created: a restore never starts from half an
  // archive.
  const std::string tarball = catalog::backup_tarball_key(request_.backup_name);
  auto spooled = co_await core::async::offload(
      env_.pool, [&]() -> core::Result<std::unique_ptr<ArchiveSpool>> {
        auto reader = st.backup_store->get(tarball);
        if (!reader) return core::unexpected(reader.error());
        std::shared_ptr<storage::ObjectReader> source(std::move(*reader));
        auto built = ArchiveSpool::build(
            [source](char* buffer, size_t size) { return source->read(buffer, size); },
            env_.spool_parent);
        // The tar and gzip streams end before the object does, or fail on damaged bytes:
        // either way the object's checksum is checked, and a mismatch is the reason.
        auto checked = storage::settle_verification(
            *source, built ? core::ok() : core::Status(core::unexpected(built.error())));
        if (!checked) return core::unexpected(checked.error());
        return built;
      });
  if (!spooled) {
    status.phase = Phase::Failed;
    status.failure_reason = "backup archive " + tarball + " cannot be read: " +
                            spooled.error().message + "; nothing was restored";
    st.log->error(status.failure_reason);
  } else {
    st.spool = std::move(*spooled);
    st.progress.items_total = st.spool->total_items();
    if (env_.milestone) {
      env_.milestone(fmt::format("read {} items of {} resource types from backup {}",
                                 st.spool->total_items(), st.spool->group_resources().size(),
                                 request_.backup_name));
    }
    for (const std::string& rg : restore_order(st.spool->group_resources())) {
      if (interrupted_) break;
      co_await restore_type(rg);
      if (rg == kCrdsResource && !st.created_crds.empty()) co_await wait_for_crds();
    }
    if (st.pod_work->running() > 0 && env_.milestone) {
      env_.milestone(fmt::format("waiting for the volume data and exec hooks of {} pods",
                                 st.pod_work->running()));
    }
    co_await st.pod_work->wait();
  }

  const auto records = st.tracker.records();
  for (const auto& r : records) {
    auto it = st.planned.find(r.namespace_name + "/" + r.pod + "/" + r.container + "/" +
                              std::to_string(r.index) + "/" + r.name);
    st.log->hook(r, it == st.planned.end() ? nullptr : &it->second);
    if (r.result == hooks::HookResult::Failed || r.result == hooks::HookResult::NotExecuted) {
      st.results.error(r.namespace_name, r.error);
    }
  }
  status.hook_status = st.tracker.status();
  status.hook_results = records;
  status.completion = env_.clock.now();
  if (interrupted_ && status.phase != Phase::Failed) {
    status.phase = Phase::Failed;
    status.failure_reason =
        "interrupted: stopped by a signal; objects created before it were kept, the rest were "
        "not restored";
    st.log->error(status.failure_reason);
  } else if (status.phase != Phase::Failed) {
    status.phase = st.results.errors() > 0 || status.items_failed > 0 ? Phase::PartiallyFailed
                                                                      : Phase::Completed;
  }
  // The failure reason is one of the restore's errors: listed in the results as well, so that
  // `restore describe` shows it under Errors (it said "Errors (1): <none>", found by
  // tests/e2e/restore_e2e_test.cc).
  if (status.phase == Phase::Failed) st.results.restore_error(status.failure_reason);
  status.errors = st.results.errors();
  status.warnings = st.results.warnings();
  st.log->info("restore finished",
               {{"phase", catalog::to_string(status.phase)},
                {"itemsRestored", status.items_restored},
                {"itemsSkipped", status.items_skipped},
                {"itemsFailed", status.items_failed}});
  if (auto s = st.log->finish(); !s) co_return core::unexpected(s.error());
  if (auto s = catalog::write_gzip(env_.store, catalog::restore_results_key(name),
                                  st.results.to_json().dump());
      !s) {
    co_return core::unexpected(s.error());
  }
  RestoreOutcome outcome;
  outcome.status = status;
  outcome.object = restore_object(request_, status);
  outcome.interrupted = interrupted_;
  if (auto s = storage::write_all(env_.store, catalog::restore_object_key(name), outcome.object.dump(2));
      !s) {
    co_return core::unexpected(s.error());
  }
  co_return outcome;
}

}  // namespace stillpoint::restore
