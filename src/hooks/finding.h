// A problem found while reading hooks: a warning (a default or fallback applies, the hook
// still runs) or an error (the hook cannot run as declared). `message` is complete on its
// own and names the key or field and the value; `context` says which hook it is about, for
// `hooks lint` lines ("hook backup-db, pre[1]").
#pragma once

#include <string>
#include <vector>

namespace stillpoint::hooks {

struct Finding {
  std::string message;
  std::string context;
};

struct Findings {
  std::vector<Finding> warnings;
  std::vector<Finding> errors;

  void warn(std::string message, std::string context = {}) {
    warnings.push_back({std::move(message), std::move(context)});
  }
  void error(std::string message, std::string context = {}) {
    for (const auto& e : errors) {
      if (e.message == message && e.context == context) {
        return;
      }
    }
    errors.push_back({std::move(message), std::move(context)});
  }
};

}  // namespace stillpoint::hooks
