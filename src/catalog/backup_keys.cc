#include "catalog/backup_keys.h"

namespace stillpoint::catalog {

std::string backup_prefix(const std::string& name) { return "backups/" + name + "/"; }
std::string backup_object_key(const std::string& name) {
  return backup_prefix(name) + "velero-backup.json";
}
std::string backup_tarball_key(const std::string& name) {
  return backup_prefix(name) + name + ".tar.gz";
}
std::string backup_log_key(const std::string& name) {
  return backup_prefix(name) + name + "-logs.gz";
}
std::string backup_resource_list_key(const std::string& name) {
  return backup_prefix(name) + name + "-resource-list.json.gz";
}
std::string backup_checksums_key(const std::string& name) {
  return backup_prefix(name) + name + "-checksums.json.gz";
}

}  // namespace stillpoint::catalog
