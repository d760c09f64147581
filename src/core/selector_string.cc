#include "core/selector_string.h"

#include <string>
#include <vector>

namespace stillpoint::core {
namespace {

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return std::string(s.substr(b, e - b));
}

// Splits on commas outside parentheses: "a in (x,y),b" → ["a in (x,y)", "b"].
Result<std::vector<std::string>> split_requirements(std::string_view text, std::string_view flag) {
  std::vector<std::string> parts;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    const char c = i < text.size() ? text[i] : ',';
    if (c == '(') {
      if (++depth > 1) {
        return unexpected(ErrorCode::InvalidArgument,
                          std::string(flag) + ": nested '(' in \"" + std::string(text) + "\"");
      }
    } else if (c == ')') {
      if (--depth < 0) {
        return unexpected(ErrorCode::InvalidArgument,
                          std::string(flag) + ": unbalanced ')' in \"" + std::string(text) + "\"");
      }
    } else if (c == ',' && depth == 0) {
      parts.push_back(trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  if (depth != 0) {
    return unexpected(ErrorCode::InvalidArgument,
                      std::string(flag) + ": missing ')' in \"" + std::string(text) + "\"");
  }
  return parts;
}

Result<nlohmann::json> set_expression(std::string key,
                                      const char* op,
                                      std::string_view values_text,
                                      const std::string& part,
                                      std::string_view flag) {
  std::string v = trim(values_text);
  if (v.size() < 2 || v.front() != '(' || v.back() != ')') {
    return unexpected(ErrorCode::InvalidArgument, std::string(flag) + ": \"" + part +
                                                      "\": expected a list like (a,b) after " +
                                                      (std::string(op) == "In" ? "in" : "notin"));
  }
  nlohmann::json values = nlohmann::json::array();
  std::string_view inner(v);
  inner = inner.substr(1, inner.size() - 2);
  size_t start = 0;
  for (size_t i = 0; i <= inner.size(); ++i) {
    if (i == inner.size() || inner[i] == ',') {
      values.push_back(trim(inner.substr(start, i - start)));
      start = i + 1;
    }
  }
  return nlohmann::json{{"key", std::move(key)}, {"operator", op}, {"values", std::move(values)}};
}

// Finds " in " / " notin " as a word after the key.
bool split_word(const std::string& part, std::string_view word, std::string& key,
                std::string& rest) {
  const std::string padded = " " + std::string(word) + " ";
  auto pos = part.find(padded);
  if (pos == std::string::npos) {
    // "a in(x)" is accepted by apimachinery too.
    const std::string open = " " + std::string(word) + "(";
    pos = part.find(open);
    if (pos == std::string::npos) return false;
    key = trim(std::string_view(part).substr(0, pos));
    rest = part.substr(pos + open.size() - 1);
    return true;
  }
  key = trim(std::string_view(part).substr(0, pos));
  rest = part.substr(pos + padded.size());
  return true;
}

}  // namespace

Result<nlohmann::json> selector_string_to_json(std::string_view text, std::string_view flag) {
  nlohmann::json match_labels = nlohmann::json::object();
  nlohmann::json expressions = nlohmann::json::array();
  const std::string whole = trim(text);
  if (whole.empty()) {
    return nlohmann::json::object();
  }
  auto parts = split_requirements(whole, flag);
  if (!parts) return unexpected(parts.error());
  for (const std::string& part : *parts) {
    if (part.empty()) {
      return unexpected(ErrorCode::InvalidArgument,
                        std::string(flag) + ": empty requirement in \"" + whole + "\"");
    }
    std::string key;
    std::string rest;
    if (split_word(part, "notin", key, rest)) {
      auto e = set_expression(key, "NotIn", rest, part, flag);
      if (!e) return e;
      expressions.push_back(std::move(*e));
    } else if (split_word(part, "in", key, rest)) {
      auto e = set_expression(key, "In", rest, part, flag);
      if (!e) return e;
      expressions.push_back(std::move(*e));
    } else if (auto ne = part.find("!="); ne != std::string::npos) {
      expressions.push_back({{"key", trim(std::string_view(part).substr(0, ne))},
                             {"operator", "NotIn"},
                             {"values", {trim(std::string_view(part).substr(ne + 2))}}});
    } else if (auto eq = part.find('='); eq != std::string::npos) {
      const size_t value_at = part.compare(eq, 2, "==") == 0 ? eq + 2 : eq + 1;
      const std::string k = trim(std::string_view(part).substr(0, eq));
      const std::string v = trim(std::string_view(part).substr(value_at));
      if (match_labels.contains(k) && match_labels[k] != v) {
        // Two different equalities on one key select nothing; keep both as expressions.
        expressions.push_back({{"key", k}, {"operator", "In"}, {"values", {v}}});
      } else {
        match_labels[k] = v;
      }
    } else if (part.front() == '!') {
      expressions.push_back(
          {{"key", trim(std::string_view(part).substr(1))}, {"operator", "DoesNotExist"}});
    } else {
      expressions.push_back({{"key", part}, {"operator", "Exists"}});
    }
  }
  nlohmann::json out = nlohmann::json::object();
  if (!match_labels.empty()) out["matchLabels"] = std::move(match_labels);
  if (!expressions.empty()) out["matchExpressions"] = std::move(expressions);
  return out;
}

Result<LabelSelector> parse_selector_string(std::string_view text, std::string_view flag) {
  auto json = selector_string_to_json(text, flag);
  if (!json) return unexpected(json.error());
  return LabelSelector::from_json(*json, std::string(flag));
}

}  // namespace stillpoint::core
