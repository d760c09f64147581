#include "core/label_selector.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "core/json_fields.h"
#include "core/text.h"

namespace stillpoint::core {
namespace {

bool is_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// [A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?, at most 63 characters.
std::string check_name_part(const std::string& s, std::string_view what) {
  if (s.empty()) {
    return std::string(what) + " must not be empty";
  }
  if (s.size() > 63) {
    return std::string(what) + " must be no more than 63 characters";
  }
  if (!is_alnum(s.front()) || !is_alnum(s.back())) {
    return std::string(what) + " must begin and end with an alphanumeric character";
  }
  for (char c : s) {
    if (!is_alnum(c) && c != '-' && c != '_' && c != '.') {
      return std::string(what) + " may contain only alphanumerics, '-', '_' and '.'";
    }
  }
  return {};
}

// DNS-1123 subdomain: lowercase alphanumerics, '-' and '.', at most 253 characters.
std::string check_prefix(const std::string& s) {
  if (s.empty() || s.size() > 253) {
    return "prefix must be a DNS subdomain of 1 to 253 characters";
  }
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
    if (!ok) {
      return "prefix must be a lowercase DNS subdomain";
    }
  }
  return {};
}

}  // namespace

std::string check_label_key(const std::string& key) {
  const auto slash = key.find('/');
  if (slash == std::string::npos) {
    return check_name_part(key, "name part");
  }
  if (auto err = check_prefix(key.substr(0, slash)); !err.empty()) {
    return err;
  }
  return check_name_part(key.substr(slash + 1), "name part");
}

std::string check_label_value(const std::string& value) {
  if (value.empty()) {
    return {};
  }
  return check_name_part(value, "value");
}

Result<LabelSelector> LabelSelector::from_json(const nlohmann::json& value,
                                               const std::string& field) {
  if (!value.is_object()) {
    return unexpected(ErrorCode::InvalidArgument,
                      field + ": expected an object, got " + describe_json(value));
  }
  LabelSelector selector;
  if (auto it = value.find("matchLabels"); it != value.end() && !it->is_null()) {
    const std::string path = field + ".matchLabels";
    auto labels = string_map(*it, path);
    if (!labels) {
      return unexpected(labels.error());
    }
    for (const auto& [k, v] : *labels) {
      if (auto err = check_label_key(k); !err.empty()) {
        return unexpected(ErrorCode::InvalidArgument,
                          path + ": invalid label key " + go_quote(k) + ": " + err);
      }
      if (auto err = check_label_value(v); !err.empty()) {
        return unexpected(ErrorCode::InvalidArgument, path + "[" + go_quote(k) +
                                                          "]: invalid label value " +
                                                          go_quote(v) + ": " + err);
      }
      selector.requirements_.push_back({k, LabelRequirement::Operator::In, {v}});
    }
  }
  if (auto it = value.find("matchExpressions"); it != value.end() && !it->is_null()) {
    const std::string path = field + ".matchExpressions";
    if (!it->is_array()) {
      return unexpected(ErrorCode::InvalidArgument,
                        path + ": expected a list, got " + describe_json(*it));
    }
    for (size_t i = 0; i < it->size(); ++i) {
      const auto& expr = (*it)[i];
      const std::string at = path + "[" + std::to_string(i) + "]";
      if (!expr.is_object()) {
        return unexpected(ErrorCode::InvalidArgument,
                          at + ": expected an object, got " + describe_json(expr));
      }
      auto key = string_field(expr, "key", at);
      auto op = string_field(expr, "operator", at);
      if (!key) {
        return unexpected(key.error());
      }
      if (!op) {
        return unexpected(op.error());
      }
      std::vector<std::string> values;
      if (auto v = expr.find("values"); v != expr.end() && !v->is_null()) {
        auto list = string_list(*v, at + ".values");
        if (!list) {
          return unexpected(list.error());
        }
        values = std::move(*list);
      }
      LabelRequirement req{*key, LabelRequirement::Operator::Exists, values};
      if (*op == "In") {
        req.op = LabelRequirement::Operator::In;
      } else if (*op == "NotIn") {
        req.op = LabelRequirement::Operator::NotIn;
      } else if (*op == "Exists") {
        req.op = LabelRequirement::Operator::Exists;
      } else if (*op == "DoesNotExist") {
        req.op = LabelRequirement::Operator::DoesNotExist;
      } else {
        return unexpected(ErrorCode::InvalidArgument,
                          at + ".operator: " + go_quote(*op) +
                              " is not a valid label selector operator");
      }
      if (auto err = check_label_key(req.key); !err.empty()) {
        return unexpected(ErrorCode::InvalidArgument,
                          at + ".key: invalid label key " + go_quote(req.key) + ": " + err);
      }
      const bool set_op = req.op == LabelRequirement::Operator::In ||
                          req.op == LabelRequirement::Operator::NotIn;
      if (set_op && req.values.empty()) {
        return unexpected(ErrorCode::InvalidArgument,
                          at + ".values: for 'In', 'NotIn' operators, values set can't be empty");
      }
      if (!set_op && !req.values.empty()) {
        return unexpected(
            ErrorCode::InvalidArgument,
            at + ".values: values set must be empty for 'Exists' and 'DoesNotExist' operators");
      }
      for (const auto& v : req.values) {
        if (auto err = check_label_value(v); !err.empty()) {
          return unexpected(ErrorCode::InvalidArgument,
                            at + ".values: invalid label value " + go_quote(v) + ": " + err);
        }
      }
      selector.requirements_.push_back(std::move(req));
    }
  }
  return selector;
}

bool LabelSelector::matches(const Labels& labels) const {
  for (const auto& req : requirements_) {
    const auto it = labels.find(req.key);
    const bool has = it != labels.end();
    switch (req.op) {
      case LabelRequirement::Operator::In:
        if (!has || std::find(req.values.begin(), req.values.end(), it->second) ==
                        req.values.end()) {
          return false;
        }
        break;
      case LabelRequirement::Operator::NotIn:
        if (has && std::find(req.values.begin(), req.values.end(), it->second) !=
                       req.values.end()) {
          return false;
        }
        break;
      case LabelRequirement::Operator::Exists:
        if (!has) {
          return false;
        }
        break;
      case LabelRequirement::Operator::DoesNotExist:
        if (has) {
          return false;
        }
        break;
    }
  }
  return true;
}

std::string LabelSelector::to_string() const {
  std::vector<std::string> parts;
  for (const auto& req : requirements_) {
    switch (req.op) {
      case LabelRequirement::Operator::In:
        parts.push_back(req.values.size() == 1 ? req.key + "=" + req.values[0]
                                               : req.key + " in (" + join(req.values, ",") + ")");
        break;
      case LabelRequirement::Operator::NotIn:
        parts.push_back(req.key + " notin (" + join(req.values, ",") + ")");
        break;
      case LabelRequirement::Operator::Exists:
        parts.push_back(req.key);
        break;
      case LabelRequirement::Operator::DoesNotExist:
        parts.push_back("!" + req.key);
        break;
    }
  }
  return join(parts, ",");
}

}  // namespace stillpoint::core
