#include "backup/resource_selection.h"

#include <algorithm>
#include <cctype>
#include <string>

namespace stillpoint::backup {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> names_of(const kube::ApiResource& r) {
  std::vector<std::string> names{r.group_resource(), r.gvr.resource, r.kind, lower(r.kind)};
  if (!r.singular.empty()) names.push_back(r.singular);
  for (const auto& s : r.short_names) names.push_back(s);
  return names;
}

}  // namespace

bool resource_matches(const core::IncludesExcludes& filter, const kube::ApiResource& resource) {
  const auto names = names_of(resource);
  // Excludes win over includes (Velero's IncludesExcludes): an exclude matching any name of
  // the resource excludes it. The patterns compiled when the spec was read, so this cannot fail.
  auto exclude_only = core::IncludesExcludes::compile({"*"}, filter.excludes(), "", "");
  for (const auto& n : names) {
    if (exclude_only && !exclude_only->should_include(n)) return false;
  }
  for (const auto& n : names) {
    if (filter.should_include(n)) return true;
  }
  return false;
}

bool all_namespaces(const core::IncludesExcludes& namespaces) {
  const auto& inc = namespaces.includes();
  const bool include_all = inc.empty() || std::find(inc.begin(), inc.end(), "*") != inc.end();
  return include_all && namespaces.excludes().empty();
}

std::vector<SelectedResource> select_resources(const kube::DiscoveryResult& discovery,
                                               const core::IncludesExcludes& resources,
                                               const core::IncludesExcludes& namespaces,
                                               std::optional<bool> include_cluster_resources) {
  const bool cluster_scoped_ok =
      include_cluster_resources.value_or(all_namespaces(namespaces));
  std::vector<SelectedResource> out;
  for (const auto& r : discovery.resources) {
    if (!r.has_verb("list") || !r.has_verb("get")) continue;
    const bool is_namespaces = r.gvr.group.empty() && r.gvr.resource == "namespaces";
    if (is_namespaces) {
      if (resource_matches(resources, r)) {
        out.push_back({r, SelectedResource::Keep::IncludedNamespaces});
      }
      continue;
    }
    if (!resource_matches(resources, r)) continue;
    if (!r.namespaced && !cluster_scoped_ok) {
      // PersistentVolumes still come along with the claims of backed-up pods, unless cluster
      // resources are explicitly off (Velero's PVC backup item action).
      const bool pvs = r.gvr.group.empty() && r.gvr.resource == "persistentvolumes";
      if (pvs && include_cluster_resources != false) {
        out.push_back({r, SelectedResource::Keep::Referenced});
      }
      continue;
    }
    out.push_back({r, SelectedResource::Keep::All});
  }
  return out;
}

}  // namespace stillpoint::backup
