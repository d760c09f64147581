// Just enough of Kubernetes' protobuf encoding to accept what kubectl's typed commands send
// (`kubectl create namespace|configmap|secret` post protobuf and do not fall back to JSON):
// the "k8s\0" envelope (runtime.Unknown), ObjectMeta's identifying fields, and the data of
// ConfigMaps and Secrets. Anything else is reported as unsupported (→ 415).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::kubesim {

// Decodes a protobuf request body for `kind` into the JSON object the API stores.
core::Result<nlohmann::json> decode_protobuf_object(std::string_view body);

}  // namespace stillpoint::kubesim
