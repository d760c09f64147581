#include "hooks/command.h"

#include <nlohmann/json.hpp>

namespace stillpoint::hooks {

ParsedCommand parse_command(std::string_view value) {
  ParsedCommand out;
  if (value.empty() || value.front() != '[') {
    if (!value.empty()) {
      out.argv.emplace_back(value);
    }
    return out;
  }
  auto parsed = nlohmann::json::parse(value.begin(), value.end(), nullptr,
                                      /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_array()) {
    out.json_error = "not a JSON array";
  } else {
    for (const auto& element : parsed) {
      if (!element.is_string()) {
        out.json_error = "element " + element.dump() + " is not a string";
        break;
      }
      out.argv.push_back(element.get<std::string>());
    }
  }
  if (out.json_error) {
    out.argv.assign(1, std::string(value));
  }
  return out;
}

bool looks_like_unsplit_command(const std::vector<std::string>& argv) {
  if (argv.size() != 1) {
    return false;
  }
  const std::string& s = argv.front();
  return s.find_first_of(" \t\n") != std::string::npos;
}

}  // namespace stillpoint::hooks
