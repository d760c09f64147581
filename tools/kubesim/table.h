// Server-side printing: the meta.k8s.io/v1 Table kubectl asks for (`Accept: …;as=Table;…`)
// so `kubectl get` shows the usual columns (pods: NAME READY STATUS RESTARTS AGE; others:
// NAME AGE). Rows carry PartialObjectMetadata, as the real server's default includeObject.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "registry.h"

namespace stillpoint::kubesim {

bool wants_table(const std::string& accept);

std::string table_json(const ResourceType& type,
                       const std::vector<std::shared_ptr<const nlohmann::json>>& objects,
                       const std::string& resource_version, const std::string& continue_token);

}  // namespace stillpoint::kubesim
