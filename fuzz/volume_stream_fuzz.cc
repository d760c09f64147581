// Stored volume data is untrusted on restore (a backup location anyone may have written to):
// the decoder must reject or decode any bytes, in any split, with bounded memory.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/volume_stream.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  stillpoint::archive::VolumeStreamDecoder decoder;
  std::string out;
  const size_t split = size == 0 ? 0 : data[0] % (size + 1);
  if (decoder.decode(input.substr(0, split), out)) {
    out.clear();
    if (decoder.decode(input.substr(split), out)) (void)decoder.finish();
  }
  return 0;
}
