#include "compare.h"

#include <algorithm>
#include <sstream>

namespace stillpoint::fidelity {
namespace {

// `*` any run of characters; everything else literal (paths hold `[`, `{` and `.`, which a
// richer glob would read as syntax).
bool star_match(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0, star = std::string_view::npos, resume = 0;
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      resume = t;
    } else if (p < pattern.size() && pattern[p] == text[t]) {
      ++p;
      ++t;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*')
    ++p;
  return p == pattern.size();
}

std::string_view kind_of(std::string_view key) {
  return key.substr(0, key.find(' '));
}

// path → the values (or "" for a value-less line) of one object's lines not accepted.
std::map<std::string, std::set<std::string>> by_path(
    const std::set<std::string>& lines,
    std::string_view kind,
    const std::vector<AcceptedDifference>& accepted) {
  std::map<std::string, std::set<std::string>> out;
  for (const std::string& line : lines) {
    const std::string_view path = line_path(line);
    const bool hidden = std::any_of(accepted.begin(), accepted.end(),
                                    [&](const auto& a) { return a.matches(kind, path); });
    if (!hidden)
      out[std::string(path)].insert(line);
  }
  return out;
}

std::vector<std::string> values_of(const std::set<std::string>& lines) {
  std::vector<std::string> out;
  for (const std::string& line : lines) {
    const size_t eq = line.find('=');
    out.push_back(eq == std::string::npos ? "(no value)" : line.substr(eq + 1));
  }
  return out;
}

std::string join(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values)
    out += (out.empty() ? "" : " | ") + v;
  return out;
}

}  // namespace

std::string_view line_path(std::string_view line) {
  return line.substr(0, line.find('='));
}

bool AcceptedDifference::matches(std::string_view object_kind, std::string_view text) const {
  return (kind == "*" || kind == object_kind) && star_match(path, text);
}

core::Result<std::vector<AcceptedDifference>> parse_accepted(std::string_view text) {
  std::vector<AcceptedDifference> out;
  std::istringstream in{std::string(text)};
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::istringstream fields(line);
    AcceptedDifference a;
    fields >> a.kind >> a.path;
    if (a.kind.empty() || a.kind[0] == '#')
      continue;
    std::getline(fields >> std::ws, a.reason);
    if (a.path.empty() || a.reason.empty()) {
      return core::unexpected(core::Error{
          core::ErrorCode::InvalidArgument,
          "line " + std::to_string(number) + ": want `KIND PATH REASON...`, got: " + line});
    }
    out.push_back(std::move(a));
  }
  return out;
}

size_t Difference::count() const {
  size_t n = objects_only_expected.size() + objects_only_actual.size();
  for (const ObjectDifference& o : objects) {
    n += o.only_expected.size() + o.only_actual.size() + o.values.size();
  }
  return n;
}

Difference compare(const Reduced& expected,
                   const Reduced& actual,
                   const std::vector<AcceptedDifference>& accepted) {
  Difference d;
  for (const auto& [key, lines] : expected) {
    if (actual.count(key) == 0)
      d.objects_only_expected.push_back(key);
  }
  for (const auto& [key, lines] : actual) {
    if (expected.count(key) == 0)
      d.objects_only_actual.push_back(key);
  }
  for (const auto& [key, want_lines] : expected) {
    const auto found = actual.find(key);
    if (found == actual.end())
      continue;
    const auto want = by_path(want_lines, kind_of(key), accepted);
    const auto got = by_path(found->second, kind_of(key), accepted);
    ObjectDifference o{key, {}, {}, {}};
    for (const auto& [path, lines] : want) {
      const auto other = got.find(path);
      if (other == got.end()) {
        o.only_expected.insert(o.only_expected.end(), lines.begin(), lines.end());
      } else if (other->second != lines) {
        o.values.push_back({path, values_of(lines), values_of(other->second)});
      }
    }
    for (const auto& [path, lines] : got) {
      if (want.count(path) == 0)
        o.only_actual.insert(o.only_actual.end(), lines.begin(), lines.end());
    }
    if (!o.only_expected.empty() || !o.only_actual.empty() || !o.values.empty()) {
      d.objects.push_back(std::move(o));
    }
  }
  return d;
}

std::string describe(const Difference& d,
                     std::string_view expected_name,
                     std::string_view actual_name) {
  std::ostringstream out;
  for (const std::string& key : d.objects_only_expected) {
    out << key << ": the whole object is only in " << expected_name << "\n";
  }
  for (const std::string& key : d.objects_only_actual) {
    out << key << ": the whole object is only in " << actual_name << "\n";
  }
  for (const ObjectDifference& o : d.objects) {
    out << o.key << ":\n";
    for (const std::string& line : o.only_expected) {
      out << "  only in " << expected_name << ": " << line << "\n";
    }
    for (const std::string& line : o.only_actual) {
      out << "  only in " << actual_name << ": " << line << "\n";
    }
    for (const ValueDifference& v : o.values) {
      out << "  value differs: " << v.path << ": " << expected_name << " " << join(v.expected)
          << ", " << actual_name << " " << join(v.actual) << "\n";
    }
  }
  out << d.count() << " difference(s)\n";
  return out.str();
}

}  // namespace stillpoint::fidelity
