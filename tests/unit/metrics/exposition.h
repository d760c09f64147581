// Reads Prometheus text exposition format 0.0.4 back into families and samples, for tests that
// check ServerMetrics' output against the format's rules. Only what those tests need: no
// timestamps, no escapes in HELP text beyond keeping them.
#pragma once

#include <cstdlib>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace stillpoint::testing {

struct Sample {
  std::string name;
  std::string labels;  // as written between the braces, e.g. schedule="",le="+Inf"
  double value = 0;
  size_t line = 0;
};

struct Family {
  std::string help;
  std::string type;
  size_t help_line = 0;
  size_t type_line = 0;
};

struct Exposition {
  std::map<std::string, Family> families;
  std::vector<Sample> samples;
  std::vector<std::string> malformed;  // lines that are neither comments nor samples

  // The value of the sample `name{labels}`, if present.
  std::optional<double> value(const std::string& name, const std::string& labels = "") const {
    for (const auto& s : samples) {
      if (s.name == name && s.labels == labels)
        return s.value;
    }
    return std::nullopt;
  }
};

inline Exposition parse_exposition(const std::string& text) {
  Exposition out;
  std::istringstream in(text);
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty())
      continue;
    if (line.rfind("# HELP ", 0) == 0 || line.rfind("# TYPE ", 0) == 0) {
      const std::string rest = line.substr(7);
      const auto sp = rest.find(' ');
      const std::string name = rest.substr(0, sp);
      const std::string text = sp == std::string::npos ? "" : rest.substr(sp + 1);
      auto& f = out.families[name];
      if (line[2] == 'H') {
        f.help = text;
        f.help_line = n;
      } else {
        f.type = text;
        f.type_line = n;
      }
      continue;
    }
    if (line[0] == '#')
      continue;
    Sample s;
    s.line = n;
    size_t i = 0;
    while (i < line.size() && line[i] != '{' && line[i] != ' ')
      ++i;
    s.name = line.substr(0, i);
    if (i < line.size() && line[i] == '{') {
      size_t j = i + 1;
      bool quoted = false;
      for (; j < line.size(); ++j) {
        if (quoted && line[j] == '\\') {
          ++j;
        } else if (line[j] == '"') {
          quoted = !quoted;
        } else if (!quoted && line[j] == '}') {
          break;
        }
      }
      if (j >= line.size()) {
        out.malformed.push_back(line);
        continue;
      }
      s.labels = line.substr(i + 1, j - i - 1);
      i = j + 1;
    }
    if (i >= line.size() || line[i] != ' ') {
      out.malformed.push_back(line);
      continue;
    }
    const std::string v = line.substr(i + 1);
    char* end = nullptr;
    s.value = std::strtod(v.c_str(), &end);
    if (end == v.c_str() || *end != '\0') {
      out.malformed.push_back(line);
      continue;
    }
    out.samples.push_back(s);
  }
  return out;
}

}  // namespace stillpoint::testing
