// Glob patterns as Velero matches namespaces with (gobwas/glob, compiled without separators,
// see pkg/util/collections/includes_excludes.go): `*` any run of characters, `?` one character,
// `[abc]`, `[a-z]`, `[!a-z]` classes, `{a,b}` alternatives (which may hold patterns), `\` escapes.
//
// Matching is linear in pattern × text for each alternative, so a hostile pattern cannot make
// selection exponential; patterns expand to at most kMaxGlobAlternatives alternatives.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace stillpoint::core {

inline constexpr size_t kMaxGlobAlternatives = 256;

class Glob {
 public:
  // Errors name the pattern and what is wrong (unclosed `[` or `{`, trailing `\`, …).
  static Result<Glob> compile(std::string_view pattern);

  bool matches(std::string_view text) const;
  const std::string& pattern() const { return pattern_; }

  struct Token {
    enum class Kind { Literal, AnyRun, AnyOne, Class } kind;
    char32_t literal = 0;
    bool negated = false;
    std::vector<std::pair<char32_t, char32_t>> ranges;
  };
  using Sequence = std::vector<Token>;

 private:
  std::string pattern_;
  std::vector<Sequence> alternatives_;
};

}  // namespace stillpoint::core
