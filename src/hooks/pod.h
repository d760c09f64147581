// The parts of a Pod that hooks depend on, decoded once from the object (a file or an API
// response). Keeps the full init container list because restore planning rewrites it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/label_selector.h"
#include "core/result.h"

namespace stillpoint::hooks {

struct ContainerStatus {
  bool running = false;
  bool ready = false;
  std::string state;  // "running", "waiting", "terminated" or "" when unknown
};

struct Pod {
  std::string namespace_name;
  std::string name;
  core::Labels labels;
  core::Labels annotations;
  std::vector<std::string> containers;  // spec.containers[].name, in order
  // spec.initContainers[] with restartPolicy: Always — native sidecars, valid hook targets.
  std::vector<std::string> sidecars;
  nlohmann::json init_containers = nlohmann::json::array();  // verbatim
  std::string phase;                                          // status.phase, "" when absent
  bool being_deleted = false;                                 // metadata.deletionTimestamp set
  std::map<std::string, ContainerStatus> container_statuses;  // by container name
  // What volume selection reads (hooks/volume_selection.h), as a minimal Pod object:
  // metadata (namespace, name, annotations), spec.volumes and the containers' names and
  // volumeMounts. null when the pod has no volumes.
  nlohmann::json volume_spec;

  std::string key() const { return namespace_name + "/" + name; }
  bool has_container(const std::string& name) const;
};

// Decodes a Pod object. `where` names it in errors ("pods.yaml: document 2: items[3]").
// A missing namespace is "default", as kubectl assumes for manifests.
core::Result<Pod> pod_from_json(const nlohmann::json& object, const std::string& where);

}  // namespace stillpoint::hooks
