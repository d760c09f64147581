#include "storage/object_store.h"

#include <array>

namespace stillpoint::storage {

core::Result<std::string> read_all(ObjectStore& store, const std::string& key) {
  auto reader = store.get(key);
  if (!reader) {
    return core::unexpected(reader.error());
  }
  std::string out;
  std::array<char, 64 * 1024> buffer;
  for (;;) {
    auto n = (*reader)->read(buffer.data(), buffer.size());
    if (!n) {
      return core::unexpected(n.error());
    }
    if (*n == 0) {
      return out;
    }
    out.append(buffer.data(), *n);
  }
}

core::Status write_all(ObjectStore& store, const std::string& key, std::string_view bytes) {
  auto writer = store.put(key);
  if (!writer) {
    return core::unexpected(writer.error());
  }
  if (auto st = (*writer)->write(bytes); !st) {
    (*writer)->abort();
    return st;
  }
  return (*writer)->commit();
}

}  // namespace stillpoint::storage
