#include "custom_schema.h"

namespace stillpoint::kubesim {
namespace {

void prune(nlohmann::json& value, const nlohmann::json& schema) {
  if (!schema.is_object()) {
    return;
  }
  if (value.is_array()) {
    if (schema.contains("items")) {
      for (auto& element : value) {
        prune(element, schema["items"]);
      }
    }
    return;
  }
  if (!value.is_object()) {
    return;
  }
  const bool preserve = schema.value("x-kubernetes-preserve-unknown-fields", false);
  const nlohmann::json* properties =
      schema.contains("properties") ? &schema["properties"] : nullptr;
  const nlohmann::json* additional =
      schema.contains("additionalProperties") && schema["additionalProperties"].is_object()
          ? &schema["additionalProperties"]
          : nullptr;
  for (auto it = value.begin(); it != value.end();) {
    if (properties != nullptr && properties->contains(it.key())) {
      prune(it.value(), (*properties)[it.key()]);
      ++it;
    } else if (additional != nullptr) {
      prune(it.value(), *additional);
      ++it;
    } else if (preserve) {
      ++it;
    } else {
      it = value.erase(it);
    }
  }
}

}  // namespace

void prune_unknown_fields(nlohmann::json& object, const nlohmann::json& schema) {
  if (!schema.is_object() || !object.is_object()) {
    return;
  }
  // The root's apiVersion, kind and metadata are the server's, whatever the schema says.
  nlohmann::json kept = nlohmann::json::object();
  for (const char* f : {"apiVersion", "kind", "metadata"}) {
    if (object.contains(f)) {
      kept[f] = object[f];
    }
  }
  prune(object, schema);
  for (auto& [key, value] : kept.items()) {
    object[key] = value;
  }
}

nlohmann::json json_path_value(const nlohmann::json& object, const std::string& path) {
  if (path.empty() || path[0] != '.') {
    return nullptr;
  }
  const nlohmann::json* at = &object;
  size_t start = 1;
  while (start <= path.size()) {
    const size_t end = path.find('.', start);
    const std::string step = path.substr(start, end == std::string::npos ? end : end - start);
    if (step.empty() || step.find_first_of("[]*?@()") != std::string::npos || !at->is_object() ||
        !at->contains(step)) {
      return nullptr;
    }
    at = &(*at)[step];
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return *at;
}

}  // namespace stillpoint::kubesim
