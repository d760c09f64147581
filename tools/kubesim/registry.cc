#include "registry.h"

#include <algorithm>

namespace stillpoint::kubesim {
namespace {

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

struct Builtin {
  const char* group;
  const char* version;
  const char* plural;
  const char* singular;
  const char* kind;
  bool namespaced;
  std::vector<std::string> short_names;
  std::vector<std::string> subresources;
  std::vector<std::string> categories;
  std::vector<std::string> verbs = {};
};

const std::vector<Builtin>& builtins() {
  static const std::vector<Builtin> table = {
      {"", "v1", "namespaces", "namespace", "Namespace", false, {"ns"}, {"status", "finalize"}, {}},
      {"", "v1", "pods", "pod", "Pod", true, {"po"}, {"status", "exec", "log"}, {"all"}},
      {"", "v1", "persistentvolumeclaims", "persistentvolumeclaim", "PersistentVolumeClaim", true,
       {"pvc"}, {"status"}, {}},
      {"", "v1", "persistentvolumes", "persistentvolume", "PersistentVolume", false, {"pv"},
       {"status"}, {}},
      {"", "v1", "configmaps", "configmap", "ConfigMap", true, {"cm"}, {}, {}},
      {"", "v1", "secrets", "secret", "Secret", true, {}, {}, {}},
      {"", "v1", "services", "service", "Service", true, {"svc"}, {"status"}, {"all"}},
      {"", "v1", "serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}, {}, {}},
      {"", "v1", "endpoints", "endpoints", "Endpoints", true, {"ep"}, {}, {}},
      {"", "v1", "events", "event", "Event", true, {"ev"}, {}, {}},
      {"apps", "v1", "deployments", "deployment", "Deployment", true, {"deploy"},
       {"status", "scale"}, {"all"}},
      {"apps", "v1", "statefulsets", "statefulset", "StatefulSet", true, {"sts"},
       {"status", "scale"}, {"all"}},
      {"apps", "v1", "replicasets", "replicaset", "ReplicaSet", true, {"rs"}, {"status", "scale"},
       {"all"}},
      {"apps", "v1", "controllerrevisions", "controllerrevision", "ControllerRevision", true, {},
       {}, {}},
      {"apps", "v1", "daemonsets", "daemonset", "DaemonSet", true, {"ds"}, {"status"}, {"all"}},
      {"batch", "v1", "jobs", "job", "Job", true, {}, {"status"}, {"all"}},
      {"batch", "v1", "cronjobs", "cronjob", "CronJob", true, {"cj"}, {"status"}, {"all"}},
      {"rbac.authorization.k8s.io", "v1", "roles", "role", "Role", true, {}, {}, {}},
      {"rbac.authorization.k8s.io", "v1", "rolebindings", "rolebinding", "RoleBinding", true, {},
       {}, {}},
      {"rbac.authorization.k8s.io", "v1", "clusterroles", "clusterrole", "ClusterRole", false, {},
       {}, {}},
      {"rbac.authorization.k8s.io", "v1", "clusterrolebindings", "clusterrolebinding",
       "ClusterRoleBinding", false, {}, {}, {}},
      // Leader election's lock (client-go resourcelock.LeaseLock); no short names, as 1.20.
      {"coordination.k8s.io", "v1", "leases", "lease", "Lease", true, {}, {}, {}},
      {"storage.k8s.io", "v1", "storageclasses", "storageclass", "StorageClass", false, {"sc"}, {},
       {}},
      {"apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
       "CustomResourceDefinition", false, {"crd", "crds"}, {"status"}, {"api-extensions"}},
      // Answered from the request alone, never stored (access_review.h).
      {"authorization.k8s.io", "v1", "selfsubjectaccessreviews", "selfsubjectaccessreview",
       "SelfSubjectAccessReview", false, {}, {}, {}, {"create"}},
  };
  return table;
}

nlohmann::json api_resource(const ResourceType& t) {
  nlohmann::json r = {{"name", t.plural},
                      {"singularName", t.singular},
                      {"namespaced", t.namespaced},
                      {"kind", t.kind},
                      {"verbs", t.served_verbs()}};
  if (!t.short_names.empty()) {
    r["shortNames"] = t.short_names;
  }
  if (!t.categories.empty()) {
    r["categories"] = t.categories;
  }
  return r;
}

nlohmann::json subresource_entry(const ResourceType& t, const std::string& sub) {
  nlohmann::json r = {{"name", t.plural + "/" + sub}, {"singularName", ""},
                      {"namespaced", t.namespaced}};
  if (sub == "exec") {
    r["kind"] = "PodExecOptions";
    r["verbs"] = {"create", "get"};
  } else if (sub == "log") {
    r["kind"] = "Pod";
    r["verbs"] = {"get"};
  } else if (sub == "scale") {
    r["group"] = "autoscaling";
    r["version"] = "v1";
    r["kind"] = "Scale";
    r["verbs"] = {"get", "patch", "update"};
  } else if (sub == "finalize") {
    r["kind"] = t.kind;
    r["verbs"] = {"update"};
  } else {
    r["kind"] = t.kind;
    r["verbs"] = {"get", "patch", "update"};
  }
  return r;
}

}  // namespace

const std::vector<std::string>& ResourceType::served_verbs() const {
  return verbs.empty() ? kAllVerbs : verbs;
}

bool ResourceType::serves(const std::string& version) const {
  return std::find(versions.begin(), versions.end(), version) != versions.end();
}

Registry::Registry() {
  for (const Builtin& b : builtins()) {
    auto t = std::make_shared<ResourceType>();
    t->group = b.group;
    t->versions = {b.version};
    t->plural = b.plural;
    t->singular = b.singular;
    t->kind = b.kind;
    t->namespaced = b.namespaced;
    t->short_names = b.short_names;
    t->subresources = b.subresources;
    t->categories = b.categories;
    t->verbs = b.verbs;
    if (std::find(group_order_.begin(), group_order_.end(), t->group) == group_order_.end()) {
      group_order_.push_back(t->group);
    }
    std::string key = t->key();
    types_[key] = std::move(t);
  }
}

const ResourceType* Registry::find(const std::string& group, const std::string& version,
                                   const std::string& plural) const {
  auto it = types_.find(group.empty() ? plural : plural + "." + group);
  if (it == types_.end() || !it->second->serves(version)) {
    return nullptr;
  }
  return it->second.get();
}

const ResourceType* Registry::find_key(const std::string& key) const {
  auto it = types_.find(key);
  return it == types_.end() ? nullptr : it->second.get();
}

bool Registry::group_version_exists(const std::string& group, const std::string& version) const {
  for (const auto& [key, t] : types_) {
    if (t->group == group && t->serves(version)) {
      return true;
    }
  }
  return false;
}

bool Registry::add_custom(ResourceType type) {
  type.custom = true;
  auto it = types_.find(type.key());
  if (it != types_.end() && !it->second->custom) {
    return false;
  }
  if (std::find(group_order_.begin(), group_order_.end(), type.group) == group_order_.end()) {
    group_order_.push_back(type.group);
  }
  std::string key = type.key();  // before the move below: `=` evaluates its right side first
  types_[key] = std::make_shared<ResourceType>(std::move(type));
  return true;
}

void Registry::remove_custom(const std::string& key) {
  auto it = types_.find(key);
  if (it == types_.end() || !it->second->custom) {
    return;
  }
  std::string group = it->second->group;
  types_.erase(it);
  bool used = std::any_of(types_.begin(), types_.end(),
                          [&](const auto& kv) { return kv.second->group == group; });
  if (!used) {
    group_order_.erase(std::remove(group_order_.begin(), group_order_.end(), group),
                       group_order_.end());
  }
}

std::vector<const ResourceType*> Registry::all() const {
  std::vector<const ResourceType*> out;
  for (const auto& [key, t] : types_) {
    out.push_back(t.get());
  }
  return out;
}

nlohmann::json Registry::api_versions() const {
  // No apiVersion here: the real server strips it from everything under /api.
  return {{"kind", "APIVersions"},
          {"versions", {"v1"}},
          {"serverAddressByClientCIDRs",
           {{{"clientCIDR", "0.0.0.0/0"}, {"serverAddress", "127.0.0.1"}}}}};
}

nlohmann::json Registry::api_group(const std::string& group) const {
  std::vector<std::string> versions;
  for (const auto& [key, t] : types_) {
    if (t->group != group) {
      continue;
    }
    for (const std::string& v : t->versions) {
      if (std::find(versions.begin(), versions.end(), v) == versions.end()) {
        versions.push_back(v);
      }
    }
  }
  if (group.empty() || versions.empty()) {
    return nullptr;
  }
  nlohmann::json vs = nlohmann::json::array();
  for (const std::string& v : versions) {
    vs.push_back({{"groupVersion", group + "/" + v}, {"version", v}});
  }
  return {{"kind", "APIGroup"},
          {"apiVersion", "v1"},
          {"name", group},
          {"versions", vs},
          {"preferredVersion", vs[0]}};
}

nlohmann::json Registry::api_group_list() const {
  nlohmann::json groups = nlohmann::json::array();
  for (const std::string& g : group_order_) {
    nlohmann::json one = api_group(g);
    if (one.is_null()) {
      continue;
    }
    one.erase("kind");
    one.erase("apiVersion");
    groups.push_back(std::move(one));
  }
  return {{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}};
}

nlohmann::json Registry::resource_list(const std::string& group,
                                       const std::string& version) const {
  if (!group_version_exists(group, version)) {
    return nullptr;
  }
  nlohmann::json resources = nlohmann::json::array();
  for (const auto& [key, t] : types_) {
    if (t->group != group || !t->serves(version)) {
      continue;
    }
    resources.push_back(api_resource(*t));
    for (const std::string& sub : t->subresources) {
      resources.push_back(subresource_entry(*t, sub));
    }
  }
  nlohmann::json list = {{"kind", "APIResourceList"},
                         {"groupVersion", group.empty() ? version : group + "/" + version},
                         {"resources", resources}};
  if (!group.empty()) {
    list["apiVersion"] = "v1";
  }
  return list;
}

nlohmann::json Registry::openapi_v3_group_version(const std::string& group,
                                                  const std::string& version) const {
  if (!group_version_exists(group, version)) {
    return nullptr;
  }
  std::string prefix = group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
  nlohmann::json paths = nlohmann::json::object();
  for (const auto& [key, t] : types_) {
    if (t->group != group || !t->serves(version)) {
      continue;
    }
    std::string path = prefix + (t->namespaced ? "/namespaces/{namespace}/" : "/") + t->plural +
                       "/{name}";
    nlohmann::json gvk = {{"group", group}, {"version", version}, {"kind", t->kind}};
    nlohmann::json params = {{{"name", "fieldValidation"}, {"in", "query"},
                              {"schema", {{"type", "string"}}}},
                             {{"name", "fieldManager"}, {"in", "query"},
                              {"schema", {{"type", "string"}}}}};
    nlohmann::json op = {{"x-kubernetes-group-version-kind", gvk},
                         {"parameters", params},
                         {"responses", {{"200", {{"description", "OK"}}}}}};
    const auto& verbs = t->served_verbs();
    if (std::find(verbs.begin(), verbs.end(), "patch") != verbs.end()) {
      paths[path] = {{"patch", op}, {"put", op}};
    }
    std::string collection = prefix + (t->namespaced ? "/namespaces/{namespace}/" : "/") + t->plural;
    paths[collection] = {{"post", op}};
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", "v1.32.0-kubesim"}}},
          {"paths", paths},
          {"components", {{"schemas", nlohmann::json::object()}}}};
}

nlohmann::json Registry::openapi_v3_index() const {
  nlohmann::json paths = nlohmann::json::object();
  std::vector<std::pair<std::string, std::string>> gvs;
  for (const auto& [key, t] : types_) {
    for (const std::string& v : t->versions) {
      if (std::find(gvs.begin(), gvs.end(), std::make_pair(t->group, v)) == gvs.end()) {
        gvs.emplace_back(t->group, v);
      }
    }
  }
  for (const auto& [g, v] : gvs) {
    std::string rel = g.empty() ? "api/" + v : "apis/" + g + "/" + v;
    // The hash lets kubectl cache a document; it changes whenever the document does.
    size_t hash = std::hash<std::string>{}(openapi_v3_group_version(g, v).dump());
    char hex[20];
    std::snprintf(hex, sizeof(hex), "%016zX", hash);
    paths[rel] = {{"serverRelativeURL", "/openapi/v3/" + rel + "?hash=" + hex}};
  }
  return {{"paths", paths}};
}

}  // namespace stillpoint::kubesim
