// RestoreRunner, one object at a time, in three steps: select_item (the restore's filters),
// prepare_item (hook plan, transform, target namespace, init hooks and restore-wait injected
// into pods), create_or_reconcile (create, and what to do when it exists already:
// existing-resource-policy). Objects of one type run on `workers` coroutines.
#include <algorithm>
#include <exception>
#include <optional>

#include <boost/asio/this_coro.hpp>
#include <fmt/format.h>

#include "core/async/task_group.h"
#include "core/json_fields.h"
#include "hooks/claim_volumes.h"
#include "hooks/pod.h"
#include "kube/resource_filter.h"
#include "restore/existing_object.h"
#include "restore/restore_order.h"
#include "restore/restore_runner_state.h"
#include "restore/volume_in_use.h"

namespace stillpoint::restore {

namespace asio = boost::asio;
using core::string_at;
using nlohmann::json;

namespace {

const kube::GroupVersionResource kNamespaces{"", "v1", "namespaces"};

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

std::string describe_item(const std::string& group_resource,
                          const std::string& namespace_name,
                          const std::string& name) {
  return namespace_name.empty() ? group_resource + " " + name
                                : group_resource + " " + namespace_name + "/" + name;
}

}  // namespace


asio::awaitable<bool> RestoreRunner::ensure_namespace(const std::string& name) {
  State& st = *state_;
  if (st.namespaces_ready.count(name)) co_return true;
  auto found = co_await env_.cluster.get(kNamespaces, "", name);
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
    auto created = co_await env_.cluster.create(kNamespaces, "", ns);
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
  ++state_->progress.items_done;
  std::optional<json> object =
      select_item(group_resource, source_namespace, name, std::move(json_text));
  if (!object) co_return;
  std::optional<PreparedItem> prepared =
      prepare_item(group_resource, source_namespace, name, std::move(*object));
  if (!prepared) co_return;
  co_await create_or_reconcile(std::move(*prepared));
}

// The restore's filters: namespaces (source names, before mapping), cluster-scoped objects,
// labels. What they leave out is not part of the restore at all (nullopt, nothing counted); an
// entry that is not a JSON object is a failed item (nullopt, counted).
std::optional<json> RestoreRunner::select_item(const std::string& group_resource,
                                               const std::string& source_namespace,
                                               const std::string& name,
                                               std::string json_text) {
  State& st = *state_;
  const auto& filter = request_.hooks_spec.filter;
  const std::string what = describe_item(group_resource, source_namespace, name);
  json object = json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded() || !object.is_object()) {
    ++st.status.total_items;
    ++st.status.items_failed;
    st.results.error(source_namespace, what + ": the archive entry is not a JSON object");
    st.log->error("archive entry is not a JSON object", {{"item", what}});
    return std::nullopt;
  }
  if (group_resource == "namespaces") {
    if (!filter.namespaces.should_include(name)) return std::nullopt;
  } else if (!source_namespace.empty()) {
    if (!filter.namespaces.should_include(source_namespace)) return std::nullopt;
  } else if (group_resource == "persistentvolumes") {
    const std::string claim_ns = string_at(object, json::json_pointer("/spec/claimRef/namespace"));
    if (claim_ns.empty() ? !st.include_cluster_resources
                         : !filter.namespaces.should_include(claim_ns)) {
      return std::nullopt;
    }
  } else if (!st.include_cluster_resources) {
    return std::nullopt;
  }
  const core::Labels labels = core::string_map_at(object, json::json_pointer("/metadata/labels"));
  if (!filter.selects_labels(labels)) return std::nullopt;
  ++st.status.total_items;
  return object;
}

