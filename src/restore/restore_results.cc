#include "restore/restore_results.h"

namespace stillpoint::restore {

void RestoreResults::Messages::add(const std::string& ns, std::string message) {
  ++count;
  if (ns.empty()) {
    cluster.push_back(std::move(message));
  } else {
    namespaces[ns].push_back(std::move(message));
  }
}

nlohmann::json RestoreResults::Messages::to_json() const {
  nlohmann::json j = nlohmann::json::object();
  if (!restore.empty()) j["velero"] = restore;
  if (!cluster.empty()) j["cluster"] = cluster;
  if (!namespaces.empty()) j["namespaces"] = namespaces;
  return j;
}

void RestoreResults::warning(const std::string& ns, std::string message) {
  warnings_.add(ns, std::move(message));
}
void RestoreResults::error(const std::string& ns, std::string message) {
  errors_.add(ns, std::move(message));
}
void RestoreResults::restore_warning(std::string message) {
  ++warnings_.count;
  warnings_.restore.push_back(std::move(message));
}
void RestoreResults::restore_error(std::string message) {
  ++errors_.count;
  errors_.restore.push_back(std::move(message));
}

nlohmann::json RestoreResults::to_json() const {
  return {{"warnings", warnings_.to_json()}, {"errors", errors_.to_json()}};
}

}  // namespace stillpoint::restore
