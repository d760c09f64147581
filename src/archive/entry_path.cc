#include "archive/entry_path.h"

namespace stillpoint::archive {

bool is_path_segment(std::string_view segment) {
  return !segment.empty() && segment != "." && segment != ".." &&
         segment.find('/') == std::string_view::npos &&
         segment.find('\0') == std::string_view::npos;
}

core::Result<std::vector<std::string>> split_entry_path(std::string_view path) {
  auto reject = [&](std::string_view why) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "archive entry \"" + std::string(path) + "\" " + std::string(why));
  };
  if (path.starts_with('/')) {
    return reject("has an absolute path");
  }
  if (path.find('\0') != std::string_view::npos) {
    return reject("contains a NUL byte");
  }
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) {
      slash = path.size();
    }
    const std::string_view segment = path.substr(start, slash - start);
    if (segment == "..") {
      return reject("leaves the archive (\"..\")");
    }
    if (!segment.empty() && segment != ".") {
      segments.emplace_back(segment);
    }
    start = slash + 1;
  }
  return segments;
}

}  // namespace stillpoint::archive