// The object as it will be created: a pod's hooks planned (and the pod skipped when the
// planner says so), the transform, the target namespace, init hooks and restore-wait injected.
// nullopt when the object is not created (skipped or failed, counted and logged here).
std::optional<RestoreRunner::PreparedItem> RestoreRunner::prepare_item(
    const std::string& group_resource,
    const std::string& source_namespace,
    const std::string& name,
    json object) {
  State& st = *state_;
  const std::string what = describe_item(group_resource, source_namespace, name);
  PreparedItem p;
  p.group_resource = group_resource;
  p.name = name;
  p.what = what;
  p.target_ns = source_namespace.empty() ? "" : st.planner.target_namespace(source_namespace);
  const std::string& target_ns = p.target_ns;
  if (group_resource == "pods") {
    auto decoded = hooks::pod_from_json(object, what);
    if (!decoded) {
      ++st.status.items_failed;
      st.results.error(target_ns, decoded.error().message);
      st.log->error("pod not restored", {{"item", what}, {"error", decoded.error().message}});
      return std::nullopt;
    }
    if (auto why = st.planner.why_not_restored(*decoded)) {
      ++st.status.items_skipped;
      st.log->info("not restored: " + why->reason, {{"item", what}});
      return std::nullopt;
    }
    p.plan = st.planner.plan(*decoded);
    for (const auto& f : p.plan.findings.errors) {
      st.results.warning(target_ns, "pod " + target_ns + "/" + name + ": hook problem: " +
                                        f.message);
      st.log->warning("hook problem: " + f.message, {{"namespace", target_ns}, {"pod", name}});
    }
    p.pod = std::move(*decoded);
  }

  Transformed prepared = prepare_for_restore(std::move(object), group_resource, st.transform);
  if (!prepared.skip_reason.empty()) {
    ++st.status.items_skipped;
    if (group_resource == "persistentvolumes") st.transform.reprovisioned_volumes.insert(name);
    st.log->info("not restored: " + prepared.skip_reason, {{"item", what}});
    return std::nullopt;
  }
  p.item = std::move(prepared.object);
  json& item = p.item;
  const auto& pod = p.pod;
  const auto& plan = p.plan;
  if (group_resource == "namespaces" && item.contains("metadata") && item["metadata"].is_object()) {
    item["metadata"]["name"] = st.planner.target_namespace(name);
  }
  if (pod && item.contains("spec") && item["spec"].is_object() &&
      (!plan.init_containers.empty() || item["spec"].contains("initContainers"))) {
    item["spec"]["initContainers"] = plan.init_containers;
    // The plan's init containers come from the pod as backed up, token mounts included.
    drop_service_account_token_volumes(item);
  }
  std::vector<catalog::VolumeRecord>& volumes = p.volumes;
  if (pod) {
    const auto it = st.volumes_by_pod.find(source_namespace + "/" + name);
    if (it != st.volumes_by_pod.end()) {
      std::vector<std::string> not_restored;
      volumes = volumes_to_restore(item, it->second, not_restored);
      for (const auto& why : not_restored) {
        st.results.warning(target_ns, "pod " + target_ns + "/" + name + ": " + why);
      }
    }
    if (!volumes.empty()) {
      inject_restore_wait(item, restore_wait_container(request_.restore_helper_image, volumes,
                                                       pod_allows_root_helper(item)));
    } else {
      remove_restore_wait(item);
    }
  }
  if (pod && !st.claims_reprovisioned.empty()) {
    // A claim that gets a new volume starts empty unless restore-wait fills this pod's volume.
    for (const auto& [volume, claim] : hooks::claim_volumes(item)) {
      const auto it = st.claims_reprovisioned.find(target_ns + "/" + claim);
      if (volume.empty() || it == st.claims_reprovisioned.end()) continue;
      const bool has_data = std::any_of(volumes.begin(), volumes.end(),
                                        [&](const auto& r) { return r.volume == volume; });
      if (has_data) continue;
      st.results.warning(target_ns, "pod " + target_ns + "/" + name + ": volume \"" + volume +
                                        "\" (claim " + it->first + ") starts empty: " +
                                        it->second + ", so the claim gets a new volume, and "
                                        "the backup holds no data for it");
    }
  }
  return p;
}

