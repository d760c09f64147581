// metav1.LabelSelector: matchLabels and matchExpressions, validated and matched as Kubernetes
// does (apimachinery's LabelSelectorAsSelector). A nil selector (std::nullopt at the call
// site) selects nothing-filtered; an empty one selects everything.
//
// This file does not parse the string form (`app=db,tier in (a,b)`); that lives with the
// client code that sends it.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "core/result.h"

namespace stillpoint::core {

using Labels = std::map<std::string, std::string, std::less<>>;

struct LabelRequirement {
  enum class Operator { In, NotIn, Exists, DoesNotExist };
  std::string key;
  Operator op = Operator::Exists;
  std::vector<std::string> values;
};

class LabelSelector {
 public:
  // Decodes and validates a LabelSelector object. `field` is the path used in error
  // messages, e.g. `spec.hooks.resources[0].labelSelector`. Errors follow Kubernetes'
  // wording where one exists (`"nonexistent-operator" is not a valid label selector
  // operator`), prefixed with the field path.
  static Result<LabelSelector> from_json(const nlohmann::json& value, const std::string& field);

  bool matches(const Labels& labels) const;
  bool empty() const { return requirements_.empty(); }

  // The string form kubectl prints ("app=db,tier in (a,b)"), for tables and logs.
  std::string to_string() const;

 private:
  std::vector<LabelRequirement> requirements_;
};

// Label key and value syntax checks (qualified name; value ≤ 63 chars of [-A-Za-z0-9_.]).
// Return an empty string when valid, else what is wrong.
std::string check_label_key(const std::string& key);
std::string check_label_value(const std::string& value);

}  // namespace stillpoint::core
