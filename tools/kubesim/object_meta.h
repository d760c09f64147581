// Server-set metadata and the basic validation a real apiserver does before storing an object:
// uid, creationTimestamp, generation, generateName; name syntax; pods need containers with a
// name and an image. Defaults that clients read back (a pod's nodeName, restartPolicy, status)
// are filled here too. Nothing here touches the store.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry.h"
#include "release.h"
#include "status.h"

namespace stillpoint::kubesim {

inline constexpr const char* kNodeName = "kubesim";

std::string new_uid();
std::string now_rfc3339();
std::string random_suffix(size_t n);

// Causes for 422 Invalid; empty when the object is acceptable for `type`.
std::vector<FieldCause> validate_object(const ResourceType& type, const nlohmann::json& object);

// Fills what the API server and (for pods) the scheduler would set on create, as `release`
// does where releases differ.
void apply_create_defaults(const ResourceType& type,
                           nlohmann::json& object,
                           KubeRelease release = KubeRelease::Current);

// JSON "deep equal" of the part of an object whose change bumps metadata.generation.
bool spec_changed(const nlohmann::json& before, const nlohmann::json& after);

}  // namespace stillpoint::kubesim
