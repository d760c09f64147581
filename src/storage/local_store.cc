#include "storage/local_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <utility>

#include "storage/key.h"

namespace stillpoint::storage {
namespace {

namespace fs = std::filesystem;

core::Unexpected io_error(std::string_view action, const fs::path& path, int err) {
  return core::unexpected(core::ErrorCode::Io,
                          std::string(action) + " " + path.string() + ": " + std::strerror(err));
}

// fsync of a directory makes a rename in it durable (POSIX leaves it to the directory's inode).
int fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) {
    return errno;
  }
  const int rc = ::fsync(fd);
  const int err = rc == 0 ? 0 : errno;
  ::close(fd);
  return err;
}

class LocalObjectWriter : public ObjectWriter {
 public:
  LocalObjectWriter(int fd, fs::path temp_path, fs::path final_path)
      : fd_(fd), temp_path_(std::move(temp_path)), final_path_(std::move(final_path)) {}
  ~LocalObjectWriter() override { abort(); }

  core::Status write(std::string_view bytes) override {
    if (fd_ < 0) {
      return core::unexpected(core::ErrorCode::Internal,
                              "write to " + final_path_.string() + " after commit or abort");
    }
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) {
          continue;
        }
        return io_error("cannot write", temp_path_, errno);
      }
      bytes.remove_prefix(static_cast<size_t>(n));
      written_ += static_cast<uint64_t>(n);
    }
    return core::ok();
  }

  core::Status commit() override {
    if (fd_ < 0) {
      return core::unexpected(core::ErrorCode::Internal,
                              "commit of " + final_path_.string() + " after commit or abort");
    }
    if (::fsync(fd_) != 0) {
      const int err = errno;
      abort();
      return io_error("cannot sync", temp_path_, err);
    }
    // close() can report a deferred write error (NFS); only a clean close may be published.
    const int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) {
      const int err = errno;
      ::unlink(temp_path_.c_str());
      return io_error("cannot close", temp_path_, err);
    }
    if (::rename(temp_path_.c_str(), final_path_.c_str()) != 0) {
      const int err = errno;
      ::unlink(temp_path_.c_str());
      return io_error("cannot publish", final_path_, err);
    }
    if (const int err = fsync_dir(final_path_.parent_path()); err != 0) {
      return io_error("cannot sync directory", final_path_.parent_path(), err);
    }
    return core::ok();
  }

  void abort() override {
    if (fd_ < 0) {
      return;
    }
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_path_.c_str());
  }

  uint64_t bytes_written() const override { return written_; }

 private:
  int fd_;
  fs::path temp_path_;
  fs::path final_path_;
  uint64_t written_ = 0;
};

class LocalObjectReader : public ObjectReader {
 public:
  LocalObjectReader(int fd, fs::path path) : fd_(fd), path_(std::move(path)) {}
  ~LocalObjectReader() override { ::close(fd_); }
  LocalObjectReader(const LocalObjectReader&) = delete;
  LocalObjectReader& operator=(const LocalObjectReader&) = delete;

  core::Result<size_t> read(char* buffer, size_t size) override {
    for (;;) {
      const ssize_t n = ::read(fd_, buffer, size);
      if (n >= 0) {
        return static_cast<size_t>(n);
      }
      if (errno != EINTR) {
        return io_error("cannot read", path_, errno);
      }
    }
  }

 private:
  int fd_;
  fs::path path_;
};

// The directory to walk for `prefix`: everything up to its last '/', so "backups/b1" walks
// "backups/" and keeps "backups/b1/..." and "backups/b10/..." as an S3 prefix would.
fs::path walk_root(const fs::path& root, const std::string& prefix) {
  const size_t slash = prefix.rfind('/');
  return slash == std::string::npos ? root : root / prefix.substr(0, slash);
}

}  // namespace

LocalDirStore::LocalDirStore(std::filesystem::path root) : root_(std::move(root)) {}

fs::path LocalDirStore::path_of(const std::string& key) const {
  return root_ / key;
}

