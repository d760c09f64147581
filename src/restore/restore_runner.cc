#include "restore/restore_runner.h"

#include <algorithm>
#include <exception>
#include <map>
#include <optional>
#include <set>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "backup/backup_catalog.h"
#include "backup/backup_keys.h"
#include "backup/backup_log.h"
#include "backup/gzip_object_writer.h"
#include "backup/resource_selection.h"
#include "backup/run_all.h"
#include "core/json_fields.h"
#include "hooks/hook_runner.h"
#include "hooks/hook_tracker.h"
#include "hooks/pod.h"
#include "hooks/restore_planner.h"
#include "kube/discovery.h"
#include "restore/archive_spool.h"
#include "restore/object_transform.h"
#include "restore/pod_exec_hooks.h"
#include "restore/restore_keys.h"
#include "restore/restore_order.h"
#include "restore/restore_results.h"

namespace stillpoint::restore {

namespace asio = boost::asio;
using core::string_at;
using nlohmann::json;

namespace {

const std::string kCrds = "customresourcedefinitions.apiextensions.k8s.io";
const kube::GroupVersionResource kNamespaces{"", "v1", "namespaces"};
const kube::GroupVersionResource kCrdGvr{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};

// The group-version the object was backed up at, with the plural from discovery: an object is
// created at the version its body is written in, whatever the cluster prefers.
kube::GroupVersionResource gvr_for(const json& object, const kube::ApiResource& resource) {
  kube::GroupVersionResource gvr = resource.gvr;
  const std::string api_version = string_at(object, json::json_pointer("/apiVersion"));
  const auto slash = api_version.find('/');
  const std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
  const std::string version =
      slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  if (!version.empty() && group == gvr.group) gvr.version = version;
  return gvr;
}

// Whether the live object already says what the backup says: the fields the backup sets
// (besides metadata and status) and its labels and annotations. Server-side defaults make
// some objects (pods) always differ; the warning says so rather than guessing.
bool same_as_backup(const json& live, const json& wanted) {
  for (const auto& [key, value] : wanted.items()) {
    if (key == "metadata" || key == "status") continue;
    if (!live.contains(key) || live[key] != value) return false;
  }
  for (const char* field : {"/metadata/labels", "/metadata/annotations"}) {
    const json::json_pointer ptr(field);
    auto want = core::string_map_at(wanted, ptr);
    auto have = core::string_map_at(live, ptr);
    for (const auto& [k, v] : want) {
      if (k.rfind("velero.io/", 0) == 0) continue;
      auto it = have.find(k);
      if (it == have.end() || it->second != v) return false;
    }
  }
  return true;
}

std::string describe_item(const std::string& group_resource,
                          const std::string& namespace_name,
                          const std::string& name) {
  return namespace_name.empty() ? group_resource + " " + name
                                : group_resource + " " + namespace_name + "/" + name;
}

}  // namespace

struct RestoreRunner::State {
  State(const hooks::RestoreSpec& spec, core::Duration limit) : planner(spec, limit) {}

  hooks::RestorePlanner planner;
  kube::DiscoveryResult discovery;
  std::unique_ptr<ArchiveSpool> spool;
  std::unique_ptr<backup::BackupLog> log;
  RestoreResults results;
  TransformContext transform;
  bool include_cluster_resources = true;
  std::set<std::string> namespaces_ready;
  std::vector<std::string> created_crds;

  hooks::HookTracker tracker;
  std::unique_ptr<hooks::HookRunner> runner;
  std::unique_ptr<PodExecHooks> pod_hooks;
  std::map<std::string, hooks::PlannedExecHook> planned;  // for the log's hook lines
  size_t hooks_pending = 0;
  std::unique_ptr<asio::steady_timer> hooks_done;

