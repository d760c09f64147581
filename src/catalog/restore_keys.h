// Object-store keys of a restore, beside the backups (Velero's layout: restores/<name>/...).
// Velero keeps the Restore object itself in the cluster; stillpoint has no cluster-side state,
// so it stores it as restores/<name>/velero-restore.json, written last like a backup's.
#pragma once

#include <string>

namespace stillpoint::catalog {

std::string restore_prefix(const std::string& name);            // restores/<name>/
std::string restore_object_key(const std::string& name);        // .../velero-restore.json
std::string restore_log_key(const std::string& name);           // .../restore-<name>-logs.gz
std::string restore_results_key(const std::string& name);       // .../restore-<name>-results.gz

}  // namespace stillpoint::catalog
