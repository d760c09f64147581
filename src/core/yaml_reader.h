// YAML text → JSON values, one per document, with libyaml's event parser.
//
// Why libyaml and not yaml-cpp (which we still use to *write* YAML): yaml-cpp 0.7, the
// version Debian 12 ships, loops forever allocating memory on inputs as small as ",a"
// (found by fuzz/pod_annotations_fuzz.cc). libyaml is the parser PyYAML and Ruby use and is
// continuously fuzzed upstream; its parser is iterative, so deep nesting cannot overflow the
// stack either.
//
// Scalars follow YAML 1.2's core schema (see documents.h). Duplicate keys are an error: a
// Kubernetes API server rejects them too, and the second value silently winning hides typos.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::core {

struct YamlDocument {
  size_t index = 0;  // 1-based
  nlohmann::json value;
};

// Empty documents are returned as null values; the caller decides whether to skip them.
Result<std::vector<YamlDocument>> read_yaml_documents(std::string_view text,
                                                      const std::string& origin,
                                                      size_t max_nodes,
                                                      size_t max_depth);

// YAML 1.2 core schema resolution of a plain scalar (null, bool, int, float, else string).
nlohmann::json resolve_plain_scalar(const std::string& text);

}  // namespace stillpoint::core
