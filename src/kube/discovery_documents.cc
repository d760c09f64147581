#include "kube/discovery_documents.h"

#include <algorithm>
#include <cctype>

namespace stillpoint::kube {

using core::ErrorCode;
using core::unexpected;
using nlohmann::json;

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

std::string string_at(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::vector<std::string> strings_at(const json& object, const char* key) {
  std::vector<std::string> out;
  auto it = object.find(key);
  if (it != object.end() && it->is_array()) {
    for (const auto& v : *it) {
      if (v.is_string()) {
        out.push_back(v.get<std::string>());
      }
    }
  }
  return out;
}

std::string group_version(std::string_view group, std::string_view version) {
  return group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
}

}  // namespace

bool is_aggregated_discovery(std::string_view content_type) {
  const std::string text = lower(content_type);
  std::string_view rest = text;
  size_t semi = rest.find(';');
  if (trim(rest.substr(0, semi)) != "application/json" || semi == std::string_view::npos) {
    return false;
  }
  rest.remove_prefix(semi + 1);
  std::string g;
  std::string v;
  std::string as;
  while (!rest.empty()) {
    semi = rest.find(';');
    std::string_view param = trim(rest.substr(0, semi));
    rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
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
  return g == "apidiscovery.k8s.io" && (v == "v2" || v == "v2beta1") &&
         as == "apigroupdiscoverylist";
}

core::Status parse_aggregated(const json& doc, DiscoveryResult* out) {
  auto items = doc.find("items");
  if (!doc.is_object() || items == doc.end() || !(items->is_array() || items->is_null())) {
    return unexpected(ErrorCode::Protocol, "aggregated discovery document has no items list");
  }
  if (items->is_null()) {
    return core::ok();
  }
  for (const auto& item : *items) {
    if (!item.is_object()) {
      continue;
    }
    std::string group;
    if (auto meta = item.find("metadata"); meta != item.end() && meta->is_object()) {
      group = string_at(*meta, "name");  // empty for the core group
    }
    auto versions = item.find("versions");
    if (versions == item.end() || !versions->is_array() || versions->empty()) {
      continue;
    }
    // Versions come in descending preference: the first is the preferred one.
    const json& preferred = versions->front();
    const std::string version = string_at(preferred, "version");
    if (string_at(preferred, "freshness") == "Stale") {
      out->warnings.push_back("discovery of " + group_version(group, version) +
                              " is stale (its aggregated API server is not answering); skipped");
      continue;
    }
    auto resources = preferred.find("resources");
    if (resources == preferred.end() || !resources->is_array()) {
      continue;
    }
    for (const auto& r : *resources) {
      ApiResource res;
      res.gvr = {group, version, string_at(r, "resource")};
      if (res.gvr.resource.empty()) {
        continue;
      }
      if (auto kind = r.find("responseKind"); kind != r.end() && kind->is_object()) {
        res.kind = string_at(*kind, "kind");
      }
      res.singular = string_at(r, "singularResource");
      res.namespaced = string_at(r, "scope") == "Namespaced";
      res.verbs = strings_at(r, "verbs");
      res.short_names = strings_at(r, "shortNames");
      out->resources.push_back(std::move(res));
    }
  }
  return core::ok();
}

core::Result<std::vector<std::string>> parse_api_versions(const json& doc) {
  if (!doc.is_object() || !doc.contains("versions")) {
    return unexpected(ErrorCode::Protocol, "/api is not an APIVersions document");
  }
  auto versions = strings_at(doc, "versions");
  if (versions.empty()) {
    return unexpected(ErrorCode::Protocol, "/api lists no versions");
  }
  return versions;
}

core::Result<std::vector<PreferredGroupVersion>> parse_api_group_list(const json& doc) {
  auto groups = doc.is_object() ? doc.find("groups") : doc.end();
  if (!doc.is_object() || groups == doc.end() || !groups->is_array()) {
    return unexpected(ErrorCode::Protocol, "/apis is not an APIGroupList document");
  }
  std::vector<PreferredGroupVersion> out;
  for (const auto& g : *groups) {
    if (!g.is_object()) {
      continue;
    }
    PreferredGroupVersion pgv{string_at(g, "name"), ""};
    if (auto p = g.find("preferredVersion"); p != g.end() && p->is_object()) {
      pgv.version = string_at(*p, "version");
    }
    if (auto vs = g.find("versions");
        pgv.version.empty() && vs != g.end() && vs->is_array() && !vs->empty()) {
      pgv.version = string_at(vs->front(), "version");
    }
    if (!pgv.group.empty() && !pgv.version.empty()) {
      out.push_back(std::move(pgv));
    }
  }
  return out;
}

core::Status parse_resource_list(const json& doc,
                                 std::string_view group,
                                 std::string_view version,
                                 DiscoveryResult* out) {
  auto resources = doc.is_object() ? doc.find("resources") : doc.end();
  if (!doc.is_object() || resources == doc.end() || !resources->is_array()) {
    return unexpected(ErrorCode::Protocol,
                      group_version(group, version) + " is not an APIResourceList document");
  }
  for (const auto& r : *resources) {
    ApiResource res;
    res.gvr = {std::string(group), std::string(version), string_at(r, "name")};
    if (res.gvr.resource.empty() || res.gvr.resource.find('/') != std::string::npos) {
      continue;  // subresources are reached through their parent, never listed
    }
    res.kind = string_at(r, "kind");
    res.singular = string_at(r, "singularName");
    auto ns = r.find("namespaced");
    res.namespaced = ns != r.end() && ns->is_boolean() && ns->get<bool>();
    res.verbs = strings_at(r, "verbs");
    res.short_names = strings_at(r, "shortNames");
    out->resources.push_back(std::move(res));
  }
  return core::ok();
}

}  // namespace stillpoint::kube
