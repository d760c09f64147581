// Go durations from annotations and specs: parse, and when valid, print and parse back to
// the same value (Go's String() output is always valid ParseDuration input).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/go_duration.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto d = stillpoint::core::parse_go_duration(text);
  if (d) {
    auto again = stillpoint::core::parse_go_duration(stillpoint::core::format_go_duration(*d));
    if (!again || *again != *d) {
      std::abort();
    }
  }
  return 0;
}
