// The string form of a label selector, as `kubectl -l` and Velero's `--selector` take it
// (apimachinery labels.Parse): `app=db`, `app==db`, `tier!=cache`, `env in (a,b)`,
// `env notin (a)`, `gpu`, `!gpu`, joined by commas. Converted into the LabelSelector object
// form so one validator (LabelSelector::from_json) judges both.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "core/label_selector.h"
#include "core/result.h"

namespace stillpoint::core {

// {"matchLabels": {...}, "matchExpressions": [...]}; InvalidArgument naming the flag and the
// offending part ("--selector: "a in b": expected '(' after in").
Result<nlohmann::json> selector_string_to_json(std::string_view text, std::string_view flag);

// Parsed and validated.
Result<LabelSelector> parse_selector_string(std::string_view text, std::string_view flag);

}  // namespace stillpoint::core
