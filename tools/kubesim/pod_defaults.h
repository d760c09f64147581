// The defaulting of a pod spec, wherever one appears (a Pod, or the template of a Deployment,
// ReplicaSet, StatefulSet, DaemonSet, Job or CronJob), following Kubernetes 1.20's
// pkg/apis/core/v1/defaults.go: SetDefaults_PodSpec, _Container, _ContainerPort, _Probe,
// _HTTPGetAction, _Volume and the volume sources' defaultMode, _ObjectFieldSelector. The
// Pod-only parts (SetDefaults_Pod: `enableServiceLinks`, requests from limits) are separate
// because templates do not get them.
#pragma once

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

// Sets `key` when it is absent, null or an empty string: what a Go defaulter fills (a nil
// pointer or a zero string). Shared by the defaulting files.
void fill_default(nlohmann::json& object, const char* key, nlohmann::json value);

// `spec` is a PodSpec object; anything else is left alone (validation reports it).
void apply_pod_spec_defaults(nlohmann::json& spec);

// SetDefaults_Pod: what a Pod gets beyond its spec's defaults.
void apply_pod_only_defaults(nlohmann::json& pod);

// A template (`{metadata, spec}`) as Go writes it back: `metadata.creationTimestamp: null`
// (a zero metav1.Time in a non-pointer struct), and the spec's defaults.
void apply_pod_template_defaults(nlohmann::json& template_object);

// The pull policy a container without one gets: Always for `:latest` or no tag (and no
// digest), IfNotPresent otherwise (parsers.ParseImageName).
const char* default_pull_policy(const std::string& image);

}  // namespace stillpoint::kubesim
