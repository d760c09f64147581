// Reading user files that hold Kubernetes objects: JSON, or YAML with one or more documents
// ("---"), decoded into nlohmann::json so that every later step sees one object model.
//
// YAML scalars follow YAML 1.2's core schema (what kubectl's decoder does for JSON-compatible
// values): quoted scalars are strings; plain `true`/`false`, `null`/`~`, integers and floats
// are typed; everything else is a string. `yes`/`on` stay strings. Aliases are expanded with a
// node budget so a hostile file cannot explode memory.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::core {

inline constexpr size_t kMaxDocumentNodes = 50'000'000;
inline constexpr size_t kMaxDocumentDepth = 200;
// Without aliases a YAML text holds at most about one node per byte, so alias expansion is
// bounded relative to the input: kAliasExpansionFactor nodes per byte, at least
// kMinDocumentNodeBudget, at most kMaxDocumentNodes. A flat 50M budget let a 500-byte
// "billion laughs" file materialise 50M nodes (3.6 GB, seconds) before being refused.
inline constexpr size_t kMinDocumentNodeBudget = 1'000'000;
inline constexpr size_t kAliasExpansionFactor = 16;
inline constexpr size_t document_node_budget(size_t text_size) {
  const size_t scaled = text_size > kMaxDocumentNodes / kAliasExpansionFactor
                            ? kMaxDocumentNodes
                            : text_size * kAliasExpansionFactor;
  return scaled < kMinDocumentNodeBudget ? kMinDocumentNodeBudget : scaled;
}

struct Document {
  size_t index = 0;  // 1-based position in the file, for messages ("document 2")
  nlohmann::json value;
};

// Parses text; `origin` names it in errors ("pods.yaml: document 2: line 4: ...").
// Empty YAML documents are skipped.
Result<std::vector<Document>> parse_documents(std::string_view text, const std::string& origin);

// Reads and parses a file; "-" reads standard input.
Result<std::vector<Document>> load_documents(const std::string& path);

Result<std::string> read_file(const std::string& path);

// Block-style YAML of a JSON value, keys in the value's order. Strings that YAML would read
// as something else are quoted.
std::string to_yaml(const nlohmann::json& value);
std::string to_yaml(const nlohmann::ordered_json& value);

}  // namespace stillpoint::core
