#include "storage/location.h"

#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "core/environment.h"
#include "storage/local_store.h"
#include "storage/s3/s3_store.h"

namespace stillpoint::storage {
namespace {

namespace fs = std::filesystem;

using core::env_or_empty;

int hex_value(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

// The path of a file:///abs URL, percent-decoded ("file:///srv/my%20backups").
core::Result<std::string> file_url_path(std::string_view location) {
  std::string_view rest = location.substr(std::string_view("file://").size());
  if (!rest.starts_with('/')) {
    return core::unexpected(
        core::ErrorCode::InvalidArgument,
        "backup location " + std::string(location) + " must be file:///absolute/path (no host)");
  }
  std::string path;
  for (size_t i = 0; i < rest.size(); ++i) {
    if (rest[i] == '%' && i + 2 < rest.size() && hex_value(rest[i + 1]) >= 0 &&
        hex_value(rest[i + 2]) >= 0) {
      path.push_back(static_cast<char>(hex_value(rest[i + 1]) * 16 + hex_value(rest[i + 2])));
      i += 2;
    } else {
      path.push_back(rest[i]);
    }
  }
  return path;
}

// "s3", "gs", ... when `location` starts with "<scheme>://"; empty for a plain path.
std::string_view scheme_of(std::string_view location) {
  const size_t sep = location.find("://");
  if (sep == std::string_view::npos || sep == 0) {
    return {};
  }
  for (char c : location.substr(0, sep)) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.') {
      return {};  // a path that happens to contain "://"
    }
  }
  return location.substr(0, sep);
}

}  // namespace

std::string resolve_location(std::string_view flag) {
  if (!flag.empty()) {
    return std::string(flag);
  }
  if (std::string from_env = env_or_empty("STILLPOINT_STORAGE"); !from_env.empty()) {
    return from_env;
  }
  // XDG Base Directory: a relative XDG_DATA_HOME is invalid and must be ignored.
  if (std::string xdg = env_or_empty("XDG_DATA_HOME"); xdg.starts_with('/')) {
    return (fs::path(xdg) / "stillpoint" / "backups").string();
  }
  if (std::string home = env_or_empty("HOME"); !home.empty()) {
    return (fs::path(home) / ".local" / "share" / "stillpoint" / "backups").string();
  }
  return {};  // open_store() explains what to set
}

core::Result<std::unique_ptr<ObjectStore>> open_store(std::string_view location,
                                                      const s3::S3Options& s3_options) {
  if (location.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "no backup location: pass --storage or set STILLPOINT_STORAGE");
  }
  std::string path(location);
  const std::string_view scheme = scheme_of(location);
  if (scheme == "s3") {
    auto store = s3::open_s3_store(location, s3_options);
    if (!store) {
      return core::unexpected(store.error());
    }
    return std::unique_ptr<ObjectStore>(std::move(*store));
  }
  if (scheme == "file") {
    auto decoded = file_url_path(location);
    if (!decoded) {
      return core::unexpected(decoded.error());
    }
    path = std::move(*decoded);
  } else if (!scheme.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "backup location " + std::string(location) + ": unsupported scheme " +
                                std::string(scheme) + "://");
  }

  std::error_code ec;
  fs::path dir = fs::absolute(fs::path(path), ec).lexically_normal();
  if (ec) {
    return core::unexpected(core::ErrorCode::Io,
                            "backup location " + path + ": " + std::strerror(ec.value()));
  }
  if (!dir.has_filename() && dir != dir.root_path()) {
    dir = dir.parent_path();  // "/x/backups/" → "/x/backups", so messages show one spelling
  }
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "backup location " + dir.string() + " is not a directory");
  }
  fs::create_directories(dir, ec);
  if (ec) {
    return core::unexpected(core::ErrorCode::Io, "cannot create backup location " + dir.string() +
                                                     ": " + std::strerror(ec.value()));
  }
  // W_OK to create objects, X_OK to reach them. Root passes access() everywhere except a
  // read-only filesystem (EROFS), which is still worth reporting here rather than mid-backup.
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return core::unexpected(
        core::ErrorCode::Forbidden,
        "backup location " + dir.string() + " is not writable: " + std::strerror(errno));
  }
  return std::unique_ptr<ObjectStore>(std::make_unique<LocalDirStore>(std::move(dir)));
}

}  // namespace stillpoint::storage
