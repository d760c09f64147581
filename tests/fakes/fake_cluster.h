// An in-memory kube::ClusterApi, for running BackupRunner and RestoreRunner in-process:
// discovery from a table of resources (`serve`), objects by group/resource/namespace/name,
// create that answers Conflict when the object exists and NotFound for an unserved resource or
// a missing namespace, get that answers NotFound, merge/JSON patch (a merge patch carrying a
// stale metadata.resourceVersion answers Conflict), lists delivered in pages,
// and a watch that delivers what changes through this fake (create, patch, `update`) after the
// watched resourceVersion and otherwise waits until cancelled. Created CRDs become Established
// at once and their resources are served from then on, as an API server does.
//
// Recording, not mocking: `calls` lists every call ("create configmaps a/settings"), in order.
// `fail` makes chosen calls answer an error (a rejected object, an unreachable server).
//
// Not here: label and field selectors other than metadata.name, admission, defaulting,
// controllers (a created pod stays as created until the test `update`s it). One executor.
#pragma once

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <nlohmann/json.hpp>

#include "kube/cluster_api.h"

namespace stillpoint::testing {

class FakeCluster : public kube::ClusterApi {
 public:
  enum class Call { Discover, Get, List, Create, Patch, Delete, Watch };

  // A resource type, as discovery would report it.
  static kube::ApiResource resource(std::string group,
                                    std::string version,
                                    std::string plural,
                                    std::string kind,
                                    bool namespaced) {
    kube::ApiResource r;
    r.gvr = {std::move(group), std::move(version), std::move(plural)};
    r.kind = std::move(kind);
    r.singular = r.kind;
    for (auto& c : r.singular)
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.namespaced = namespaced;
    r.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
    return r;
  }

  // Namespaces, pods, claims, volumes, config maps, secrets, service accounts, CRDs.
  FakeCluster() {
    serve(resource("", "v1", "namespaces", "Namespace", false));
    serve(resource("", "v1", "pods", "Pod", true));
    serve(resource("", "v1", "persistentvolumeclaims", "PersistentVolumeClaim", true));
    serve(resource("", "v1", "persistentvolumes", "PersistentVolume", false));
    serve(resource("", "v1", "configmaps", "ConfigMap", true));
    serve(resource("", "v1", "secrets", "Secret", true));
    serve(resource("", "v1", "serviceaccounts", "ServiceAccount", true));
    serve(resource("apiextensions.k8s.io", "v1", "customresourcedefinitions",
                   "CustomResourceDefinition", false));
  }

  void serve(kube::ApiResource r) {
    for (auto& existing : resources_) {
      if (existing.gvr.group == r.gvr.group && existing.gvr.resource == r.gvr.resource) {
        existing = std::move(r);
        return;
      }
    }
    resources_.push_back(std::move(r));
  }

  // `call` answers `error` when it is for `resource` (plural; empty: any) and `name` (empty:
  // any), `times` times (-1: always).
  void fail(Call call, std::string resource, std::string name, core::Error error, int times = -1) {
    faults_.push_back(Fault{call, std::move(resource), std::move(name), std::move(error), times});
  }

  // Puts `object` in the cluster as it is (no Conflict; replaces), as a controller or the
  // kubelet would change it; watchers see ADDED or MODIFIED. Its namespace and name are read
  // from its metadata; the resource from `plural` (and the group from apiVersion).
  void update(const std::string& plural, nlohmann::json object) {
    const std::string group = group_of(object);
    const std::string ns = object["metadata"].value("namespace", "");
    const std::string name = object["metadata"].value("name", "");
    store(group, plural, ns, name, std::move(object));
  }

  std::optional<nlohmann::json> object(const std::string& group,
                                       const std::string& plural,
                                       const std::string& ns,
                                       const std::string& name) const {
    auto it = objects_.find(key(group, plural, ns, name));
    if (it == objects_.end())
      return std::nullopt;
    return it->second;
  }

  // The names of the objects of `plural` (in `group`) in namespace `ns`, sorted.
  std::vector<std::string> names(const std::string& group,
                                 const std::string& plural,
                                 const std::string& ns) const {
    std::vector<std::string> out;
    const std::string prefix = group + "/" + plural + "/" + ns + "/";
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out.push_back(it->first.substr(prefix.size()));
    }
    return out;
  }

