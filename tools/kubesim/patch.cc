#include "patch.h"

namespace stillpoint::kubesim {
namespace {

bool named_list(const nlohmann::json& list) {
  if (!list.is_array() || list.empty()) {
    return false;
  }
  for (const auto& e : list) {
    if (!e.is_object() || !e.contains("name") || !e["name"].is_string()) {
      return false;
    }
  }
  return true;
}

}  // namespace

nlohmann::json merge_patch(nlohmann::json target, const nlohmann::json& patch) {
  target.merge_patch(patch);
  return target;
}

core::Result<nlohmann::json> json_patch(const nlohmann::json& target, const nlohmann::json& patch) {
  try {
    return target.patch(patch);
  } catch (const std::exception& e) {
    return core::unexpected(core::ErrorCode::InvalidArgument, e.what());
  }
}

nlohmann::json strategic_merge_patch(nlohmann::json target, const nlohmann::json& patch) {
  if (!patch.is_object()) {
    return patch;
  }
  if (!target.is_object()) {
    target = nlohmann::json::object();
  }
  for (const auto& [key, value] : patch.items()) {
    if (key.starts_with("$") || key.starts_with("$setElementOrder")) {
      continue;  // directives we do not model
    }
    if (value.is_null()) {
      target.erase(key);
    } else if (value.is_object()) {
      target[key] = strategic_merge_patch(target.contains(key) ? target[key] : nlohmann::json(),
                                          value);
    } else if (value.is_array() && target.contains(key) && named_list(target[key]) &&
               (named_list(value) || value.empty())) {
      nlohmann::json& list = target[key];
      for (const auto& element : value) {
        const std::string& name = element["name"].get_ref<const std::string&>();
        auto it = std::find_if(list.begin(), list.end(),
                               [&](const nlohmann::json& e) { return e["name"] == name; });
        bool remove = element.value("$patch", "") == "delete";
        if (it == list.end()) {
          if (!remove) {
            list.push_back(strategic_merge_patch(nlohmann::json::object(), element));
          }
        } else if (remove) {
          list.erase(it);
        } else {
          *it = strategic_merge_patch(*it, element);
        }
      }
    } else {
      target[key] = value;
    }
  }
  return target;
}

}  // namespace stillpoint::kubesim