std::string LocalDirStore::describe() const {
  return root_.string();
}

core::Result<std::unique_ptr<ObjectWriter>> LocalDirStore::put(const std::string& key) {
  if (auto st = validate_key(key); !st) {
    return core::unexpected(st.error());
  }
  const fs::path final_path = path_of(key);
  const fs::path dir = final_path.parent_path();
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return io_error("cannot create directory", dir, ec.value());
  }
  std::string temp =
      (dir / ("." + final_path.filename().string() + std::string(kPartialMarker) + "XXXXXX"))
          .string();
  const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) {
    return io_error("cannot create", temp, errno);
  }
  // mkostemp creates 0600; published objects get 0644, what a plain file gets under the
  // common umask 022 (fchmod ignores the umask, so the mode is the same for every user).
  ::fchmod(fd, 0644);
  return std::unique_ptr<ObjectWriter>(
      std::make_unique<LocalObjectWriter>(fd, fs::path(temp), final_path));
}

core::Result<std::unique_ptr<ObjectReader>> LocalDirStore::get(const std::string& key) {
  if (auto st = validate_key(key); !st) {
    return core::unexpected(st.error());
  }
  const fs::path path = path_of(key);
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return core::unexpected(core::ErrorCode::NotFound, "no object " + key + " in " + describe());
    }
    return io_error("cannot open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    // A directory is a prefix of other keys, not an object.
    return core::unexpected(core::ErrorCode::NotFound, "no object " + key + " in " + describe());
  }
  return std::unique_ptr<ObjectReader>(std::make_unique<LocalObjectReader>(fd, path));
}

core::Result<bool> LocalDirStore::exists(const std::string& key) {
  if (auto st = validate_key(key); !st) {
    return core::unexpected(st.error());
  }
  const fs::path path = path_of(key);
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) {
      return false;
    }
    return io_error("cannot stat", path, errno);
  }
  return S_ISREG(st.st_mode);
}

core::Result<std::vector<std::string>> LocalDirStore::list(const std::string& prefix) {
  if (auto st = validate_prefix(prefix); !st) {
    return core::unexpected(st.error());
  }
  std::vector<std::string> keys;
  const fs::path start = walk_root(root_, prefix);
  std::error_code ec;
  if (!fs::is_directory(start, ec)) {
    return keys;  // nothing stored under it yet
  }
  fs::recursive_directory_iterator it(start, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::directory_entry& entry = *it;
    if (!entry.is_regular_file(ec) || is_partial_name(entry.path().filename().string())) {
      continue;
    }
    std::string key = entry.path().lexically_relative(root_).generic_string();
    if (key.starts_with(prefix)) {
      keys.push_back(std::move(key));
    }
  }
  if (ec) {
    return io_error("cannot list", start, ec.value());
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

core::Status LocalDirStore::remove(const std::string& key) {
  if (auto st = validate_key(key); !st) {
    return st;
  }
  const fs::path path = path_of(key);
  if (::unlink(path.c_str()) != 0 && errno != ENOENT && errno != ENOTDIR) {
    return io_error("cannot remove", path, errno);
  }
  return core::ok();
}

core::Status LocalDirStore::remove_prefix(const std::string& prefix) {
  if (prefix.empty()) {
    // Would delete every backup in the store: never what a caller of a per-backup cleanup means.
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "refusing to remove every object in " + describe());
  }
  if (auto st = validate_prefix(prefix); !st) {
    return st;
  }
  if (prefix.ends_with('/')) {
    // A backup's directory: remove the tree, temp files of aborted uploads included.
    const fs::path dir = path_of(prefix.substr(0, prefix.size() - 1));
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec && ec != std::errc::no_such_file_or_directory) {
      return io_error("cannot remove", dir, ec.value());
    }
    return core::ok();
  }
  auto keys = list(prefix);
  if (!keys) {
    return core::unexpected(keys.error());
  }
  for (const std::string& key : *keys) {
    if (auto st = remove(key); !st) {
      return st;
    }
  }
  return core::ok();
}

}  // namespace stillpoint::storage
