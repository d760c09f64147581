#include "storage/key.h"

#include <string>

namespace stillpoint::storage {
namespace {

core::Status bad_key(std::string_view what, std::string_view key, std::string_view why) {
  return core::unexpected(core::ErrorCode::InvalidArgument,
                          std::string(what) + " \"" + std::string(key) + "\" " + std::string(why));
}

// Checks every segment of `path`; `allow_trailing_slash` for prefixes ("backups/b1/").
core::Status check_segments(std::string_view what,
                            std::string_view path,
                            bool allow_trailing_slash) {
  if (path.find('\0') != std::string_view::npos) {
    return bad_key(what, path, "contains a NUL byte");
  }
  if (path.front() == '/') {
    return bad_key(what, path, "is absolute; keys are relative to the store");
  }
  if (allow_trailing_slash && path.back() == '/') {
    path.remove_suffix(1);
    if (path.empty()) {
      return bad_key(what, "/", "has an empty segment");
    }
  }
  size_t start = 0;
  for (;;) {
    const size_t slash = path.find('/', start);
    const std::string_view segment = path.substr(
        start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (segment.empty()) {
      return bad_key(what, path, "has an empty segment");
    }
    if (segment == "." || segment == "..") {
      return bad_key(what, path, "has a \"" + std::string(segment) + "\" segment");
    }
    if (is_partial_name(segment)) {
      return bad_key(what, path, "looks like a temporary upload file");
    }
    if (slash == std::string_view::npos) {
      return core::ok();
    }
    start = slash + 1;
  }
}

}  // namespace

bool is_partial_name(std::string_view file_name) {
  return file_name.starts_with('.') && file_name.find(kPartialMarker) != std::string_view::npos;
}

core::Status validate_key(std::string_view key) {
  if (key.empty()) {
    return bad_key("object key", key, "is empty");
  }
  return check_segments("object key", key, /*allow_trailing_slash=*/false);
}

core::Status validate_prefix(std::string_view prefix) {
  if (prefix.empty()) {
    return core::ok();
  }
  return check_segments("key prefix", prefix, /*allow_trailing_slash=*/true);
}

}  // namespace stillpoint::storage