  // Deletes the object as a user would; watchers see DELETED. False when there was none.
  bool erase(const std::string& group,
             const std::string& plural,
             const std::string& ns,
             const std::string& name) {
    auto it = objects_.find(key(group, plural, ns, name));
    if (it == objects_.end())
      return false;
    nlohmann::json last = it->second;
    objects_.erase(it);
    last["metadata"]["resourceVersion"] = std::to_string(++revision_);
    history_.push_back(Change{revision_, "DELETED", group, plural, ns, name, last});
    for (auto* w : watchers_)
      w->cancel();
    return true;
  }

  // Watches waiting for an event (for a test that must know a restore is waiting).
  size_t watchers() const { return watchers_.size(); }

  std::vector<std::string> calls;  // "create configmaps ns/name", "list pods", ...
  size_t page_size = 2;            // items per list page, whatever the caller asks

  // --- kube::ClusterApi ---

  boost::asio::awaitable<core::Result<kube::DiscoveryResult>> discover() override {
    calls.push_back("discover");
    if (auto e = fault(Call::Discover, "", ""))
      co_return core::unexpected(*e);
    kube::DiscoveryResult d;
    d.resources = resources_;
    d.aggregated = true;
    co_return d;
  }

  boost::asio::awaitable<core::Result<nlohmann::json>> get(const kube::GroupVersionResource& gvr,
                                                           std::string_view namespace_name,
                                                           std::string_view name) override {
    const std::string ns(namespace_name), n(name);
    calls.push_back("get " + gvr.resource + " " + where(ns, n));
    if (auto e = fault(Call::Get, gvr.resource, n))
      co_return core::unexpected(*e);
    auto it = objects_.find(key(gvr.group, gvr.resource, ns, n));
    if (it == objects_.end())
      co_return not_found(gvr, ns, n);
    co_return it->second;
  }

