// Velero's IncludesExcludes (pkg/util/collections/includes_excludes.go): a list of include
// globs and a list of exclude globs. Excludes win; an empty include list or `*` includes all.
// Patterns are compiled once, so a bad pattern is reported when the spec is read rather than
// silently matching nothing at run time as in Velero.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/glob.h"
#include "core/result.h"

namespace stillpoint::core {

class IncludesExcludes {
 public:
  // `field` names the owning field in errors, e.g. `spec.includedNamespaces`.
  static Result<IncludesExcludes> compile(std::vector<std::string> includes,
                                          std::vector<std::string> excludes,
                                          const std::string& includes_field,
                                          const std::string& excludes_field);

  bool should_include(std::string_view value) const;

  // True when every value passes: no includes or "*", and no excludes (for namespaces: the
  // whole cluster is selected, which is what brings cluster-scoped resources along).
  bool includes_everything() const { return include_all_ && excludes_.empty(); }

  const std::vector<std::string>& includes() const { return includes_; }
  const std::vector<std::string>& excludes() const { return excludes_; }

 private:
  std::vector<std::string> includes_;
  std::vector<std::string> excludes_;
  std::vector<Glob> include_globs_;
  std::vector<Glob> exclude_globs_;
  bool include_all_ = true;
};

}  // namespace stillpoint::core
