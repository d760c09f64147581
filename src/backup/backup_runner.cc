#include "backup/backup_runner.h"

#include <algorithm>
#include <exception>
#include <map>
#include <set>

#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "backup/archive_sink.h"
#include "backup/backup_runner_state.h"
#include "backup/item_blocks.h"
#include "backup/resource_selection.h"
#include "catalog/backup_checksums.h"
#include "catalog/operation_log.h"
#include "catalog/volume_manifest.h"
#include "core/async/task_group.h"
#include "core/go_duration.h"
#include "core/go_json.h"
#include "core/json_fields.h"
#include "hooks/backup_planner.h"
#include "hooks/claim_volumes.h"
#include "hooks/hook_runner.h"
#include "hooks/hook_tracker.h"
#include "hooks/pod.h"
#include "kube/discovery.h"

namespace stillpoint::backup {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

constexpr std::string_view kExcludeLabel = "velero.io/exclude-from-backup";

// `velero.io/exclude-from-backup: "true"` keeps any object out of the backup.
bool excluded_from_backup(const core::Labels& labels) {
  auto it = labels.find(kExcludeLabel);
  return it != labels.end() && it->second == "true";
}

using core::string_at;

core::Labels labels_of(const json& object) {
  return core::string_map_at(object, json::json_pointer("/metadata/labels"));
}

std::vector<std::string> claims_of(const json& pod) {
  std::vector<std::string> claims;
  for (auto& c : hooks::claim_volumes(pod)) claims.push_back(std::move(c.claim));
  return claims;
}

std::string list_key(const json& object) {
  return string_at(object, json::json_pointer("/apiVersion")) + "/" +
         string_at(object, json::json_pointer("/kind"));
}

archive::ItemKey item_key(const json& object, const kube::ApiResource& r) {
  return {r.gvr.resource, r.gvr.group, r.gvr.version,
          r.namespaced ? string_at(object, json::json_pointer("/metadata/namespace")) : "",
          string_at(object, json::json_pointer("/metadata/name"))};
}

// Arguments of a coroutine call are named variables, never braced temporaries: GCC 12
// destroys a braced temporary argument of a co_await'ed call twice (free(): invalid pointer).
asio::awaitable<core::Result<kube::ListSummary>> list_all(kube::ClusterApi& cluster,
                                                          const kube::GroupVersionResource& gvr,
                                                          kube::ItemCallback on_item) {
  kube::ListOptions options;
  co_return co_await cluster.list(gvr, std::move(options), std::move(on_item));
}


// `env` with its store replaced by `store`.
BackupEnvironment writing_to(BackupEnvironment env, storage::ObjectStore& store) {
  return BackupEnvironment{.cluster = env.cluster,
                           .exec = env.exec,
                           .clock = env.clock,
                           .store = store,
                           .pool = std::move(env.pool),
                           .milestone = std::move(env.milestone),
                           .hook_window = std::move(env.hook_window)};
}

}  // namespace

BackupRunner::BackupRunner(BackupEnvironment env, BackupRequest request)
    : recorder_(std::make_unique<storage::ChecksumRecordingStore>(env.store)),
      env_(writing_to(std::move(env), *recorder_)),
      request_(std::move(request)),
      state_(std::make_unique<State>(request_.hooks_spec)) {}

BackupRunner::~BackupRunner() = default;

BackupProgress BackupRunner::progress() const {
  BackupProgress p = progress_;
  p.hooks_running = state_->runner ? state_->runner->running() : 0;
  p.items_total = std::max(state_->items_total, p.items_backed_up);
  return p;
}

void BackupRunner::interrupt() {
  if (interrupted_)
    return;
  interrupted_ = true;
  if (workers_) workers_->cancel();
}

asio::awaitable<core::Status> BackupRunner::add_item(const json& object,
                                                     const kube::ApiResource& resource) {
  auto key = item_key(object, resource);
  std::string text = core::go_json_dump(object);
  std::string kind_key = list_key(object);
  auto status = co_await state_->sink->add(std::move(key), std::move(text), std::move(kind_key));
  if (status) {
    ++progress_.items_backed_up;
  }
  co_return status;
}

