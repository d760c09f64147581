#include "kube/resource_filter.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace stillpoint::kube {
namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> names_of(const ApiResource& r) {
  std::vector<std::string> names{r.group_resource(), r.gvr.resource, r.kind, lower(r.kind)};
  if (!r.singular.empty()) names.push_back(r.singular);
  for (const auto& s : r.short_names) names.push_back(s);
  return names;
}

}  // namespace

bool resource_matches(const core::IncludesExcludes& filter, const ApiResource& resource) {
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

}  // namespace stillpoint::kube
