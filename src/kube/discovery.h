// Discovery: which resources the server serves, at which preferred version, namespaced or not,
// with which verbs and short names (../shared/reference/kubernetes-wire-protocol.md §4).
// Tries aggregated discovery (Accept: application/json;g=apidiscovery.k8s.io;v=v2;
// as=APIGroupDiscoveryList, and v2beta1) and falls back to the legacy documents when the
// response's Content-Type says the server answered with the legacy shape. A group whose
// version document fails is skipped with a warning, as kubectl and Velero do.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "kube/http_client.h"
#include "kube/resource_types.h"

namespace stillpoint::kube {

struct ApiResource {
  GroupVersionResource gvr;  // at the group's preferred version
  std::string kind;
  std::string singular;
  bool namespaced = false;
  std::vector<std::string> verbs;
  std::vector<std::string> short_names;

  // "pods", "deployments.apps"
  std::string group_resource() const;
  bool has_verb(std::string_view verb) const;
};

struct DiscoveryResult {
  std::vector<ApiResource> resources;  // preferred versions only; no subresources ("pods/exec")
  std::vector<std::string> warnings;   // groups skipped, with the reason
  bool aggregated = false;             // which protocol answered

  // Resolves what a user typed: "pods", "pod", "po", "deployments.apps", "deploy",
  // "Deployment" (kind, case-insensitive), "deployments.v1.apps". nullptr when unknown.
  const ApiResource* find(std::string_view name) const;
};

boost::asio::awaitable<core::Result<DiscoveryResult>> discover(HttpClient& http);

}  // namespace stillpoint::kube
