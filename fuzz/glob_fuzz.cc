// Namespace glob patterns from specs: "<pattern>\n<text>".
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/glob.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t nl = input.find('\n');
  const std::string_view pattern = input.substr(0, nl);
  const std::string_view text = nl == std::string_view::npos ? "" : input.substr(nl + 1);
  if (auto glob = stillpoint::core::Glob::compile(pattern)) {
    (void)glob->matches(text);
  }
  return 0;
}
