#include "catalog/restore_keys.h"

namespace stillpoint::catalog {

std::string restore_prefix(const std::string& name) { return "restores/" + name + "/"; }
std::string restore_object_key(const std::string& name) {
  return restore_prefix(name) + "velero-restore.json";
}
std::string restore_log_key(const std::string& name) {
  return restore_prefix(name) + "restore-" + name + "-logs.gz";
}
std::string restore_results_key(const std::string& name) {
  return restore_prefix(name) + "restore-" + name + "-results.gz";
}

}  // namespace stillpoint::catalog
