// What a Service's registry does beyond defaulting (pkg/registry/core/service/storage/rest.go,
// 1.20): a ClusterIP from the service range (kubesim's is 10.96.0.0/16) and the single-stack
// family fields (`clusterIPs`, `ipFamilies: [IPv4]`, `ipFamilyPolicy: SingleStack`), a
// nodePort from 30000-32767 for each port of a NodePort or LoadBalancer Service, and the 422 a
// real server gives for a requested IP or port that is taken or out of range. On update the
// allocated values a client left out are kept (patchAllocatedValues) and a changed clusterIP
// is refused as immutable. In-use values are read from the stored Services, so every way a
// Service goes away frees its IP and ports.
#pragma once

#include <optional>

#include <nlohmann/json.hpp>

#include "release.h"
#include "status.h"
#include "store.h"

namespace stillpoint::kubesim {

std::optional<ApiError> allocate_service(const Store& store,
                                         nlohmann::json& service,
                                         KubeRelease release);

std::optional<ApiError> keep_allocated_values(const nlohmann::json& old, nlohmann::json& next);

}  // namespace stillpoint::kubesim