  boost::asio::awaitable<core::Result<kube::ListSummary>> list(
      const kube::GroupVersionResource& gvr,
      kube::ListOptions options,
      kube::ItemCallback on_item) override {
    calls.push_back("list " + gvr.resource);
    if (auto e = fault(Call::List, gvr.resource, ""))
      co_return core::unexpected(*e);
    const kube::ApiResource* r = served(gvr);
    if (r == nullptr)
      co_return not_found(gvr, options.namespace_name, "");
    std::vector<nlohmann::json> items;
    const std::string prefix = gvr.group + "/" + gvr.resource + "/";
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      const auto& meta = it->second["metadata"];
      if (!options.namespace_name.empty() &&
          meta.value("namespace", "") != options.namespace_name) {
        continue;
      }
      items.push_back(it->second);
    }
    kube::ListSummary summary;
    summary.resource_version = std::to_string(revision_);
    for (size_t i = 0; i < items.size(); ++i) {
      if (i % std::max<size_t>(page_size, 1) == 0)
        ++summary.pages;
      nlohmann::json item = items[i];
      item["kind"] = r->kind;
      item["apiVersion"] = gvr.api_version();
      if (auto s = on_item(std::move(item)); !s)
        co_return core::unexpected(s.error());
      ++summary.items;
    }
    co_return summary;
  }

  boost::asio::awaitable<core::Result<nlohmann::json>> create(
      const kube::GroupVersionResource& gvr,
      std::string_view namespace_name,
      const nlohmann::json& object) override {
    const std::string ns(namespace_name);
    const std::string n = object.contains("metadata") ? object["metadata"].value("name", "") : "";
    calls.push_back("create " + gvr.resource + " " + where(ns, n));
    if (auto e = fault(Call::Create, gvr.resource, n))
      co_return core::unexpected(*e);
    const kube::ApiResource* r = served(gvr);
    if (r == nullptr)
      co_return not_found(gvr, ns, n);
    if (r->namespaced && !objects_.count(key("", "namespaces", "", ns))) {
      co_return core::unexpected(core::ErrorCode::NotFound, "namespaces \"" + ns + "\" not found");
    }
    if (objects_.count(key(gvr.group, gvr.resource, ns, n))) {
      co_return core::unexpected(core::ErrorCode::Conflict,
                                 gvr.resource + " \"" + n + "\" already exists");
    }
    nlohmann::json stored = object;
    if (r->namespaced)
      stored["metadata"]["namespace"] = ns;
    stored["metadata"]["uid"] = "uid-" + std::to_string(revision_ + 1);
    if (gvr.resource == "customresourcedefinitions")
      establish(stored);
    co_return store(gvr.group, gvr.resource, ns, n, std::move(stored));
  }

  boost::asio::awaitable<core::Result<nlohmann::json>> patch(const kube::GroupVersionResource& gvr,
                                                             std::string_view namespace_name,
                                                             std::string_view name,
                                                             kube::PatchType type,
                                                             const nlohmann::json& patch) override {
    const std::string ns(namespace_name), n(name);
    calls.push_back("patch " + gvr.resource + " " + where(ns, n));
    if (auto e = fault(Call::Patch, gvr.resource, n))
      co_return core::unexpected(*e);
    auto it = objects_.find(key(gvr.group, gvr.resource, ns, n));
    if (it == objects_.end())
      co_return not_found(gvr, ns, n);
    // A merge patch carrying metadata.resourceVersion is a precondition, as on a real server
    // (leader election's optimistic concurrency); without one it applies to the latest.
    if (type != kube::PatchType::Json && patch.is_object() && patch.contains("metadata") &&
        patch["metadata"].is_object() && patch["metadata"].contains("resourceVersion") &&
        patch["metadata"]["resourceVersion"].is_string() &&
        patch["metadata"]["resourceVersion"] != "" &&
        patch["metadata"]["resourceVersion"] != it->second["metadata"]["resourceVersion"]) {
      co_return core::unexpected(
          core::ErrorCode::Conflict,
          "Operation cannot be fulfilled on " + gvr.resource + " \"" + n +
              "\": the object has been modified; please apply your changes to the latest "
              "version and try again");
    }
    nlohmann::json patched = it->second;
    if (type == kube::PatchType::Json) {
      patched = patched.patch(patch);
    } else {
      patched.merge_patch(patch);
    }
    if (gvr.subresource == "status") {
      // As the API server's status subresource: only status changes.
      nlohmann::json kept = it->second;
      kept["status"] = patched.value("status", nlohmann::json::object());
      patched = std::move(kept);
    }
    co_return store(gvr.group, gvr.resource, ns, n, std::move(patched));
  }

  boost::asio::awaitable<core::Status> remove(const kube::GroupVersionResource& gvr,
                                              std::string_view namespace_name,
                                              std::string_view name,
                                              std::string_view propagation) override {
    const std::string ns(namespace_name), n(name);
    calls.push_back("delete " + gvr.resource + " " + where(ns, n));
    if (auto e = fault(Call::Delete, gvr.resource, n))
      co_return core::unexpected(*e);
    if (!erase(gvr.group, gvr.resource, ns, n))
      co_return not_found(gvr, ns, n);
    co_return core::ok();
  }

  // Delivers the changes after options.resource_version to objects of `gvr` in its namespace
  // (and named by a metadata.name= field selector), then waits for more; ends when the
  // callback returns false, or with Cancelled when the awaiting operation is cancelled.
  boost::asio::awaitable<core::Status> watch(const kube::GroupVersionResource& gvr,
                                             kube::WatchOptions options,
                                             kube::WatchCallback on_event) override {
    calls.push_back("watch " + gvr.resource + " " + options.namespace_name);
    if (auto e = fault(Call::Watch, gvr.resource, ""))
      co_return core::unexpected(*e);
    const std::string kName = "metadata.name=";
    const std::string name = options.field_selector.rfind(kName, 0) == 0
                                 ? options.field_selector.substr(kName.size())
                                 : std::string();
    uint64_t seen = options.resource_version.empty() ? 0 : std::stoull(options.resource_version);
    boost::asio::steady_timer wake(co_await boost::asio::this_coro::executor,
                                   boost::asio::steady_timer::time_point::max());
    auto me = watchers_.insert(watchers_.end(), &wake);
    for (;;) {
      for (const Change& c : history_) {
        if (c.revision <= seen)
          continue;
        seen = c.revision;
        if (c.group != gvr.group || c.resource != gvr.resource)
          continue;
        if (!options.namespace_name.empty() && c.ns != options.namespace_name)
          continue;
        if (!name.empty() && c.name != name)
          continue;
        if (!on_event(kube::WatchEvent{c.type, c.object})) {
          watchers_.erase(me);
          co_return core::ok();
        }
      }
      co_await wake.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
      wake.expires_at(boost::asio::steady_timer::time_point::max());
      if ((co_await boost::asio::this_coro::cancellation_state).cancelled() !=
          boost::asio::cancellation_type::none) {
        watchers_.erase(me);
        co_return core::unexpected(core::ErrorCode::Cancelled, "watch cancelled");
      }
    }
  }

 private:
  struct Fault {
    Call call;
    std::string resource;
    std::string name;
    core::Error error;
    int times;
  };
  struct Change {
    uint64_t revision;
    std::string type;
    std::string group, resource, ns, name;
    nlohmann::json object;
  };

  static std::string key(const std::string& group,
                         const std::string& plural,
                         const std::string& ns,
                         const std::string& name) {
    return group + "/" + plural + "/" + ns + "/" + name;
  }
  static std::string where(const std::string& ns, const std::string& name) {
    return ns.empty() ? name : ns + "/" + name;
  }
  static std::string group_of(const nlohmann::json& object) {
    const std::string av = object.value("apiVersion", "");
    const auto slash = av.find('/');
    return slash == std::string::npos ? "" : av.substr(0, slash);
  }
  static core::Unexpected not_found(const kube::GroupVersionResource& gvr,
                                    const std::string& ns,
                                    const std::string& name) {
    return core::unexpected(core::ErrorCode::NotFound,
                            gvr.resource + " \"" + where(ns, name) + "\" not found");
  }

  std::optional<core::Error> fault(Call call,
                                   const std::string& resource,
                                   const std::string& name) {
    for (Fault& f : faults_) {
      if (f.call != call || f.times == 0)
        continue;
      if (!f.resource.empty() && f.resource != resource)
        continue;
      if (!f.name.empty() && f.name != name)
        continue;
      if (f.times > 0)
        --f.times;
      return f.error;
    }
    return std::nullopt;
  }

  const kube::ApiResource* served(const kube::GroupVersionResource& gvr) const {
    for (const auto& r : resources_) {
      if (r.gvr.group == gvr.group && r.gvr.resource == gvr.resource)
        return &r;
    }
    return nullptr;
  }

  // A created CRD: Established, and its resource served at its first served version.
  void establish(nlohmann::json& crd) {
    crd["status"]["conditions"] = {{{"type", "Established"}, {"status", "True"}}};
    const auto& spec = crd["spec"];
    std::string version = "v1";
    for (const auto& v : spec.value("versions", nlohmann::json::array())) {
      if (v.value("served", true)) {
        version = v.value("name", version);
        break;
      }
    }
    serve(resource(spec.value("group", ""), version, spec["names"].value("plural", ""),
                   spec["names"].value("kind", ""), spec.value("scope", "") == "Namespaced"));
  }

  nlohmann::json store(const std::string& group,
                       const std::string& plural,
                       const std::string& ns,
                       const std::string& name,
                       nlohmann::json object) {
    const std::string k = key(group, plural, ns, name);
    const bool existed = objects_.count(k) > 0;
    object["metadata"]["resourceVersion"] = std::to_string(++revision_);
    objects_[k] = object;
    history_.push_back(
        Change{revision_, existed ? "MODIFIED" : "ADDED", group, plural, ns, name, object});
    for (auto* w : watchers_)
      w->cancel();
    return object;
  }

  std::vector<kube::ApiResource> resources_;
  std::map<std::string, nlohmann::json> objects_;
  std::vector<Change> history_;
  uint64_t revision_ = 0;
  std::vector<Fault> faults_;
  std::list<boost::asio::steady_timer*> watchers_;
};

}  // namespace stillpoint::testing
