// Backup tarballs from an object store: untrusted bytes, gzip'd or plain tar. The first byte
// picks how many bytes each read hands out (0: 64 KiB), so short reads inside headers are
// covered too. Seeds in fuzz/corpus/tarball_reader: that byte, then a TarballWriter tarball.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "archive/tarball_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const size_t chunk = data[0] == 0 ? 64 * 1024 : data[0];
  const char* bytes = reinterpret_cast<const char*>(data + 1);
  size_t left = size - 1;
  auto source = [&](char* buffer, size_t want) -> stillpoint::core::Result<size_t> {
    const size_t n = std::min({want, chunk, left});
    std::memcpy(buffer, bytes, n);
    bytes += n;
    left -= n;
    return n;
  };
  auto reader = stillpoint::archive::TarballReader::open(source);
  if (!reader) {
    return 0;
  }
  for (;;) {
    auto item = (*reader)->next_item();
    if (!item || !*item) {
      break;
    }
  }
  (void)(*reader)->format_version();
  return 0;
}
