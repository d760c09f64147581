// The resource types kubesim serves: the built-in table (core/v1, apps/v1, batch/v1, rbac,
// storage, apiextensions) plus custom resources registered when their CRD is created, and the
// legacy discovery documents derived from them (wire reference §4.1; the aggregated form is
// in aggregated_discovery.h, built from the same registry).
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::kubesim {

struct ResourceType {
  std::string group;  // "" for core
  std::vector<std::string> versions;  // served versions; the first is preferred
  std::string plural;
  std::string singular;
  std::string kind;
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> subresources;  // "status", "exec", "log", "scale"
  // Empty: every verb of a stored resource. Virtual resources (access reviews) are
  // create-only and keep nothing, so clients that list "everything" skip them.
  std::vector<std::string> verbs;
  bool custom = false;
  // Custom resources: the preferred version's openAPIV3Schema (null: none, nothing pruned) and
  // additionalPrinterColumns (null: Table output is NAME AGE).
  nlohmann::json schema;
  nlohmann::json printer_columns;

  const std::vector<std::string>& served_verbs() const;

  // The storage key, also the `resource.group` form: "pods", "deployments.apps".
  std::string key() const { return group.empty() ? plural : plural + "." + group; }
  std::string api_version(const std::string& version) const {
    return group.empty() ? version : group + "/" + version;
  }
  bool serves(const std::string& version) const;
};

class Registry {
 public:
  Registry();

  // nullptr when the group/version/plural is not served.
  const ResourceType* find(const std::string& group, const std::string& version,
                           const std::string& plural) const;
  const ResourceType* find_key(const std::string& key) const;
  bool group_version_exists(const std::string& group, const std::string& version) const;

  // Registers (or replaces) a custom resource type; returns false when its names collide
  // with a built-in type.
  bool add_custom(ResourceType type);
  void remove_custom(const std::string& key);

  std::vector<const ResourceType*> all() const;

  nlohmann::json api_versions() const;                 // GET /api
  nlohmann::json api_group_list() const;               // GET /apis
  nlohmann::json api_group(const std::string& group) const;  // GET /apis/{group}; null if unknown
  // GET /api/v1 or /apis/{group}/{version}; null if the group/version is unknown.
  nlohmann::json resource_list(const std::string& group, const std::string& version) const;

  // OpenAPI v3, just enough for kubectl: the index of group-versions, and per group-version
  // a document whose PATCH operations carry x-kubernetes-group-version-kind and the
  // fieldValidation parameter, which is how kubectl decides to validate on the server instead
  // of downloading full schemas. No schemas: kubectl then computes strategic merge patches
  // from its compiled-in types.
  nlohmann::json openapi_v3_index() const;
  nlohmann::json openapi_v3_group_version(const std::string& group,
                                          const std::string& version) const;

 private:
  std::map<std::string, std::shared_ptr<ResourceType>> types_;  // by key()
  std::vector<std::string> group_order_;  // groups in discovery order
};

}  // namespace stillpoint::kubesim
