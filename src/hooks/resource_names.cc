#include "hooks/resource_names.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace stillpoint::hooks {
namespace {

struct KnownResource {
  std::string_view canonical;  // Velero's group-resource string
  std::string_view group;
  std::array<std::string_view, 4> aliases;  // plural, singular, short names
};

// Built-in types a backup sees most often; kubectl api-resources on Kubernetes 1.30.
constexpr KnownResource kKnown[] = {
    {"pods", "", {"pods", "pod", "po", ""}},
    {"persistentvolumeclaims", "", {"persistentvolumeclaims", "persistentvolumeclaim", "pvc", ""}},
    {"persistentvolumes", "", {"persistentvolumes", "persistentvolume", "pv", ""}},
    {"configmaps", "", {"configmaps", "configmap", "cm", ""}},
    {"secrets", "", {"secrets", "secret", "", ""}},
    {"services", "", {"services", "service", "svc", ""}},
    {"serviceaccounts", "", {"serviceaccounts", "serviceaccount", "sa", ""}},
    {"namespaces", "", {"namespaces", "namespace", "ns", ""}},
    {"endpoints", "", {"endpoints", "endpoint", "ep", ""}},
    {"events", "", {"events", "event", "ev", ""}},
    {"deployments.apps", "apps", {"deployments", "deployment", "deploy", ""}},
    {"statefulsets.apps", "apps", {"statefulsets", "statefulset", "sts", ""}},
    {"replicasets.apps", "apps", {"replicasets", "replicaset", "rs", ""}},
    {"daemonsets.apps", "apps", {"daemonsets", "daemonset", "ds", ""}},
    {"jobs.batch", "batch", {"jobs", "job", "", ""}},
    {"cronjobs.batch", "batch", {"cronjobs", "cronjob", "cj", ""}},
    {"storageclasses.storage.k8s.io", "storage.k8s.io", {"storageclasses", "storageclass", "sc", ""}},
};

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

const KnownResource* find(std::string_view name) {
  const std::string n = lower(name);
  // "pods", "pods.", "deployments.apps": split at the first dot into resource and group.
  const auto dot = n.find('.');
  const std::string resource = n.substr(0, dot);
  const std::string group = dot == std::string::npos ? std::string() : n.substr(dot + 1);
  for (const auto& known : kKnown) {
    const bool group_ok = dot == std::string::npos || group == known.group ||
                          (known.group.empty() && (group.empty() || group == "core"));
    if (!group_ok) {
      continue;
    }
    for (const auto alias : known.aliases) {
      if (!alias.empty() && alias == resource) {
        return &known;
      }
    }
  }
  return nullptr;
}

}  // namespace

std::string canonical_resource(std::string_view name) {
  if (name == "*") {
    return "*";
  }
  const KnownResource* known = find(name);
  return known ? std::string(known->canonical) : std::string(name);
}

bool is_known_resource(std::string_view name) { return find(name) != nullptr; }

}  // namespace stillpoint::hooks
