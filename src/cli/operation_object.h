// The velero.io/v1 object a create command builds before it runs: the one in --from-file (its
// spec, hooks included), or an empty one of the kind, which the command's flags then write
// over. Shared by `backup create` and `restore create` (and `schedule create`) so
// that a file is read, named and checked alike. Checking the spec's own fields is left to
// operation/ (backup_request_from_object.h), which the server shares.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::cli {

struct OperationObject {
  nlohmann::json object;  // always has an object `spec`
  std::string origin;     // what errors are prefixed with: "--from-file" or "<file>: document 1"
};

// `kind` is "Backup" or "Restore". InvalidArgument when the file does not hold exactly one
// object of that kind; the file's own read and YAML errors as they are.
core::Result<OperationObject> load_operation_object(const std::string& from_file,
                                                    const std::string& kind);

// `flag_name` when given, else the object's metadata.name, else empty.
std::string operation_name(const std::string& flag_name, const nlohmann::json& object);

}  // namespace stillpoint::cli
