// A field of a stored Backup or Restore object as text for tables and `describe`: strings as
// they are, other values as JSON, missing fields empty.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

namespace stillpoint::cli {

inline std::string field_text(const nlohmann::json& object, const char* pointer) {
  const nlohmann::json::json_pointer ptr(pointer);
  if (!object.is_object() || !object.contains(ptr)) return "";
  const nlohmann::json& v = object.at(ptr);
  return v.is_string() ? v.get<std::string>() : v.dump();
}

}  // namespace stillpoint::cli
