// What a real API server adds to an object between the request and storage, as a client reads
// it back: the defaulting functions of pkg/apis/{core,apps,batch,storage,rbac}/v1/defaults.go
// (run on every decode, so on create and on update), the empty structs Go's encoder writes
// (`resources: {}`, a template's `metadata.creationTimestamp: null`), the Secret conversion
// that folds `stringData` into `data`, and the server fields of create (uid, creationTimestamp,
// and `generation` only for the kinds whose registry strategy keeps one).
//
// Admission (service accounts, priority, default tolerations, storage protection finalizers)
// is in admission.h; cluster IP and node port allocation in service_allocation.h. Nothing here
// reads the store.
#pragma once

#include <nlohmann/json.hpp>

#include "registry.h"
#include "release.h"

namespace stillpoint::kubesim {

// The defaults of `type`'s kind, in place; idempotent, so an update re-applies them.
void apply_defaults(const ResourceType& type, nlohmann::json& object, KubeRelease release);

// The server fields of create, what the scheduler sets on a new pod, then apply_defaults.
void apply_create_defaults(const ResourceType& type, nlohmann::json& object, KubeRelease release);

// Fields the registry strategy keeps across an update whatever the client sent: a DaemonSet's
// template generation (the `deprecated.daemonset.template.generation` annotation of apps/v1),
// bumped when the template changes.
void carry_over_on_update(const ResourceType& type,
                          const nlohmann::json& old,
                          nlohmann::json& next);

// Whether objects of `type` carry metadata.generation. Only kinds whose registry strategy sets
// it do (workloads, jobs, CRDs, custom resources); a real server leaves ConfigMaps, Secrets,
// Services, Namespaces, claims and pods without one.
bool has_generation(const ResourceType& type, KubeRelease release);

}  // namespace stillpoint::kubesim
