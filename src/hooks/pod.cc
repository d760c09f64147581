#include "hooks/pod.h"

#include <algorithm>

#include "core/json_fields.h"

namespace stillpoint::hooks {

using core::ErrorCode;
using core::unexpected;

bool Pod::has_container(const std::string& container) const {
  return std::find(containers.begin(), containers.end(), container) != containers.end() ||
         std::find(sidecars.begin(), sidecars.end(), container) != sidecars.end();
}

namespace {

core::Result<std::vector<std::string>> container_names(const nlohmann::json& spec,
                                                       std::string_view field,
                                                       const std::string& where,
                                                       std::vector<std::string>* sidecars) {
  std::vector<std::string> names;
  const auto it = spec.find(field);
  if (it == spec.end() || it->is_null()) {
    return names;
  }
  const std::string path = where + ": spec." + std::string(field);
  if (!it->is_array()) {
    return unexpected(ErrorCode::InvalidArgument,
                      path + ": expected a list, got " + core::describe_json(*it));
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const auto& c = (*it)[i];
    const std::string at = core::index_path(path, i);
    if (!c.is_object()) {
      return unexpected(ErrorCode::InvalidArgument,
                        at + ": expected a container object, got " + core::describe_json(c));
    }
    auto name = core::string_field(c, "name", at);
    if (!name) {
      return unexpected(name.error());
    }
    if (sidecars != nullptr) {
      auto policy = core::optional_string(c, "restartPolicy", at);
      if (!policy) {
        return unexpected(policy.error());
      }
      if (policy->value_or("") == "Always") {
        sidecars->push_back(*name);
      }
    }
    names.push_back(std::move(*name));
  }
  return names;
}

}  // namespace

core::Result<Pod> pod_from_json(const nlohmann::json& object, const std::string& where) {
  Pod pod;
  if (!object.is_object()) {
    return unexpected(ErrorCode::InvalidArgument,
                      where + ": expected a Pod object, got " + core::describe_json(object));
  }
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return unexpected(ErrorCode::InvalidArgument, where + ": metadata: required");
  }
  auto name = core::string_field(*meta, "name", where + ": metadata");
  if (!name) {
    return unexpected(name.error());
  }
  pod.name = std::move(*name);
  const std::string at = where + " (pod " + pod.name + ")";
  auto ns = core::optional_string(*meta, "namespace", at + ": metadata");
  if (!ns) {
    return unexpected(ns.error());
  }
  pod.namespace_name = ns->value_or("");
  if (pod.namespace_name.empty()) {
    pod.namespace_name = "default";
  }
  for (auto [field, target] : {std::pair{"labels", &pod.labels},
                               std::pair{"annotations", &pod.annotations}}) {
    if (auto it = meta->find(field); it != meta->end() && !it->is_null()) {
      auto map = core::string_map(*it, at + ": metadata." + field);
      if (!map) {
        return unexpected(map.error());
      }
      *target = std::move(*map);
    }
  }
  if (auto it = meta->find("deletionTimestamp"); it != meta->end() && !it->is_null()) {
    pod.being_deleted = true;
  }
  if (auto spec = object.find("spec"); spec != object.end() && spec->is_object()) {
    auto containers = container_names(*spec, "containers", at, nullptr);
    if (!containers) {
      return unexpected(containers.error());
    }
    pod.containers = std::move(*containers);
    auto inits = container_names(*spec, "initContainers", at, &pod.sidecars);
    if (!inits) {
      return unexpected(inits.error());
    }
    if (auto it = spec->find("initContainers"); it != spec->end() && it->is_array()) {
      pod.init_containers = *it;
    }
    if (auto it = spec->find("volumes"); it != spec->end() && it->is_array() && !it->empty()) {
      nlohmann::json containers = nlohmann::json::array();
      if (auto c = spec->find("containers"); c != spec->end() && c->is_array()) {
        for (const auto& container : *c) {
          if (!container.is_object()) continue;
          nlohmann::json slim = nlohmann::json::object();
          for (const char* field : {"name", "volumeMounts"}) {
            if (container.contains(field)) slim[field] = container[field];
          }
          containers.push_back(std::move(slim));
        }
      }
      nlohmann::json metadata = {{"namespace", pod.namespace_name}, {"name", pod.name}};
      metadata["annotations"] = nlohmann::json::object();
      for (const auto& [k, v] : pod.annotations) metadata["annotations"][k] = v;
      pod.volume_spec = {{"metadata", std::move(metadata)},
                         {"spec", {{"volumes", *it}, {"containers", std::move(containers)}}}};
    }
  }
  if (auto status = object.find("status"); status != object.end() && status->is_object()) {
    auto phase = core::optional_string(*status, "phase", at + ": status");
    if (!phase) {
      return unexpected(phase.error());
    }
    pod.phase = phase->value_or("");
    for (const char* field : {"containerStatuses", "initContainerStatuses"}) {
      const auto list = status->find(field);
      if (list == status->end() || !list->is_array()) {
        continue;
      }
      for (const auto& cs : *list) {
        if (!cs.is_object() || !cs.contains("name") || !cs["name"].is_string()) {
          continue;
        }
        ContainerStatus st;
        st.ready = cs.value("ready", false) == true;
        if (auto state = cs.find("state"); state != cs.end() && state->is_object()) {
          for (const char* s : {"running", "waiting", "terminated"}) {
            if (state->contains(s) && !(*state)[s].is_null()) {
              st.state = s;
            }
          }
        }
        st.running = st.state == "running";
        pod.container_statuses[cs["name"].get<std::string>()] = st;
      }
    }
  }
  return pod;
}

}  // namespace stillpoint::hooks
