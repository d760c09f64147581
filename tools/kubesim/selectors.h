// The string forms of label and field selectors as they arrive in `?labelSelector=` and
// `?fieldSelector=` (wire reference §3.5), parsed once per request and matched against stored
// objects. Field selectors accept any dotted path into the object (the real server allows only
// a per-type list); that leniency is deliberate, a test double should not reject what a
// client may legitimately send.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::kubesim {

class LabelQuery {
 public:
  static core::Result<LabelQuery> parse(std::string_view text);
  // `labels` is metadata.labels (object or null).
  bool matches(const nlohmann::json& labels) const;
  bool empty() const { return terms_.empty(); }

 private:
  enum class Op { Equals, NotEquals, In, NotIn, Exists, DoesNotExist };
  struct Term {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };
  std::vector<Term> terms_;
};

class FieldQuery {
 public:
  static core::Result<FieldQuery> parse(std::string_view text);
  bool matches(const nlohmann::json& object) const;
  bool empty() const { return terms_.empty(); }
  // The value required for `path` by an `=` term, if any (used to find an object directly).
  const std::string* equals_value(const std::string& path) const;

 private:
  struct Term {
    std::string path;  // "metadata.name"
    bool negate = false;
    std::string value;
  };
  std::vector<Term> terms_;
};

}  // namespace stillpoint::kubesim
