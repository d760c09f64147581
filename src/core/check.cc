#include "core/check.h"

#include <cstdio>
#include <cstdlib>

namespace stillpoint::core {

void check_failed(const char* expr, std::string_view message, const char* file, int line) {
  std::fprintf(stderr, "stillpoint: internal error: check failed: %s (%.*s) at %s:%d\n", expr,
               static_cast<int>(message.size()), message.data(), file, line);
  std::abort();
}

}  // namespace stillpoint::core
