// Garbage collection by ownerReferences (pkg/controller/garbagecollector/garbagecollector.go
// attemptToDeleteItem), background propagation: once an owner is gone, each dependent that
// still names it is deleted — or, when another of its owners still exists, patched to drop
// the dangling reference. Deleting a dependent that owns others continues the cascade
// (Deployment → ReplicaSet → pods). Orphan propagation is handled by the API at delete time
// (api_write.cc); foreground deletion is treated as background.
#include "controllers.h"

namespace stillpoint::kubesim {

bool collect_garbage(Controllers& c,
                     const std::string& uid,
                     const std::set<std::string>& dependents) {
  for (const std::string& d : dependents) {
    size_t a = d.find('|');
    size_t b = d.find('|', a + 1);
    std::string resource = d.substr(0, a);
    std::string ns = d.substr(a + 1, b - a - 1);
    std::string name = d.substr(b + 1);
    const Stored* s = c.store().get(resource, ns, name);
    if (s == nullptr || is_deleting(*s->object))
      continue;
    const nlohmann::json& refs =
        (*s->object)["metadata"].value("ownerReferences", nlohmann::json::array());
    nlohmann::json remaining = nlohmann::json::array();
    bool named = false;
    bool other_owner_alive = false;
    for (const auto& r : refs) {
      if (r.value("uid", "") == uid) {
        named = true;
        continue;
      }
      remaining.push_back(r);
      // The owner exists if an object of its kind with that name and uid does.
      for (const ResourceType* t : c.api().registry().all()) {
        if (t->kind != r.value("kind", ""))
          continue;
        const Stored* o = c.store().get(t->key(), t->namespaced ? ns : "", r.value("name", ""));
        if (o != nullptr && (*o->object)["metadata"].value("uid", "") == r.value("uid", "")) {
          other_owner_alive = true;
        }
      }
    }
    if (!named)
      continue;
    const std::string path = [&] {
      const ResourceType* t = c.api().registry().find_key(resource);
      if (t == nullptr)
        return std::string();
      std::string base =
          t->group.empty() ? "/api/" + t->versions[0] : "/apis/" + t->group + "/" + t->versions[0];
      return base + (t->namespaced ? "/namespaces/" + ns : "") + "/" + t->plural + "/" + name;
    }();
    if (path.empty())
      continue;
    if (other_owner_alive) {
      c.call("PATCH", path, {{"metadata", {{"ownerReferences", remaining}}}},
             "application/merge-patch+json");
    } else {
      Response r = c.call("DELETE", path, {{"propagationPolicy", "Background"}});
      if (r.status != 200 && r.status != 404)
        return false;
    }
  }
  return true;
}

}  // namespace stillpoint::kubesim
