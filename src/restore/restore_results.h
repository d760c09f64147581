// Warnings and errors of a restore, by where they happened — Velero's results file
// (restore-<name>-results.gz: {"warnings": {"velero": [], "cluster": [], "namespaces":
// {"ns": []}}, "errors": {...}}), which `restore describe` prints per namespace.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::restore {

class RestoreResults {
 public:
  // `namespace_name` empty: a cluster-scoped object.
  void warning(const std::string& namespace_name, std::string message);
  void error(const std::string& namespace_name, std::string message);
  // Problems of the restore itself rather than of one object (unreadable archive entry, ...).
  void restore_warning(std::string message);
  void restore_error(std::string message);

  int warnings() const { return warnings_.count; }
  int errors() const { return errors_.count; }

  nlohmann::json to_json() const;

 private:
  struct Messages {
    std::vector<std::string> restore;
    std::vector<std::string> cluster;
    std::map<std::string, std::vector<std::string>> namespaces;
    int count = 0;
    void add(const std::string& ns, std::string message);
    nlohmann::json to_json() const;
  };
  Messages warnings_;
  Messages errors_;
};

}  // namespace stillpoint::restore