// Pods, their claims and the claims' volumes are collected first: they make the ItemBlocks,
// and hooks are planned (and, with --strict-hooks, judged) before anything runs.
asio::awaitable<core::Status> BackupRunner::collect_block_items() {
  State& st = *state_;
  const auto& filter = request_.hooks_spec.filter;
  if (st.pods) {
    size_t skipped = 0;
    kube::ItemCallback on_pod = [&](json item) -> core::Status {
      const std::string where = "pod " +
                                string_at(item, json::json_pointer("/metadata/namespace")) + "/" +
                                string_at(item, json::json_pointer("/metadata/name"));
      auto pod = hooks::pod_from_json(item, where);
      if (!pod) {
        ++skipped;
        return core::ok();
      }
      if (st.planner.why_not_item(*pod)) {
        ++skipped;
        return core::ok();
      }
      CollectedPod c{*pod, st.planner.plan(*pod), core::go_json_dump(item), claims_of(item)};
      st.collected.push_back(std::move(c));
      return core::ok();
    };
    auto listed = co_await list_all(env_.cluster, st.pods->gvr, std::move(on_pod));
    if (!listed)
      co_return core::unexpected(listed.error());
    if (env_.milestone) {
      env_.milestone(
          fmt::format("listed pods: {} to back up, {} not selected", st.collected.size(), skipped));
    }
  }
  if (st.pvcs) {
    kube::ItemCallback on_claim = [&](json item) -> core::Status {
      const std::string ns = string_at(item, json::json_pointer("/metadata/namespace"));
      const auto labels = labels_of(item);
      if (!filter.namespaces.should_include(ns) || !filter.selects_labels(labels)) {
        return core::ok();
      }
      if (excluded_from_backup(labels))
        return core::ok();
      st.claims.emplace(ns + "/" + string_at(item, json::json_pointer("/metadata/name")),
                        std::move(item));
      return core::ok();
    };
    auto listed = co_await list_all(env_.cluster, st.pvcs->gvr, std::move(on_claim));
    if (!listed)
      co_return core::unexpected(listed.error());
  }
  if (st.pvs) {
    kube::ItemCallback on_volume = [&](json item) -> core::Status {
      const auto labels = labels_of(item);
      if (excluded_from_backup(labels))
        return core::ok();
      st.volumes.emplace(string_at(item, json::json_pointer("/metadata/name")), std::move(item));
      return core::ok();
    };
    auto listed = co_await list_all(env_.cluster, st.pvs->gvr, std::move(on_volume));
    if (!listed)
      co_return core::unexpected(listed.error());
  }
  co_return core::ok();
}
// Every other selected resource streams straight into the tarball, page by page.
asio::awaitable<core::Status> BackupRunner::stream_other_resources() {
  State& st = *state_;
  const auto& filter = request_.hooks_spec.filter;
  for (const SelectedResource& sel : st.selected) {
    const kube::ApiResource& r = sel.resource;
    if (&r == st.pods || &r == st.pvcs || &r == st.pvs)
      continue;
    if (interrupted_)
      co_return interrupted_status();
    size_t count = 0;
    kube::ItemCallback on_item = [&](json item) -> core::Status {
      if (interrupted_)
        return interrupted_status();
      const auto labels = labels_of(item);
      if (excluded_from_backup(labels))
        return core::ok();
      const std::string name = string_at(item, json::json_pointer("/metadata/name"));
      if (sel.keep == SelectedResource::Keep::IncludedNamespaces) {
        // Namespaces of included namespaces, whatever the label selector: a restore needs them.
        if (!filter.namespaces.should_include(name))
          return core::ok();
      } else {
        if (r.namespaced && !filter.namespaces.should_include(
                                string_at(item, json::json_pointer("/metadata/namespace")))) {
          return core::ok();
        }
        if (!filter.selects_labels(labels))
          return core::ok();
      }
      // The list callback is synchronous: the sink queues the item for the writer strand,
      // blocking only while its bounded queue is full.
      auto key = item_key(item, r);
      const std::string kind_key = list_key(item);
      if (auto s = st.sink->enqueue(std::move(key), core::go_json_dump(item), kind_key); !s)
        return s;
      ++count;
      ++progress_.items_backed_up;
      return core::ok();
    };
    auto listed = co_await list_all(env_.cluster, r.gvr, std::move(on_item));
    if (!listed) {
      if (interrupted_)
        co_return interrupted_status();
      ++st.item_errors;
      st.log->error("listing " + r.group_resource() + " failed: " + listed.error().message);
      continue;
    }
    st.items_total += count;
  }
  co_return core::ok();
}
asio::awaitable<core::Result<BackupOutcome>> BackupRunner::run() {
  BackupStatus status;
  status.start = env_.clock.now();
  // Velero's default TTL: 30 days.
  status.expiration = status.start + std::chrono::hours(720);
  if (request_.spec.contains("ttl") && request_.spec["ttl"].is_string()) {
    if (auto ttl = core::parse_go_duration(request_.spec["ttl"].get<std::string>())) {
      status.expiration = status.start + std::chrono::duration_cast<std::chrono::seconds>(*ttl);
    }
  }

  if (auto s = co_await collect(); !s) co_return core::unexpected(s.error());
  if (auto s = co_await write_items(); !s) co_return core::unexpected(s.error());
  co_return co_await publish(std::move(status));
}

