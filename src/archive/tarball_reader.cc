#include "archive/tarball_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "archive/entry_path.h"

namespace stillpoint::archive {
namespace {

// metadata/version is a few bytes; anything longer is not a version we could understand.
constexpr size_t kMaxVersionSize = 64;
// Reserve at most this much up front: an entry's declared size is untrusted until read.
constexpr size_t kMaxReserve = 1024 * 1024;

core::Error bad_entry(std::string_view path, std::string_view why) {
  return core::Error{core::ErrorCode::InvalidArgument,
                     "backup tarball entry \"" + std::string(path) + "\" " + std::string(why)};
}

// The item an entry path names, when it is one of the two unversioned layouts Velero's
// parser (pkg/archive/parser.go) catalogs; nullopt for everything else.
std::optional<ArchiveItem> item_at(const std::vector<std::string>& s) {
  if (s.size() < 4 || s[0] != "resources") {
    return std::nullopt;
  }
  std::string_view file;
  ArchiveItem item;
  item.group_resource = s[1];
  if (s.size() == 4 && s[2] == "cluster") {
    file = s[3];
  } else if (s.size() == 5 && s[2] == "namespaces") {
    item.namespace_name = s[3];
    file = s[4];
  } else {
    return std::nullopt;
  }
  constexpr std::string_view kJson = ".json";
  if (!file.ends_with(kJson) || file.size() == kJson.size()) {
    return std::nullopt;
  }
  item.name = std::string(file.substr(0, file.size() - kJson.size()));
  return item;
}

class LibarchiveTarballReader : public TarballReader {
 public:
  explicit LibarchiveTarballReader(ByteSource source)
      : source_(std::move(source)), archive_(archive_read_new()) {}
  ~LibarchiveTarballReader() override { archive_read_free(archive_); }
  LibarchiveTarballReader(const LibarchiveTarballReader&) = delete;
  LibarchiveTarballReader& operator=(const LibarchiveTarballReader&) = delete;

  core::Status start() {
    // Only tar (ustar, pax, GNU), gzip'd or not: every other format and filter is attack
    // surface we do not need.
    if (archive_read_support_filter_gzip(archive_) != ARCHIVE_OK ||
        archive_read_support_format_tar(archive_) != ARCHIVE_OK ||
        archive_read_open(archive_, this, nullptr, &LibarchiveTarballReader::on_read, nullptr) !=
            ARCHIVE_OK) {
      return core::unexpected(failure("cannot open the backup tarball"));
    }
    return core::ok();
  }

  const std::string& format_version() const override { return format_version_; }

  core::Result<std::optional<ArchiveItem>> next_item() override {
    if (error_) {
      return core::unexpected(*error_);  // a broken stream stays broken
    }
    auto item = advance();
    if (!item) {
      error_ = item.error();
    }
    return item;
  }

 private:
  static la_ssize_t on_read(struct archive* a, void* self_ptr, const void** buffer) {
    auto* self = static_cast<LibarchiveTarballReader*>(self_ptr);
    auto n = self->source_(self->buffer_.data(), self->buffer_.size());
    if (!n) {
      self->source_error_ = n.error();
      archive_set_error(a, EIO, "%s", n.error().message.c_str());
      return -1;
    }
    *buffer = self->buffer_.data();
    return static_cast<la_ssize_t>(std::min(*n, self->buffer_.size()));
  }

  // The source's own error when reading failed there, else libarchive's view of the bytes.
  core::Error failure(std::string_view what) const {
    if (source_error_) {
      return *source_error_;
    }
    const char* why = archive_error_string(archive_);
    return core::Error{core::ErrorCode::Protocol,
                       std::string(what) + ": " + (why != nullptr ? why : "unknown error")};
  }

