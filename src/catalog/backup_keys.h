// Object-store keys of a backup: Velero's layout (wire-protocol reference §6.2).
#pragma once

#include <string>

namespace stillpoint::catalog {

std::string backup_prefix(const std::string& name);       // backups/<name>/
std::string backup_object_key(const std::string& name);   // .../velero-backup.json
std::string backup_tarball_key(const std::string& name);  // .../<name>.tar.gz
std::string backup_log_key(const std::string& name);      // .../<name>-logs.gz
std::string backup_resource_list_key(const std::string& name);  // ...-resource-list.json.gz
std::string backup_checksums_key(const std::string& name);  // .../<name>-checksums.json.gz

}  // namespace stillpoint::catalog
