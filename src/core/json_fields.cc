#include "core/json_fields.h"

#include <algorithm>

#include "core/text.h"

namespace stillpoint::core {

std::string describe_json(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::string: {
      const auto& s = value.get_ref<const std::string&>();
      return "string " + go_quote(s.size() > 80 ? s.substr(0, 80) + "..." : s);
    }
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "boolean true" : "boolean false";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "number " + value.dump();
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "a list";
    default:
      return "a value of unknown type";
  }
}

std::string field_path(const std::string& path, std::string_view key) {
  if (path.empty()) {
    return std::string(key);
  }
  return path + "." + std::string(key);
}

std::string index_path(const std::string& path, size_t index) {
  return path + "[" + std::to_string(index) + "]";
}

Result<std::optional<std::string>> optional_string(const nlohmann::json& object,
                                                   std::string_view key,
                                                   const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::optional<std::string>{};
  }
  if (!it->is_string()) {
    return unexpected(ErrorCode::InvalidArgument,
                      field_path(path, key) + ": expected a string, got " + describe_json(*it));
  }
  return std::optional<std::string>{it->get<std::string>()};
}

Result<std::string> string_field(const nlohmann::json& object,
                                 std::string_view key,
                                 const std::string& path) {
  auto value = optional_string(object, key, path);
  if (!value) {
    return unexpected(value.error());
  }
  if (!value->has_value()) {
    return unexpected(ErrorCode::InvalidArgument, field_path(path, key) + ": required");
  }
  return std::move(**value);
}

Result<std::optional<bool>> optional_bool(const nlohmann::json& object,
                                          std::string_view key,
                                          const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::optional<bool>{};
  }
  if (!it->is_boolean()) {
    return unexpected(ErrorCode::InvalidArgument,
                      field_path(path, key) + ": expected true or false, got " +
                          describe_json(*it));
  }
  return std::optional<bool>{it->get<bool>()};
}

Result<std::vector<std::string>> string_list(const nlohmann::json& value,
                                             const std::string& path) {
  if (!value.is_array()) {
    return unexpected(ErrorCode::InvalidArgument,
                      path + ": expected a list of strings, got " + describe_json(value));
  }
  std::vector<std::string> out;
  out.reserve(value.size());
  for (size_t i = 0; i < value.size(); ++i) {
    if (!value[i].is_string()) {
      return unexpected(ErrorCode::InvalidArgument, index_path(path, i) +
                                                        ": expected a string, got " +
                                                        describe_json(value[i]));
    }
    out.push_back(value[i].get<std::string>());
  }
  return out;
}

Result<std::vector<std::string>> optional_string_list(const nlohmann::json& object,
                                                      std::string_view key,
                                                      const std::string& path) {
  const auto it = object.find(key);
  if (it == object.end() || it->is_null()) {
    return std::vector<std::string>{};
  }
  return string_list(*it, field_path(path, key));
}

Result<std::map<std::string, std::string, std::less<>>> string_map(const nlohmann::json& value,
                                                                   const std::string& path) {
  if (!value.is_object()) {
    return unexpected(ErrorCode::InvalidArgument,
                      path + ": expected a map of strings, got " + describe_json(value));
  }
  std::map<std::string, std::string, std::less<>> out;
  for (const auto& [k, v] : value.items()) {
    if (!v.is_string()) {
      return unexpected(ErrorCode::InvalidArgument,
                        path + "[" + go_quote(k) + "]: expected a string, got " +
                            describe_json(v) + " (quote the value in YAML)");
    }
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::vector<std::string> unknown_fields(const nlohmann::json& object,
                                        std::initializer_list<std::string_view> known,
                                        const std::string& path) {
  std::vector<std::string> out;
  if (!object.is_object()) {
    return out;
  }
  for (const auto& [k, v] : object.items()) {
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      out.push_back(field_path(path, k));
    }
  }
  return out;
}

std::string string_at(const nlohmann::json& object, const nlohmann::json::json_pointer& pointer) {
  if (!object.is_object() || !object.contains(pointer)) return {};
  const nlohmann::json& v = object.at(pointer);
  return v.is_string() ? v.get<std::string>() : std::string();
}

std::map<std::string, std::string, std::less<>> string_map_at(
    const nlohmann::json& object, const nlohmann::json::json_pointer& pointer) {
  std::map<std::string, std::string, std::less<>> out;
  if (!object.is_object() || !object.contains(pointer) || !object.at(pointer).is_object()) {
    return out;
  }
  for (const auto& [k, v] : object.at(pointer).items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

}  // namespace stillpoint::core
