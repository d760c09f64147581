#include "hooks/volume_selection.h"

#include <algorithm>
#include <set>

namespace stillpoint::hooks {

namespace {

using nlohmann::json;

const std::set<std::string>& ineligible_types() {
  static const std::set<std::string> types = {"hostPath", "secret", "configMap", "projected",
                                              "downwardAPI"};
  return types;
}

std::string annotation_of(const json& pod, const char* key) {
  const json::json_pointer ptr("/metadata/annotations");
  if (!pod.contains(ptr) || !pod.at(ptr).is_object()) return {};
  const json& annotations = pod.at(ptr);
  const auto it = annotations.find(key);
  return it != annotations.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string trim(const std::string& s) {
  const size_t first = s.find_first_not_of(" \t\n\r");
  if (first == std::string::npos) return {};
  return s.substr(first, s.find_last_not_of(" \t\n\r") - first + 1);
}

// "a, b,,c" → {a, b, c}, in order, without duplicates.
std::vector<std::string> name_list(const std::string& value) {
  std::vector<std::string> names;
  size_t start = 0;
  while (start <= value.size()) {
    size_t end = value.find(',', start);
    if (end == std::string::npos) end = value.size();
    std::string name = trim(value.substr(start, end - start));
    if (!name.empty() && std::find(names.begin(), names.end(), name) == names.end()) {
      names.push_back(std::move(name));
    }
    start = end + 1;
  }
  return names;
}

const json& array_at(const json& object, const char* pointer) {
  static const json kEmpty = json::array();
  const json::json_pointer ptr(pointer);
  if (!object.is_object() || !object.contains(ptr) || !object.at(ptr).is_array()) return kEmpty;
  return object.at(ptr);
}

std::string string_field(const json& object, const char* key) {
  if (!object.is_object()) return {};
  const auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

std::string volume_type(const json& volume) {
  if (!volume.is_object()) return {};
  for (const auto& [key, value] : volume.items()) {
    if (key != "name" && value.is_object()) return key;
  }
  return {};
}

VolumeSelection select_pod_volumes(const json& pod, bool default_volumes_to_fs_backup) {
  VolumeSelection selection;
  if (!pod.is_object()) return selection;
  const std::string pod_key = string_field(pod.value("metadata", json::object()), "namespace") +
                              "/" + string_field(pod.value("metadata", json::object()), "name");
  const json& volumes = array_at(pod, "/spec/volumes");
  auto find_volume = [&](const std::string& name) -> const json* {
    for (const json& v : volumes) {
      if (string_field(v, "name") == name) return &v;
    }
    return nullptr;
  };

  std::vector<std::string> wanted;
  const bool opt_in = !default_volumes_to_fs_backup;
  if (opt_in) {
    for (std::string& name : name_list(annotation_of(pod, annotation::kBackupVolumes))) {
      if (find_volume(name) == nullptr) {
        selection.warnings.push_back("pod " + pod_key + ": volume \"" + name + "\" named in " +
                                     annotation::kBackupVolumes +
                                     " does not exist in the pod; not backed up");
        continue;
      }
      wanted.push_back(std::move(name));
    }
  } else {
    const auto excludes = name_list(annotation_of(pod, annotation::kBackupVolumesExcludes));
    for (const json& v : volumes) {
      std::string name = string_field(v, "name");
      if (name.empty() || std::find(excludes.begin(), excludes.end(), name) != excludes.end()) {
        continue;
      }
      if (name.rfind("default-token", 0) == 0) continue;
      if (ineligible_types().count(volume_type(v)) != 0) continue;
      wanted.push_back(std::move(name));
    }
  }

  const json& containers = array_at(pod, "/spec/containers");
  for (const std::string& name : wanted) {
    const json& volume = *find_volume(name);
    PodVolume pv;
    pv.name = name;
    pv.type = volume_type(volume);
    if (ineligible_types().count(pv.type) != 0) {
      selection.warnings.push_back("pod " + pod_key + ": volume \"" + name + "\" is a " +
                                   pv.type + " volume, whose data is never backed up; ignored");
      continue;
    }
    if (pv.type == "persistentVolumeClaim") {
      pv.claim = string_field(volume["persistentVolumeClaim"], "claimName");
    }
    bool only_sub_path = false;
    for (const json& c : containers) {
      for (const json& m : array_at(c, "/volumeMounts")) {
        if (string_field(m, "name") != name) continue;
        if (!string_field(m, "subPath").empty() || !string_field(m, "subPathExpr").empty()) {
          only_sub_path = true;
          continue;
        }
        const std::string path = string_field(m, "mountPath");
        if (path.empty()) continue;
        pv.container = string_field(c, "name");
        pv.mount_path = path;
        break;
      }
      if (!pv.container.empty()) break;
    }
    if (pv.container.empty()) {
      selection.warnings.push_back(
          "pod " + pod_key + ": volume \"" + name + "\" is not mounted whole by any container" +
          (only_sub_path ? " (only through subPath)" : "") +
          ", so there is nothing to read its data through; not backed up");
      continue;
    }
    selection.volumes.push_back(std::move(pv));
  }
  return selection;
}

}  // namespace stillpoint::hooks
