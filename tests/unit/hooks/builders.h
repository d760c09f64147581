// Builders for hook tests: pods as the API server would return them, and Backup/Restore specs
// from YAML, so that each test states only what matters to it.
//
//   Pod pod = PodBuilder("ns", "db-0").container("app").annotation(k, v).build();
//   BackupSpec spec = backup_spec(R"(hooks: {resources: [...]})");
//
// Pods go through pod_from_json and specs through the real spec parser, so the tests also
// cover the decoding users' files go through.
#pragma once

#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/documents.h"
#include "hooks/finding.h"
#include "hooks/pod.h"
#include "hooks/spec_file.h"

namespace stillpoint::hooks::testing {

class PodBuilder {
 public:
  PodBuilder(std::string namespace_name, std::string name) {
    pod_ = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", std::move(name)}, {"namespace", std::move(namespace_name)}}},
            {"spec", {{"containers", nlohmann::json::array()}}},
            {"status", {{"phase", "Running"}}}};
  }

  PodBuilder& container(const std::string& name) {
    pod_["spec"]["containers"].push_back({{"name", name}, {"image", "img/" + name}});
    return *this;
  }
  // A plain init container (runs to completion before the pod starts).
  PodBuilder& init_container(const std::string& name) {
    pod_["spec"]["initContainers"].push_back({{"name", name}, {"image", "img/" + name}});
    return *this;
  }
  // A native sidecar: an init container with restartPolicy: Always.
  PodBuilder& sidecar(const std::string& name) {
    pod_["spec"]["initContainers"].push_back(
        {{"name", name}, {"image", "img/" + name}, {"restartPolicy", "Always"}});
    return *this;
  }
  // An emptyDir volume (what an init container may mount).
  PodBuilder& volume(const std::string& name) {
    pod_["spec"]["volumes"].push_back({{"name", name}, {"emptyDir", nlohmann::json::object()}});
    return *this;
  }
  PodBuilder& label(const std::string& key, const std::string& value) {
    pod_["metadata"]["labels"][key] = value;
    return *this;
  }
  PodBuilder& annotation(const std::string& key, const std::string& value) {
    pod_["metadata"]["annotations"][key] = value;
    return *this;
  }
  PodBuilder& phase(const std::string& phase) {
    pod_["status"]["phase"] = phase;
    return *this;
  }
  PodBuilder& deleting() {
    pod_["metadata"]["deletionTimestamp"] = "2026-01-01T00:00:00Z";
    return *this;
  }
  // state: "running", "waiting" or "terminated".
  PodBuilder& container_status(const std::string& name, const std::string& state, bool ready) {
    pod_["status"]["containerStatuses"].push_back(
        {{"name", name}, {"ready", ready}, {"state", {{state, nlohmann::json::object()}}}});
    return *this;
  }

  const nlohmann::json& json() const { return pod_; }

  Pod build() const {
    auto pod = pod_from_json(pod_, "test pod");
    EXPECT_TRUE(pod.has_value()) << pod.error().message;
    return pod.has_value() ? *pod : Pod{};
  }

 private:
  nlohmann::json pod_;
};

// "apiVersion/kind/metadata" around a spec body written at column 0.
inline std::string spec_document(std::string_view kind, std::string_view body) {
  std::string out = "apiVersion: velero.io/v1\nkind: " + std::string(kind) +
                    "\nmetadata:\n  name: test\nspec:\n";
  std::istringstream lines{std::string(body)};
  for (std::string line; std::getline(lines, line);) {
    out += "  " + line + "\n";
  }
  return out;
}

// Parses a whole spec file's text (YAML or JSON) as load_spec_file would, origin "spec.yaml".
inline core::Result<ParsedSpec> parse_spec_text(std::string_view text) {
  auto docs = core::parse_documents(text, "spec.yaml");
  if (!docs) {
    return core::unexpected(docs.error());
  }
  if (docs->size() != 1) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "expected one document");
  }
  return parse_spec_object(docs->front().value,
                           "spec.yaml: document " + std::to_string(docs->front().index));
}

inline BackupSpec backup_spec(std::string_view body) {
  auto parsed = parse_spec_text(spec_document("Backup", body));
  EXPECT_TRUE(parsed.has_value()) << parsed.error().message;
  if (!parsed.has_value() || parsed->is_restore()) {
    ADD_FAILURE() << "not a Backup spec";
    return {};
  }
  return std::get<BackupSpec>(parsed->spec);
}

inline RestoreSpec restore_spec(std::string_view body) {
  auto parsed = parse_spec_text(spec_document("Restore", body));
  EXPECT_TRUE(parsed.has_value()) << parsed.error().message;
  if (!parsed.has_value() || !parsed->is_restore()) {
    ADD_FAILURE() << "not a Restore spec";
    return {};
  }
  return std::get<RestoreSpec>(parsed->spec);
}

// Messages of findings, for EXPECT_THAT(..., Contains(...)).
inline std::vector<std::string> messages(const std::vector<Finding>& findings) {
  std::vector<std::string> out;
  for (const auto& f : findings) {
    out.push_back(f.message);
  }
  return out;
}

}  // namespace stillpoint::hooks::testing