  core::Result<std::optional<ArchiveItem>> advance() {
    for (;;) {
      struct archive_entry* entry = nullptr;
      const int rc = archive_read_next_header(archive_, &entry);
      if (rc == ARCHIVE_EOF) {
        return std::optional<ArchiveItem>();
      }
      // ARCHIVE_WARN (an unknown pax keyword, say) still yields a usable entry.
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
        return core::unexpected(failure("cannot read the backup tarball"));
      }
      const char* raw_path = archive_entry_pathname_utf8(entry);
      if (raw_path == nullptr) {
        raw_path = archive_entry_pathname(entry);
      }
      if (raw_path == nullptr) {
        return core::unexpected(bad_entry("?", "has a name that is not valid text"));
      }
      const std::string path(raw_path);
      auto segments = split_entry_path(path);
      if (!segments) {
        return core::unexpected(segments.error());
      }
      if (auto st = check_entry(path, entry); !st) {
        return core::unexpected(st.error());
      }
      if (archive_entry_filetype(entry) == AE_IFDIR) {
        continue;  // other tools write directory entries; the layout needs none
      }
      const std::vector<std::string>& s = *segments;
      if (s.size() == 2 && s[0] == "metadata" && s[1] == "version") {
        auto content = read_content(path, kMaxVersionSize);
        if (!content) {
          return core::unexpected(content.error());
        }
        format_version_ = *content;
        while (!format_version_.empty() &&
               std::isspace(static_cast<unsigned char>(format_version_.back()))) {
          format_version_.pop_back();
        }
        continue;
      }
      std::optional<ArchiveItem> item = item_at(s);
      if (!item) {
        continue;  // version directories, other metadata, unknown files: not items
      }
      auto content = read_content(path, kMaxEntrySize);
      if (!content) {
        return core::unexpected(content.error());
      }
      item->json = std::move(*content);
      return item;
    }
  }

  // Regular files and directories only: a link or a device in a backup is never ours and
  // would let a later extraction write outside its directory.
  static core::Status check_entry(const std::string& path, struct archive_entry* entry) {
    if (archive_entry_hardlink(entry) != nullptr) {
      return core::unexpected(bad_entry(path, "is a hard link; backups contain only files"));
    }
    switch (archive_entry_filetype(entry)) {
      case AE_IFREG:
        break;
      case AE_IFDIR:
        return core::ok();
      case AE_IFLNK:
        return core::unexpected(bad_entry(path, "is a symbolic link; backups contain only files"));
      default:
        return core::unexpected(
            bad_entry(path, "is a device, FIFO or socket; backups contain only files"));
    }
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) < 0) {
      return core::unexpected(bad_entry(path, "has a negative size"));
    }
    if (archive_entry_size_is_set(entry) &&
        static_cast<uint64_t>(archive_entry_size(entry)) > kMaxEntrySize) {
      return core::unexpected(bad_entry(
          path, "is larger than the " + std::to_string(kMaxEntrySize >> 20) + " MiB limit"));
    }
    return core::ok();
  }

  // The current entry's bytes, failing beyond `limit` (the header's size is not trusted).
  core::Result<std::string> read_content(const std::string& path, size_t limit) {
    std::string out;
    out.reserve(std::min(limit, kMaxReserve));
    std::array<char, 16 * 1024> chunk;
    for (;;) {
      const la_ssize_t n = archive_read_data(archive_, chunk.data(), chunk.size());
      if (n < 0) {
        return core::unexpected(failure("cannot read " + path + " from the backup tarball"));
      }
      if (n == 0) {
        return out;
      }
      if (out.size() + static_cast<size_t>(n) > limit) {
        return core::unexpected(
            bad_entry(path, "is larger than its limit of " + std::to_string(limit) + " bytes"));
      }
      out.append(chunk.data(), static_cast<size_t>(n));
    }
  }

  ByteSource source_;
  struct archive* archive_;
  std::array<char, 64 * 1024> buffer_{};
  std::string format_version_;
  std::optional<core::Error> source_error_;
  std::optional<core::Error> error_;
};

}  // namespace

core::Result<std::unique_ptr<TarballReader>> TarballReader::open(ByteSource source) {
  auto reader = std::make_unique<LibarchiveTarballReader>(std::move(source));
  if (auto st = reader->start(); !st) {
    return core::unexpected(st.error());
  }
  return std::unique_ptr<TarballReader>(std::move(reader));
}

}  // namespace stillpoint::archive
