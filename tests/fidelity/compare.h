// Two reduced answers compared, less the differences accepted in review, and the result as a
// list a person can act on: per object, the paths only one side has and the paths whose values
// differ.
//
// The accepted-differences file (tests/fidelity/accepted-differences.txt) holds one entry per
// line: `KIND PATH REASON...`. KIND is an object kind or `*`; PATH is a path as reduce.h writes
// it, without the value, where `*` stands for any run of characters; REASON, required, says why
// the difference does not matter. An entry hides every line of that path on both sides, so a
// value that differs and a path that only one side has are both accepted. `#` starts a comment
// line; blank lines are skipped.
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace stillpoint::fidelity {

// Object key (normalise.h's key()) → its reduced lines (reduce.h).
using Reduced = std::map<std::string, std::set<std::string>>;

struct AcceptedDifference {
  std::string kind;  // or "*"
  std::string path;  // `*` matches any run of characters
  std::string reason;
  bool matches(std::string_view object_kind, std::string_view path_of_line) const;
};

// Errors name the line and what is missing.
core::Result<std::vector<AcceptedDifference>> parse_accepted(std::string_view text);

struct ValueDifference {
  std::string path;
  std::vector<std::string> expected, actual;  // the values each side has at `path`
};

struct ObjectDifference {
  std::string key;
  std::vector<std::string> only_expected, only_actual;  // whole lines
  std::vector<ValueDifference> values;
};

struct Difference {
  std::vector<std::string> objects_only_expected, objects_only_actual;
  std::vector<ObjectDifference> objects;
  bool empty() const {
    return objects_only_expected.empty() && objects_only_actual.empty() && objects.empty();
  }
  size_t count() const;  // objects missing on one side, plus every differing path
};

Difference compare(const Reduced& expected,
                   const Reduced& actual,
                   const std::vector<AcceptedDifference>& accepted = {});

// The difference as text, naming the sides ("only in real 1.20:", "only in kubesim:").
std::string describe(const Difference& difference,
                     std::string_view expected_name,
                     std::string_view actual_name);

// The path of a reduced line: everything before the first `=`.
std::string_view line_path(std::string_view line);

}  // namespace stillpoint::fidelity