  RestoreStatus status;
  RestoreProgress progress;
};

RestoreRunner::RestoreRunner(RestoreEnvironment env, RestoreRequest request)
    : env_(std::move(env)),
      request_(std::move(request)),
      state_(std::make_unique<State>(request_.hooks_spec, request_.hook_wait_limit)) {}

RestoreRunner::~RestoreRunner() = default;

void RestoreRunner::interrupt() {
  interrupted_ = true;
  if (state_->pod_hooks) state_->pod_hooks->stop();
}

RestoreProgress RestoreRunner::progress() const {
  RestoreProgress p = state_->progress;
  p.pods_waiting_for_hooks = state_->hooks_pending;
  p.hooks_running = state_->runner ? state_->runner->running() : 0;
  return p;
}

asio::awaitable<bool> RestoreRunner::ensure_namespace(const std::string& name) {
  State& st = *state_;
  if (st.namespaces_ready.count(name)) co_return true;
  auto found = co_await env_.rest.get(kNamespaces, "", name);
  if (found) {
    st.namespaces_ready.insert(name);
    co_return true;
  }
  if (found.error().code == core::ErrorCode::NotFound) {
    json ns = {{"apiVersion", "v1"},
               {"kind", "Namespace"},
               {"metadata",
                {{"name", name},
                 {"labels",
                  {{"velero.io/backup-name", st.transform.backup_name},
                   {"velero.io/restore-name", st.transform.restore_name}}}}}};
    auto created = co_await env_.rest.create(kNamespaces, "", ns);
    // Conflict: another worker created it a moment ago.
    if (created || created.error().code == core::ErrorCode::Conflict) {
      st.namespaces_ready.insert(name);
      st.log->info("namespace created", {{"namespace", name}});
      co_return true;
    }
    found = core::unexpected(created.error());
  }
  st.results.error(name, "namespace " + name + " could not be created: " + found.error().message);
  st.log->error("namespace could not be created",
                {{"namespace", name}, {"error", found.error().message}});
  co_return false;
}

asio::awaitable<void> RestoreRunner::restore_item(const std::string& group_resource,
                                                  std::string source_namespace,
                                                  std::string name,
                                                  std::string json_text) {
  State& st = *state_;
  const auto& filter = request_.hooks_spec.filter;
  const std::string what = describe_item(group_resource, source_namespace, name);
  ++st.progress.items_done;
  json object = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    ++st.status.total_items;
    ++st.status.items_failed;
    st.results.error(source_namespace, what + ": the archive entry is not a JSON object");
    st.log->error("archive entry is not a JSON object", {{"item", what}});
    co_return;
  }
  // The restore's filters: namespaces (source names, before mapping), cluster-scoped objects,
  // labels. What they leave out is not part of the restore at all.
  if (group_resource == "namespaces") {
    if (!filter.namespaces.should_include(name)) co_return;
  } else if (!source_namespace.empty()) {
    if (!filter.namespaces.should_include(source_namespace)) co_return;
  } else if (group_resource == "persistentvolumes") {
    const std::string claim_ns = string_at(object, json::json_pointer("/spec/claimRef/namespace"));
    if (claim_ns.empty() ? !st.include_cluster_resources
                         : !filter.namespaces.should_include(claim_ns)) {
      co_return;
    }
  } else if (!st.include_cluster_resources) {
    co_return;
  }
  const core::Labels labels = core::string_map_at(object, json::json_pointer("/metadata/labels"));
  if (!filter.selects_labels(labels)) co_return;
  ++st.status.total_items;

  const std::string target_ns =
      source_namespace.empty() ? "" : st.planner.target_namespace(source_namespace);
  std::optional<hooks::Pod> pod;
  hooks::PodRestorePlan plan;
  if (group_resource == "pods") {
    auto decoded = hooks::pod_from_json(object, what);
    if (!decoded) {
      ++st.status.items_failed;
      st.results.error(target_ns, decoded.error().message);
      st.log->error("pod not restored", {{"item", what}, {"error", decoded.error().message}});
      co_return;
    }
    if (auto why = st.planner.why_not_restored(*decoded)) {
      ++st.status.items_skipped;
      st.log->info("not restored: " + why->reason, {{"item", what}});
      co_return;
    }
    plan = st.planner.plan(*decoded);
    for (const auto& f : plan.findings.errors) {
      st.results.warning(target_ns, "pod " + target_ns + "/" + name + ": hook problem: " +
                                        f.message);
      st.log->warning("hook problem: " + f.message, {{"namespace", target_ns}, {"pod", name}});
    }
    pod = std::move(*decoded);
  }

