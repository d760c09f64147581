// `backup create --via-server` (and --from-schedule) and `restore create --via-server`: instead
// of running the operation here (which needs exec and read-everything rights), create the
// Backup or Restore object for the in-cluster server (docs/server.md) and follow its status
// until it ends (--wait=false: only create it). A user who may only create objects in the
// server's namespace can still ask for a backup.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "cli/operation_flags.h"

namespace stillpoint::cli {

// `kind` is "Backup" or "Restore"; `spec` as the command built it. Prints the outcome as the
// direct run does (-o json: the object as the server left it). Exit codes: 0 Completed, 1
// otherwise (the object could not be created, or it ended in another phase), 130 when
// interrupted (the server goes on with the object).
int run_via_server(const OperationFlags& flags,
                   const std::string& kind,
                   const std::string& name,
                   const nlohmann::json& spec);

// The same for a whole object built by the caller (`backup create --from-schedule`: labels
// and ownerReferences): apiVersion, kind, metadata.name and metadata.namespace are set.
// With flags.wait false it prints the created object's name (-o json: the object) and
// returns 0 once created.
int run_object_via_server(const OperationFlags& flags, const nlohmann::json& object);

}  // namespace stillpoint::cli
