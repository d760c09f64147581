// SP_CHECK: the one way to state an invariant. A failed check is a bug in stillpoint, not bad
// input, so it prints where and why and aborts; bad input is always reported through Result.
#pragma once

#include <string_view>

namespace stillpoint::core {
[[noreturn]] void check_failed(const char* expr, std::string_view message, const char* file,
                               int line);
}  // namespace stillpoint::core

#define SP_CHECK(cond, message)                                                        \
  do {                                                                                 \
    if (!(cond)) {                                                                     \
      ::stillpoint::core::check_failed(#cond, (message), __FILE__, __LINE__);          \
    }                                                                                  \
  } while (false)
