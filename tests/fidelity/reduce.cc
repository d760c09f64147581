#include "reduce.h"

#include <algorithm>

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// A leaf as it is written after `=`. Strings go bare unless they hold a line break or another
// control character, which would break the one-line-per-path format: those are JSON-quoted.
std::string leaf_text(const json& v) {
  if (v.is_string()) {
    const std::string& s = v.get_ref<const std::string&>();
    const bool plain = std::none_of(s.begin(), s.end(), [](char c) {
      return static_cast<unsigned char>(c) < 0x20 || c == '\\';
    });
    return plain ? s : v.dump();
  }
  return v.dump();
}

// The `[...]` part of a list's elements: NAME when every element has one, TYPE in a
// `conditions` list, else empty (collapsed). `list_key` is the member holding the list.
std::string element_key(const json& list, std::string_view list_key, const json& element) {
  const auto all_have = [&](const char* field) {
    return std::all_of(list.begin(), list.end(), [&](const json& e) {
      return e.is_object() && e.contains(field) && e[field].is_string();
    });
  };
  if (all_have("name"))
    return element["name"].get<std::string>();
  if (list_key == "conditions" && all_have("type"))
    return element["type"].get<std::string>();
  return "";
}

struct Walker {
  const json& object;
  std::set<std::string>& out;
  std::vector<std::string> keys;  // member names from the root, for volatile_value()

  void leaf(const std::string& path, const json& v) {
    if (v.is_object() || v.is_array()) {
      out.insert(path + (v.is_object() ? "={}" : "=[]"));
    } else if (volatile_value(object, keys)) {
      out.insert(path);
    } else {
      out.insert(path + "=" + leaf_text(v));
    }
  }

  void walk(const std::string& path, const json& v) {
    if (v.is_object() && !v.empty()) {
      for (const auto& [k, child] : v.items()) {
        if (keys.size() == 1 && keys[0] == "metadata" && k == "managedFields")
          continue;
        keys.push_back(k);
        walk(path.empty() ? k : path + "." + k, child);
        keys.pop_back();
      }
    } else if (v.is_array() && !v.empty()) {
      const std::string list_key = keys.empty() ? std::string() : keys.back();
      for (const json& element : v) {
        walk(path + "[" + element_key(v, list_key, element) + "]", element);
      }
    } else {
      leaf(path, v);
    }
  }
};

}  // namespace

bool volatile_value(const json& object, const std::vector<std::string>& keys) {
  if (keys.empty())
    return false;
  const std::string& last = keys.back();
  static const std::set<std::string_view> kAnywhere = {
      "uid",        "resourceVersion", "podIP",       "hostIP",  "ip",        "clusterIP",
      "clusterIPs", "nodePort",        "containerID", "imageID", "startedAt", "finishedAt"};
  if (kAnywhere.count(last) != 0)
    return true;
  if (ends_with(last, "Timestamp") || ends_with(last, "Time"))
    return true;
  if (keys.size() == 3 && keys[0] == "metadata" && keys[1] == "annotations" &&
      last == "kubectl.kubernetes.io/last-applied-configuration") {
    return true;  // the client's own copy of the manifest: equal by construction, and long
  }
  const std::string kind = object.value("kind", "");
  const json metadata = object.value("metadata", json::object());
  if (keys.size() == 2 && keys[0] == "data") {
    if (kind == "Secret" && object.value("type", "") == "kubernetes.io/service-account-token")
      return true;  // a token and the cluster's CA: new on every cluster
    if (kind == "ConfigMap" && metadata.value("name", "") == "kube-root-ca.crt")
      return true;  // the cluster's CA
  }
  if (kind == "PersistentVolume" && keys.size() == 3 && keys[0] == "spec" &&
      keys[1] == "hostPath" && last == "path") {
    // A provisioner picks a random directory; a static volume's path is the manifest's.
    const json annotations = metadata.value("annotations", json::object());
    return annotations.contains("pv.kubernetes.io/provisioned-by");
  }
  return false;
}

std::set<std::string> reduce(const json& object) {
  std::set<std::string> out;
  Walker w{object, out, {}};
  w.walk("", object);
  return out;
}

}  // namespace stillpoint::fidelity