  Transformed prepared = prepare_for_restore(std::move(object), group_resource, st.transform);
  if (!prepared.skip_reason.empty()) {
    ++st.status.items_skipped;
    if (group_resource == "persistentvolumes") st.transform.reprovisioned_volumes.insert(name);
    st.log->info("not restored: " + prepared.skip_reason, {{"item", what}});
    co_return;
  }
  json& item = prepared.object;
  if (group_resource == "namespaces" && item.contains("metadata") && item["metadata"].is_object()) {
    item["metadata"]["name"] = st.planner.target_namespace(name);
  }
  if (pod && item.contains("spec") && item["spec"].is_object() &&
      (!plan.init_containers.empty() || item["spec"].contains("initContainers"))) {
    item["spec"]["initContainers"] = plan.init_containers;
  }
  if (!target_ns.empty() && !co_await ensure_namespace(target_ns)) {
    ++st.status.items_failed;
    co_return;
  }
  const kube::ApiResource* resource = st.discovery.find(group_resource);
  if (resource == nullptr) {
    ++st.status.items_failed;
    st.results.error(target_ns, what + ": the cluster does not serve " + group_resource);
    co_return;
  }
  const kube::GroupVersionResource gvr = gvr_for(item, *resource);
  const std::string item_name = string_at(item, json::json_pointer("/metadata/name"));
  const std::string shown = describe_item(group_resource, target_ns, item_name);
  auto created = co_await env_.rest.create(gvr, target_ns, item);
  if (created) {
    ++st.status.items_restored;
    st.log->info("restored", {{"item", shown}});
    if (group_resource == "namespaces") st.namespaces_ready.insert(item_name);
    if (group_resource == kCrds) st.created_crds.push_back(item_name);
    if (pod && !plan.exec.empty()) {
      auto as_created = hooks::pod_from_json(*created, shown);
      hooks::Pod hook_pod = as_created ? std::move(*as_created) : *pod;
      hook_pod.namespace_name = target_ns;
      for (const auto& h : plan.exec) {
        hooks::PlannedExecHook e;
        e.name = h.name;
        e.source = h.source;
        e.index = h.index;
        e.container = h.container;
        e.command = h.command;
        e.on_error = h.on_error;
        e.timeout = h.exec_timeout;
        st.planned[hook_pod.key() + "/" + h.container + "/" + std::to_string(h.index) + "/" +
                   h.name] = std::move(e);
      }
      ++st.hooks_pending;
      const auto created_at = env_.clock.now();
      auto ex = co_await asio::this_coro::executor;
      asio::co_spawn(ex, st.pod_hooks->run(std::move(hook_pod), std::move(plan), created_at),
                     [&st](std::exception_ptr e, PodHooksOutcome) {
                       if (e) st.results.restore_error("exec hooks of a pod stopped early");
                       if (--st.hooks_pending == 0) st.hooks_done->cancel();
                     });
    }
    co_return;
  }
  if (created.error().code != core::ErrorCode::Conflict) {
    ++st.status.items_failed;
    st.results.error(target_ns, shown + ": " + created.error().message);
    st.log->error("not restored", {{"item", shown}, {"error", created.error().message}});
    co_return;
  }
  // It exists already.
  auto live = co_await env_.rest.get(gvr, target_ns, item_name);
  const bool same = live && same_as_backup(*live, item);
  if (request_.existing_policy == ExistingPolicy::Update && live && !same) {
    json patch = item;
    patch.erase("status");
    auto patched = co_await env_.rest.patch(gvr, target_ns, item_name, kube::PatchType::Merge,
                                            patch);
    if (patched) {
      ++st.status.items_restored;
      st.log->info("updated (existing-resource-policy update)", {{"item", shown}});
      co_return;
    }
    ++st.status.items_skipped;
    st.results.warning(target_ns, shown + ": exists and could not be updated: " +
                                      patched.error().message);
    st.log->warning("exists and could not be updated",
                    {{"item", shown}, {"error", patched.error().message}});
    co_return;
  }
  ++st.status.items_skipped;
  if (same) {
    st.log->info("already exists, same as the backup: skipped", {{"item", shown}});
  } else {
    st.results.warning(target_ns, shown + ": already exists and differs from the backup; not "
                                          "changed (existing-resource-policy " +
                                      std::string(to_string(request_.existing_policy)) + ")");
    st.log->warning("already exists and differs from the backup: skipped", {{"item", shown}});
  }
}

