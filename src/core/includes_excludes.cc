#include "core/includes_excludes.h"

namespace stillpoint::core {

Result<IncludesExcludes> IncludesExcludes::compile(std::vector<std::string> includes,
                                                   std::vector<std::string> excludes,
                                                   const std::string& includes_field,
                                                   const std::string& excludes_field) {
  IncludesExcludes ie;
  ie.include_all_ = includes.empty();
  for (size_t i = 0; i < includes.size(); ++i) {
    if (includes[i] == "*") {
      ie.include_all_ = true;
    }
    auto glob = Glob::compile(includes[i]);
    if (!glob) {
      return unexpected(ErrorCode::InvalidArgument, includes_field + "[" + std::to_string(i) +
                                                        "]: " + glob.error().message);
    }
    ie.include_globs_.push_back(std::move(*glob));
  }
  for (size_t i = 0; i < excludes.size(); ++i) {
    auto glob = Glob::compile(excludes[i]);
    if (!glob) {
      return unexpected(ErrorCode::InvalidArgument, excludes_field + "[" + std::to_string(i) +
                                                        "]: " + glob.error().message);
    }
    ie.exclude_globs_.push_back(std::move(*glob));
  }
  ie.includes_ = std::move(includes);
  ie.excludes_ = std::move(excludes);
  return ie;
}

bool IncludesExcludes::should_include(std::string_view value) const {
  for (const auto& glob : exclude_globs_) {
    if (glob.matches(value)) {
      return false;
    }
  }
  if (include_all_) {
    return true;
  }
  for (const auto& glob : include_globs_) {
    if (glob.matches(value)) {
      return true;
    }
  }
  return false;
}

}  // namespace stillpoint::core
