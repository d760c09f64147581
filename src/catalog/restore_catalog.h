// Reading the restores recorded in a location (restores/<name>/velero-restore.json, written
// last: a directory without it is an attempt that died and is never listed), their logs and
// their results (warnings and errors per namespace).
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::catalog {

// Restore objects, sorted by name.
core::Result<std::vector<nlohmann::json>> list_restores(storage::ObjectStore& store);
// NotFound: `restore "x" not found in <location>`.
core::Result<nlohmann::json> read_restore(storage::ObjectStore& store, const std::string& name);
core::Status read_restore_log(storage::ObjectStore& store,
                              const std::string& name,
                              const std::function<void(std::string_view)>& sink);
// {"warnings": {...}, "errors": {...}} (restore_results.h).
core::Result<nlohmann::json> read_restore_results(storage::ObjectStore& store,
                                                  const std::string& name);

}  // namespace stillpoint::catalog
