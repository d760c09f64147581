// The basic validation a real apiserver does before storing an object (name syntax; pods need
// containers with a name and an image; mounts name volumes), and the helpers for server-set
// metadata (uids, timestamps, generated names). Defaults are in defaults.h. Nothing here
// touches the store.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry.h"
#include "status.h"

namespace stillpoint::kubesim {

inline constexpr const char* kNodeName = "kubesim";

std::string new_uid();
std::string now_rfc3339();
std::string random_suffix(size_t n);

// Causes for 422 Invalid; empty when the object is acceptable for `type`.
std::vector<FieldCause> validate_object(const ResourceType& type, const nlohmann::json& object);

// JSON "deep equal" of the part of an object whose change bumps metadata.generation.
bool spec_changed(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace stillpoint::kubesim
