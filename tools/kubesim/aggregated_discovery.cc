#include "aggregated_discovery.h"

#include <algorithm>
#include <cctype>
#include <vector>

namespace stillpoint::kubesim {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// The same subresource kinds and verbs as the legacy APIResourceList entries.
nlohmann::json subresource(const ResourceType& t,
                           const std::string& version,
                           const std::string& sub) {
  nlohmann::json kind = {{"group", t.group}, {"version", version}, {"kind", t.kind}};
  std::vector<std::string> verbs = {"get", "patch", "update"};
  if (sub == "exec") {
    kind = {{"group", ""}, {"version", "v1"}, {"kind", "PodExecOptions"}};
    verbs = {"create", "get"};
  } else if (sub == "log") {
    verbs = {"get"};
  } else if (sub == "scale") {
    kind = {{"group", "autoscaling"}, {"version", "v1"}, {"kind", "Scale"}};
  } else if (sub == "finalize") {
    verbs = {"update"};
  }
  return {{"subresource", sub}, {"responseKind", kind}, {"verbs", verbs}};
}

nlohmann::json resource(const ResourceType& t, const std::string& version) {
  nlohmann::json r = {
      {"resource", t.plural},
      {"responseKind", {{"group", t.group}, {"version", version}, {"kind", t.kind}}},
      {"scope", t.namespaced ? "Namespaced" : "Cluster"},
      {"singularResource", t.singular},
      {"verbs", t.served_verbs()}};
  if (!t.short_names.empty()) {
    r["shortNames"] = t.short_names;
  }
  if (!t.categories.empty()) {
    r["categories"] = t.categories;
  }
  if (!t.subresources.empty()) {
    nlohmann::json subs = nlohmann::json::array();
    for (const std::string& s : t.subresources) {
      subs.push_back(subresource(t, version, s));
    }
    r["subresources"] = subs;
  }
  return r;
}

nlohmann::json group_item(const Registry& registry,
                          const std::string& group,
                          const std::vector<std::string>& versions) {
  std::vector<const ResourceType*> types = registry.all();
  // Resources sorted by name, as the real server lists them.
  std::sort(types.begin(), types.end(),
            [](const ResourceType* a, const ResourceType* b) { return a->plural < b->plural; });
  nlohmann::json vs = nlohmann::json::array();
  for (const std::string& v : versions) {
    nlohmann::json resources = nlohmann::json::array();
    for (const ResourceType* t : types) {
      if (t->group == group && t->serves(v)) {
        resources.push_back(resource(*t, v));
      }
    }
    vs.push_back({{"version", v}, {"resources", resources}, {"freshness", "Current"}});
  }
  nlohmann::json metadata = {{"creationTimestamp", nullptr}};
  if (!group.empty()) {
    metadata["name"] = group;
  }
  return {{"metadata", metadata}, {"versions", vs}};
}

}  // namespace

std::string negotiate_aggregated_discovery(std::string_view accept) {
  while (!accept.empty()) {
    const size_t comma = accept.find(',');
    const std::string range = lower(trim(accept.substr(0, comma)));
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    std::string_view rest = range;
    const size_t semi = rest.find(';');
    const std::string_view type = trim(rest.substr(0, semi));
    if (type != "application/json") {
      if (type == "*/*" || type == "application/*") {
        return "";
      }
      continue;
    }
    std::string g, v, as;
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
    while (!rest.empty()) {
      const size_t next = rest.find(';');
      const std::string_view param = trim(rest.substr(0, next));
      rest = next == std::string_view::npos ? std::string_view() : rest.substr(next + 1);
      const size_t eq = param.find('=');
      if (eq == std::string_view::npos) {
        continue;
      }
      const std::string_view key = trim(param.substr(0, eq));
      const std::string value(trim(param.substr(eq + 1)));
      if (key == "g") {
        g = value;
      } else if (key == "v") {
        v = value;
      } else if (key == "as") {
        as = value;
      }
    }
    if (g.empty() && v.empty() && as.empty()) {
      return "";  // plain application/json: the legacy document
    }
    if (g == "apidiscovery.k8s.io" && as == "apigroupdiscoverylist" &&
        (v == "v2" || v == "v2beta1")) {
      return v;
    }
  }
  return "";
}

std::string aggregated_content_type(const std::string& version) {
  return "application/json;g=apidiscovery.k8s.io;v=" + version + ";as=APIGroupDiscoveryList";
}

nlohmann::json aggregated_discovery(const Registry& registry,
                                    bool core,
                                    const std::string& version) {
  nlohmann::json items = nlohmann::json::array();
  if (core) {
    items.push_back(group_item(registry, "", {"v1"}));
  } else {
    // The legacy group list already has the server's group order and version preference.
    const nlohmann::json groups = registry.api_group_list();  // outlives the loop below
    for (const auto& g : groups["groups"]) {
      std::vector<std::string> versions;
      for (const auto& v : g["versions"]) {
        versions.push_back(v["version"].get<std::string>());
      }
      items.push_back(group_item(registry, g["name"].get<std::string>(), versions));
    }
  }
  return {{"kind", "APIGroupDiscoveryList"},
          {"apiVersion", "apidiscovery.k8s.io/" + version},
          {"metadata", nlohmann::json::object()},
          {"items", items}};
}

}  // namespace stillpoint::kubesim
