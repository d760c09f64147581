// The fidelity test's conversation with a server, the same for kubesim and the real cluster:
// apply tests/fidelity/manifests with the real kubectl, wait for the result to settle, read it
// back with `kubectl get -o json`, reduce it; and delete what was made.
//
// What is read back: every object of the kinds in kObjectTypes in the namespace `fidelity`,
// the namespace itself, the CRD, and the PersistentVolumes of the namespace's claims (static or
// provisioned). Not read: Events (a log, not state), Endpoints and EndpointSlices (derived from
// pods by controllers outside issue 15's scope).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "compare.h"
#include "kubectl_harness.h"

namespace stillpoint::fidelity {

inline constexpr const char* kNamespace = "fidelity";
inline constexpr const char* kStaticVolume = "fidelity-static";
inline constexpr const char* kCrd = "widgets.fidelity.stillpoint.io";
inline constexpr const char* kObjectTypes =
    "configmaps,secrets,serviceaccounts,services,persistentvolumeclaims,pods,"
    "deployments.apps,replicasets.apps,statefulsets.apps,daemonsets.apps,"
    "controllerrevisions.apps,jobs.batch,roles.rbac.authorization.k8s.io,"
    "rolebindings.rbac.authorization.k8s.io,widgets.fidelity.stillpoint.io";

// kubectl ARGS with INPUT on stdin, against the server under test.
using Kubectl = std::function<kubesim::testing::CommandResult(const std::vector<std::string>&,
                                                              const std::string&)>;

struct Answer {
  std::vector<nlohmann::json> objects;  // as last read
  std::vector<std::string> unsettled;   // settle.h's list at the deadline; empty when settled
  std::vector<std::string> errors;      // the last failed apply or get, if it never succeeded
  std::chrono::milliseconds took{0};
  bool settled() const { return unsettled.empty() && errors.empty(); }
};

// Applies every manifest in `manifests` (again each second until kubectl takes them all: a
// fresh namespace's pods wait for its ServiceAccount, a custom resource for its CRD), then reads
// the objects back each second until they have settled (settle.h) and two reads in a row reduce
// alike, or `limit` has passed since the start.
Answer apply_and_settle(const Kubectl& kubectl,
                        const std::filesystem::path& manifests,
                        std::chrono::seconds limit);

// Every object normalised (normalise.h) and reduced (reduce.h), by key; objects whose keys
// coincide are merged.
Reduced reduce_answer(const std::vector<nlohmann::json>& objects);

// Deletes the namespace (its pods without waiting for the kubelet; then waits until it is gone),
// the static volume and the CRD; what is already absent is fine. Returns "" or what failed.
std::string delete_fidelity_objects(const Kubectl& kubectl);

}  // namespace stillpoint::fidelity