asio::awaitable<void> RestoreRunner::restore_type(const std::string& group_resource) {
  State& st = *state_;
  const size_t count = st.spool->items(group_resource);
  if (never_restored(group_resource)) {
    st.progress.items_done += count;
    st.log->info("never restored: " + group_resource, {{"items", count}});
    co_return;
  }
  const kube::ApiResource* resource = st.discovery.find(group_resource);
  if (resource != nullptr &&
      !backup::resource_matches(request_.hooks_spec.filter.resources, *resource)) {
    st.progress.items_done += count;
    co_return;
  }
  auto cursor = st.spool->open(group_resource);
  if (!cursor) {
    st.results.restore_error(cursor.error().message);
    co_return;
  }
  const size_t before = st.status.items_restored;
  auto ex = co_await asio::this_coro::executor;
  const size_t workers = std::max<size_t>(1, std::min(request_.workers, count));
  bool spool_failed = false;
  co_await backup::run_all(ex, workers, nullptr, [&](size_t) -> asio::awaitable<void> {
    while (!interrupted_) {
      auto next = (*cursor)->next();
      if (!next) {
        if (!spool_failed) st.results.restore_error(next.error().message);
        spool_failed = true;
        co_return;
      }
      if (!*next) co_return;
      archive::ArchiveItem& it = **next;
      co_await restore_item(group_resource, std::move(it.namespace_name), std::move(it.name),
                            std::move(it.json));
    }
  });
  if (env_.milestone) {
    env_.milestone(fmt::format("{}: {} of {} restored", group_resource,
                               st.status.items_restored - before, count));
  }
}

asio::awaitable<void> RestoreRunner::wait_for_crds() {
  State& st = *state_;
  // A CRD serves its resources only once Established (wire-protocol reference §3.8); Velero
  // waits for it before creating custom resources.
  for (const std::string& name : st.created_crds) {
    const auto deadline = env_.clock.now() + std::chrono::seconds(60);
    for (;;) {
      auto crd = co_await env_.rest.get(kCrdGvr, "", name);
      bool established = false;
      if (crd && (*crd)["status"].is_object() && (*crd)["status"]["conditions"].is_array()) {
        for (const auto& c : (*crd)["status"]["conditions"]) {
          if (c.is_object() && c.value("type", "") == "Established" &&
              c.value("status", "") == "True") {
            established = true;
          }
        }
      }
      if (established) break;
      if (env_.clock.now() >= deadline) {
        st.results.restore_warning("CRD " + name + " not Established within 60s");
        break;
      }
      co_await env_.clock.sleep_for(std::chrono::milliseconds(250));
    }
  }
  auto discovered = co_await kube::discover(env_.rest.http());
  if (discovered) {
    st.discovery = std::move(*discovered);
  } else {
    st.results.restore_warning("discovery after creating CRDs failed: " +
                               discovered.error().message);
  }
}

