// Typed reads of fields from decoded JSON/YAML objects, with errors that name the field path
// and what was found instead (`spec.hooks.resources[0].pre[0].exec.command: expected a list
// of strings, got string "pg_dump"`). Every decoder of user input goes through these, so
// a wrong type is always reported the same way and never throws.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::core {

// "string \"x\"", "number 3", "boolean true", "null", "an object", "a list".
std::string describe_json(const nlohmann::json& value);

// The value at `key` when it is a string; absent or null → std::nullopt; another type → error.
Result<std::optional<std::string>> optional_string(const nlohmann::json& object,
                                                   std::string_view key,
                                                   const std::string& path);
// As optional_string, but absent is an error (`<path>.<key>: required`).
Result<std::string> string_field(const nlohmann::json& object,
                                 std::string_view key,
                                 const std::string& path);
Result<std::optional<bool>> optional_bool(const nlohmann::json& object,
                                          std::string_view key,
                                          const std::string& path);
Result<std::vector<std::string>> string_list(const nlohmann::json& value, const std::string& path);
// Absent or null → empty list.
Result<std::vector<std::string>> optional_string_list(const nlohmann::json& object,
                                                      std::string_view key,
                                                      const std::string& path);
Result<std::map<std::string, std::string, std::less<>>> string_map(const nlohmann::json& value,
                                                                   const std::string& path);

// Field names of `object` that are not in `known`, as `<path>.<name>` — typos such as
// `onErorr` that Kubernetes would silently drop.
std::vector<std::string> unknown_fields(const nlohmann::json& object,
                                        std::initializer_list<std::string_view> known,
                                        const std::string& path);

// Joins a path and a key: ("spec", "hooks") → "spec.hooks"; ("", "spec") → "spec".
std::string field_path(const std::string& path, std::string_view key);
std::string index_path(const std::string& path, size_t index);

// Lenient reads for objects from the cluster or an archive, where a missing or wrong-typed
// field just means "none": the string at `pointer` ("/metadata/name"), else "".
std::string string_at(const nlohmann::json& object, const nlohmann::json::json_pointer& pointer);
// The string values of the object at `pointer` ("/metadata/labels"); others are ignored.
std::map<std::string, std::string, std::less<>> string_map_at(
    const nlohmann::json& object, const nlohmann::json::json_pointer& pointer);

}  // namespace stillpoint::core