// Nothing is written yet: the backup's name is free, the cluster is read (discovery, the
// resources to list, the pods, claims and volumes of the ItemBlocks), hooks are planned and,
// with --strict-hooks, judged. An error means nothing was published.
asio::awaitable<core::Status> BackupRunner::collect() {
  State& st = *state_;
  const std::string& name = request_.name;
  auto exists = env_.store.exists(catalog::backup_object_key(name));
  if (!exists)
    co_return core::unexpected(exists.error());
  if (*exists) {
    co_return core::unexpected(
        core::ErrorCode::Conflict,
        "backup \"" + name + "\" already exists in " + env_.store.describe());
  }

  auto discovered = co_await env_.cluster.discover();
  if (!discovered)
    co_return core::unexpected(discovered.error());
  st.discovery = std::move(*discovered);
  const auto& filter = request_.hooks_spec.filter;
  st.selected = select_resources(st.discovery, filter.resources, filter.namespaces,
                                 request_.include_cluster_resources);
  for (const SelectedResource& sel : st.selected) {
    const auto& r = sel.resource;
    if (!r.gvr.group.empty())
      continue;
    if (r.gvr.resource == "pods")
      st.pods = &r;
    if (r.gvr.resource == "persistentvolumeclaims")
      st.pvcs = &r;
    if (r.gvr.resource == "persistentvolumes") {
      st.pvs = &r;
      st.pv_keep = sel.keep;
    }
  }
  if (env_.milestone) {
    env_.milestone(fmt::format("discovered {} resource types, {} to back up",
                               st.discovery.resources.size(), st.selected.size()));
  }

  if (auto s = co_await collect_block_items(); !s)
    co_return core::unexpected(s.error());

  // --strict-hooks: a hook that would fall back, be clamped or fail to resolve stops the
  // backup before any hook runs or anything is written.
  std::vector<std::string> findings;
  for (const CollectedPod& c : st.collected) {
    for (const auto& f : c.plan.findings.errors) {
      findings.push_back(c.pod.key() + ": " + f.message);
    }
    for (const auto& f : c.plan.findings.warnings) {
      findings.push_back(c.pod.key() + ": " + f.message);
    }
  }
  for (const auto& w : request_.spec_warnings)
    findings.push_back(w);
  if (request_.strict_hooks && !findings.empty()) {
    co_return core::unexpected(
        core::ErrorCode::InvalidArgument,
        fmt::format("--strict-hooks: {} hook finding(s), nothing was run: {}", findings.size(),
                    findings.front()));
  }

  co_return core::ok();
}

// The backup's objects are written: the tarball and the log opened, the ItemBlocks run by the
// workers while the other resources stream into the tarball, then the leftover claims and
// volumes. An error means the location could not be opened (nothing published).
asio::awaitable<core::Status> BackupRunner::write_items() {
  State& st = *state_;
  const std::string& name = request_.name;
  // Leftovers of an attempt that died before publishing (no velero-backup.json) go first.
  if (auto s = env_.store.remove_prefix(catalog::backup_prefix(name)); !s) {
    co_return core::unexpected(s.error());
  }
  auto sink = ArchiveSink::open(env_.store, catalog::backup_tarball_key(name), env_.pool);
  if (!sink)
    co_return core::unexpected(sink.error());
  st.sink = std::move(*sink);
  auto log_object = env_.store.put(catalog::backup_log_key(name));
  if (!log_object)
    co_return core::unexpected(log_object.error());
  st.log =
      std::make_unique<catalog::OperationLog>(name, std::make_unique<catalog::GzipObjectWriter>(std::move(*log_object)));
  st.log->info("backup started", {{"storage", env_.store.describe()}});
  for (const auto& w : request_.spec_warnings)
    st.log->warning(w);
  for (const auto& w : st.discovery.warnings)
    st.log->warning(w);
  for (const CollectedPod& c : st.collected) {
    for (const auto& w : c.plan.volume_warnings) {
      st.log->warning(w, {{"namespace", c.pod.namespace_name}, {"pod", c.pod.name}});
    }
  }
  for (const CollectedPod& c : st.collected) {
    for (const auto& f : c.plan.findings.errors) {
      st.log->warning("hook problem: " + f.message,
                      {{"namespace", c.pod.namespace_name}, {"pod", c.pod.name}});
    }
  }

  std::vector<PodClaims> claims;
  for (const CollectedPod& c : st.collected)
    claims.push_back({c.pod.key(), c.claims});
  st.blocks = group_item_blocks(claims);
  progress_.blocks_total = st.blocks.size();
  st.items_total = st.collected.size();
  st.runner = std::make_unique<hooks::HookRunner>(env_.exec, env_.clock, st.tracker);

  auto ex = co_await asio::this_coro::executor;
  const size_t workers = std::max<size_t>(
      1, std::min(request_.item_block_workers, std::max<size_t>(st.blocks.size(), 1)));
  // Block workers and the lister of every other resource run side by side.
  workers_ = std::make_unique<core::async::TaskGroup>(ex);
  co_await core::async::run_all(*workers_, workers + 1, [this, workers](size_t i) {
    if (i < workers)
      return block_worker(i);
    return [](BackupRunner* self) -> asio::awaitable<void> {
      // Not cancelled by a signal: it stops at the next item once interrupted_ is set.
      co_await self->stream_other_resources();
    }(this);
  });
  if (!interrupted_) {
    if (auto s = co_await write_leftover_volumes(); !s && !interrupted_) {
      ++st.item_errors;
      st.log->error("persistent volume claims not backed up: " + s.error().message);
    }
  }
  st.items_total += st.claims.size() + st.volumes_written.size();
  co_return core::ok();
}

}  // namespace stillpoint::backup