asio::awaitable<core::Result<RestoreOutcome>> RestoreRunner::run() {
  State& st = *state_;
  const std::string& name = request_.name;
  RestoreStatus& status = st.status;
  status.start = env_.clock.now();

  auto exists = env_.store.exists(restore_object_key(name));
  if (!exists) co_return core::unexpected(exists.error());
  if (*exists) {
    co_return core::unexpected(core::ErrorCode::Conflict,
                               "restore \"" + name + "\" already exists in " +
                                   env_.store.describe());
  }
  auto backup_object = backup::read_backup(env_.store, request_.backup_name);
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
  auto discovered = co_await kube::discover(env_.rest.http());
  if (!discovered) co_return core::unexpected(discovered.error());
  st.discovery = std::move(*discovered);

  // From here on the restore exists: whatever happens is recorded in its log and object.
  if (auto s = env_.store.remove_prefix(restore_prefix(name)); !s) {
    co_return core::unexpected(s.error());
  }
  auto log_object = env_.store.put(restore_log_key(name));
  if (!log_object) co_return core::unexpected(log_object.error());
  st.log = std::make_unique<backup::BackupLog>(
      name, std::make_unique<backup::GzipObjectWriter>(std::move(*log_object)), "restore");
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
                                     : backup::all_namespaces(request_.hooks_spec.filter.namespaces);
  st.runner = std::make_unique<hooks::HookRunner>(env_.exec, env_.clock, st.tracker);
  auto ex = co_await asio::this_coro::executor;
  st.pod_hooks = std::make_unique<PodExecHooks>(ex, env_.rest, *st.runner, st.tracker,
                                                env_.clock, request_.hook_wait_limit);
  if (interrupted_) st.pod_hooks->stop();
  st.hooks_done = std::make_unique<asio::steady_timer>(ex, asio::steady_timer::time_point::max());

  // The archive, read whole before anything is created: a restore never starts from half an
  // archive.
  std::optional<core::Result<std::unique_ptr<ArchiveSpool>>> spooled;
  const std::string tarball = backup::backup_tarball_key(request_.backup_name);
  co_await asio::co_spawn(
      env_.pool,
      [&]() -> asio::awaitable<void> {
        auto reader = env_.store.get(tarball);
        if (!reader) {
          spooled.emplace(core::unexpected(reader.error()));
          co_return;
        }
        std::shared_ptr<storage::ObjectReader> source(std::move(*reader));
        spooled.emplace(ArchiveSpool::build(
            [source](char* buffer, size_t size) { return source->read(buffer, size); },
            env_.spool_parent));
      },
      asio::use_awaitable);
  if (!*spooled) {
    status.phase = Phase::Failed;
    status.failure_reason = "backup archive " + tarball + " cannot be read: " +
                            spooled->error().message + "; nothing was restored";
    st.log->error(status.failure_reason);
  } else {
    st.spool = std::move(**spooled);
    st.progress.items_total = st.spool->total_items();
    if (env_.milestone) {
      env_.milestone(fmt::format("read {} items of {} resource types from backup {}",
                                 st.spool->total_items(), st.spool->group_resources().size(),
                                 request_.backup_name));
    }
    for (const std::string& rg : restore_order(st.spool->group_resources())) {
      if (interrupted_) break;
      co_await restore_type(rg);
      if (rg == kCrds && !st.created_crds.empty()) co_await wait_for_crds();
    }
    if (st.hooks_pending > 0 && env_.milestone) {
      env_.milestone(fmt::format("waiting for the exec hooks of {} pods", st.hooks_pending));
    }
    while (st.hooks_pending > 0) {
      co_await st.hooks_done->async_wait(asio::as_tuple(asio::use_awaitable));
    }
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
  status.errors = st.results.errors() + (status.phase == Phase::Failed ? 1 : 0);
  status.warnings = st.results.warnings();
  st.log->info("restore finished",
               {{"phase", backup::to_string(status.phase)},
                {"itemsRestored", status.items_restored},
                {"itemsSkipped", status.items_skipped},
                {"itemsFailed", status.items_failed}});
  if (auto s = st.log->finish(); !s) co_return core::unexpected(s.error());
  if (auto s = backup::write_gzip(env_.store, restore_results_key(name),
                                  st.results.to_json().dump());
      !s) {
    co_return core::unexpected(s.error());
  }
  RestoreOutcome outcome;
  outcome.status = status;
  outcome.object = restore_object(request_, status);
  outcome.interrupted = interrupted_;
  if (auto s = storage::write_all(env_.store, restore_object_key(name), outcome.object.dump(2));
      !s) {
    co_return core::unexpected(s.error());
  }
  co_return outcome;
}

}  // namespace stillpoint::restore