// Creates the object (its namespace first); a created pod's volume data and exec hooks start
// in the background. When it exists already: a PV bound to another claim is left to it, and
// existing-resource-policy decides between a skip and a merge patch.
asio::awaitable<void> RestoreRunner::create_or_reconcile(PreparedItem p) {
  State& st = *state_;
  const std::string& group_resource = p.group_resource;
  const std::string& target_ns = p.target_ns;
  const std::string& name = p.name;
  json& item = p.item;
  if (!target_ns.empty() && !co_await ensure_namespace(target_ns)) {
    ++st.status.items_failed;
    co_return;
  }
  const kube::ApiResource* resource = st.discovery.find(group_resource);
  if (resource == nullptr) {
    ++st.status.items_failed;
    st.results.error(target_ns, p.what + ": the cluster does not serve " + group_resource);
    co_return;
  }
  const kube::GroupVersionResource gvr = gvr_for(item, *resource);
  const std::string item_name = string_at(item, json::json_pointer("/metadata/name"));
  const std::string shown = describe_item(group_resource, target_ns, item_name);
  auto created = co_await env_.cluster.create(gvr, target_ns, item);
  if (created) {
    ++st.status.items_restored;
    st.log->info("restored", {{"item", shown}});
    if (group_resource == "namespaces") st.namespaces_ready.insert(item_name);
    if (group_resource == kCrdsResource) st.created_crds.push_back(item_name);
    if (p.pod && (!p.plan.exec.empty() || !p.volumes.empty())) {
      auto as_created = hooks::pod_from_json(*created, shown);
      hooks::Pod hook_pod = as_created ? std::move(*as_created) : *p.pod;
      hook_pod.namespace_name = target_ns;
      for (const auto& h : p.plan.exec) {
        st.planned[hook_pod.key() + "/" + h.container + "/" + std::to_string(h.index) + "/" +
                   h.name] = as_exec_hook(h);
      }
      st.pod_work->spawn(
          after_pod_created(std::move(hook_pod), std::move(p.plan), std::move(p.volumes)),
          [&st](std::exception_ptr) {
            st.results.restore_error("volume data or exec hooks of a pod stopped early");
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
  auto live = co_await env_.cluster.get(gvr, target_ns, item_name);
  if (live && group_resource == "persistentvolumes") {
    // Bound to another claim (the live original next to a namespace-mapped copy): the
    // restored claim gets a new volume instead (volume_in_use.h). Decided before the policy,
    // so `update` never hands the original's volume to the copy.
    if (auto holder = taken_by_another_claim(item, *live)) {
      const std::string claim = claim_ref_of(item);
      ++st.status.items_skipped;
      st.transform.reprovisioned_volumes.insert(name);
      st.claims_reprovisioned[claim] = "persistentvolume " + name + " is in use by claim " + *holder;
      st.log->info("not restored: in use by claim " + *holder + "; the restored claim " + claim +
                       " gets a new volume from its storage class",
                   {{"item", shown}});
      co_return;
    }
  }
  const bool same = live && same_as_backup(*live, item);
  if (request_.existing_policy == ExistingPolicy::Update && live && !same) {
    json patch = item;
    patch.erase("status");
    auto patched =
        co_await env_.cluster.patch(gvr, target_ns, item_name, kube::PatchType::Merge, patch);
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
      !kube::resource_matches(request_.hooks_spec.filter.resources, *resource)) {
    st.progress.items_done += count;
    co_return;
  }
  // Read-only resources (componentstatuses, served with verbs get and list only): a backup of
  // cluster resources holds them, and a POST would fail with 405 for every item.
  if (resource != nullptr && !resource->verbs.empty() &&
      std::find(resource->verbs.begin(), resource->verbs.end(), "create") ==
          resource->verbs.end()) {
    st.progress.items_done += count;
    st.log->info("never restored: " + group_resource + " (the cluster does not allow creating it)",
                 {{"items", count}});
    co_return;
  }
  auto cursor = st.spool->open(group_resource);
  if (!cursor) {
    st.results.restore_error(cursor.error().message);
    co_return;
  }
  const size_t before = st.status.items_restored;
  const size_t workers = std::max<size_t>(1, std::min(request_.workers, count));
  bool spool_failed = false;
  core::async::TaskGroup pool(co_await asio::this_coro::executor);
  co_await core::async::run_all(pool, workers, [&](size_t) -> asio::awaitable<void> {
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

}  // namespace stillpoint::restore
