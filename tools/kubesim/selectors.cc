#include "selectors.h"

#include <algorithm>
#include <cctype>

namespace stillpoint::kubesim {
namespace {

using core::ErrorCode;
using core::unexpected;

std::string trim(std::string_view s) {
  size_t b = 0;
  size_t e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) {
    ++b;
  }
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) {
    --e;
  }
  return std::string(s.substr(b, e - b));
}

// Splits on commas that are not inside parentheses: "a in (x,y),b" → ["a in (x,y)", "b"].
std::vector<std::string> split_terms(std::string_view text) {
  std::vector<std::string> out;
  int depth = 0;
  size_t start = 0;
  for (size_t i = 0; i <= text.size(); ++i) {
    if (i == text.size() || (text[i] == ',' && depth == 0)) {
      std::string t = trim(text.substr(start, i - start));
      if (!t.empty()) {
        out.push_back(t);
      }
      start = i + 1;
    } else if (text[i] == '(') {
      ++depth;
    } else if (text[i] == ')') {
      --depth;
    }
  }
  return out;
}

std::string label_value(const nlohmann::json& labels, const std::string& key, bool* present) {
  *present = false;
  if (!labels.is_object()) {
    return {};
  }
  auto it = labels.find(key);
  if (it == labels.end() || !it->is_string()) {
    return {};
  }
  *present = true;
  return it->get<std::string>();
}

}  // namespace

core::Result<LabelQuery> LabelQuery::parse(std::string_view text) {
  LabelQuery q;
  for (const std::string& term : split_terms(text)) {
    Term t;
    size_t paren = term.find('(');
    if (paren != std::string::npos) {
      // set-based: "key in (a,b)" / "key notin (a,b)"
      if (term.back() != ')') {
        return unexpected(ErrorCode::InvalidArgument, "unable to parse requirement: " + term);
      }
      std::string head = trim(std::string_view(term).substr(0, paren));
      size_t sp = head.find_last_of(" \t");
      if (sp == std::string::npos) {
        return unexpected(ErrorCode::InvalidArgument, "unable to parse requirement: " + term);
      }
      std::string op = trim(std::string_view(head).substr(sp + 1));
      t.key = trim(std::string_view(head).substr(0, sp));
      if (op == "in") {
        t.op = Op::In;
      } else if (op == "notin") {
        t.op = Op::NotIn;
      } else {
        return unexpected(ErrorCode::InvalidArgument, "unable to parse requirement: " + term);
      }
      for (const std::string& v :
           split_terms(std::string_view(term).substr(paren + 1, term.size() - paren - 2))) {
        t.values.push_back(v);
      }
    } else if (size_t ne = term.find("!="); ne != std::string::npos) {
      t.key = trim(std::string_view(term).substr(0, ne));
      t.op = Op::NotEquals;
      t.values = {trim(std::string_view(term).substr(ne + 2))};
    } else if (size_t eq = term.find('='); eq != std::string::npos) {
      size_t len = term.compare(eq, 2, "==") == 0 ? 2 : 1;
      t.key = trim(std::string_view(term).substr(0, eq));
      t.op = Op::Equals;
      t.values = {trim(std::string_view(term).substr(eq + len))};
    } else if (term[0] == '!') {
      t.key = trim(std::string_view(term).substr(1));
      t.op = Op::DoesNotExist;
    } else {
      t.key = term;
      t.op = Op::Exists;
    }
    if (t.key.empty() || t.key.find_first_of(" \t()=!") != std::string::npos) {
      return unexpected(ErrorCode::InvalidArgument, "unable to parse requirement: " + term);
    }
    q.terms_.push_back(std::move(t));
  }
  return q;
}

bool LabelQuery::matches(const nlohmann::json& labels) const {
  for (const Term& t : terms_) {
    bool present = false;
    std::string v = label_value(labels, t.key, &present);
    bool in_values = std::find(t.values.begin(), t.values.end(), v) != t.values.end();
    switch (t.op) {
      case Op::Equals:
      case Op::In:
        if (!present || !in_values) {
          return false;
        }
        break;
      case Op::NotEquals:
      case Op::NotIn:
        if (present && in_values) {
          return false;
        }
        break;
      case Op::Exists:
        if (!present) {
          return false;
        }
        break;
      case Op::DoesNotExist:
        if (present) {
          return false;
        }
        break;
    }
  }
  return true;
}

core::Result<FieldQuery> FieldQuery::parse(std::string_view text) {
  FieldQuery q;
  for (const std::string& term : split_terms(text)) {
    Term t;
    size_t pos = term.find("!=");
    size_t len = 2;
    if (pos != std::string::npos) {
      t.negate = true;
    } else if ((pos = term.find("==")) == std::string::npos) {
      pos = term.find('=');
      len = 1;
    }
    if (pos == std::string::npos) {
      return unexpected(ErrorCode::InvalidArgument,
                        "invalid selector: '" + term + "'; can't understand '" + term + "'");
    }
    t.path = trim(std::string_view(term).substr(0, pos));
    t.value = trim(std::string_view(term).substr(pos + len));
    if (t.path.empty()) {
      return unexpected(ErrorCode::InvalidArgument, "invalid selector: '" + term + "'");
    }
    q.terms_.push_back(std::move(t));
  }
  return q;
}

bool FieldQuery::matches(const nlohmann::json& object) const {
  for (const Term& t : terms_) {
    const nlohmann::json* cur = &object;
    size_t start = 0;
    while (cur != nullptr && start <= t.path.size()) {
      size_t dot = t.path.find('.', start);
      std::string part = t.path.substr(start, dot == std::string::npos ? dot : dot - start);
      if (!cur->is_object() || !cur->contains(part)) {
        cur = nullptr;
        break;
      }
      cur = &(*cur)[part];
      if (dot == std::string::npos) {
        break;
      }
      start = dot + 1;
    }
    std::string actual;
    if (cur != nullptr) {
      if (cur->is_string()) {
        actual = cur->get<std::string>();
      } else if (!cur->is_null()) {
        actual = cur->dump();
      }
    }
    if ((actual == t.value) == t.negate) {
      return false;
    }
  }
  return true;
}

const std::string* FieldQuery::equals_value(const std::string& path) const {
  for (const Term& t : terms_) {
    if (t.path == path && !t.negate) {
      return &t.value;
    }
  }
  return nullptr;
}

}  // namespace stillpoint::kubesim
