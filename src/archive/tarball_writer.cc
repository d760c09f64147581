#include "archive/tarball_writer.h"

#include <ctime>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "archive/entry_path.h"

namespace stillpoint::archive {
namespace {

// Velero writes every entry with mode 0755 (pkg/backup/backup.go); restores do not read it,
// but matching keeps `tar tvzf` of our backups identical in shape to Velero's.
constexpr int kEntryMode = 0755;

core::Status invalid(std::string message) {
  return core::unexpected(core::ErrorCode::InvalidArgument, std::move(message));
}

core::Status check_item_key(const ItemKey& key) {
  auto segment = [](std::string_view field, std::string_view value) -> core::Status {
    if (is_path_segment(value)) {
      return core::ok();
    }
    return invalid("item " + std::string(field) + " \"" + std::string(value) +
                   "\" cannot be a path segment in the backup tarball");
  };
  if (auto st = segment("resource", key.resource); !st) {
    return st;
  }
  if (!key.group.empty()) {
    if (auto st = segment("group", key.group); !st) {
      return st;
    }
  }
  if (auto st = segment("version", key.version); !st) {
    return st;
  }
  if (!key.namespace_name.empty()) {
    if (auto st = segment("namespace", key.namespace_name); !st) {
      return st;
    }
  }
  return segment("name", key.name);
}

// The length of the segments joined by '/': equal to the original only when it had no ".",
// empty or trailing segments.
size_t path_length(const std::vector<std::string>& segments) {
  size_t n = segments.size() - 1;
  for (const std::string& s : segments) {
    n += s.size();
  }
  return n;
}

class LibarchiveTarballWriter : public TarballWriter {
 public:
  explicit LibarchiveTarballWriter(ByteSink sink)
      : sink_(std::move(sink)), archive_(archive_write_new()), mtime_(std::time(nullptr)) {}

  ~LibarchiveTarballWriter() override {
    // Without finish() the caller has given up (and may have destroyed what the sink writes
    // to): let libarchive flush into nothing.
    discard_ = true;
    archive_write_free(archive_);
  }
  LibarchiveTarballWriter(const LibarchiveTarballWriter&) = delete;
  LibarchiveTarballWriter& operator=(const LibarchiveTarballWriter&) = delete;

  core::Status start() {
    // pax_restricted: plain ustar headers, plus a pax extended header only for what ustar
    // cannot hold (paths over 100 bytes, common for CRD names), as Go's archive/tar does.
    if (archive_write_set_format_pax_restricted(archive_) != ARCHIVE_OK ||
        archive_write_add_filter_gzip(archive_) != ARCHIVE_OK ||
        // No padding of the last block: the output is compressed, not a tape.
        archive_write_set_bytes_in_last_block(archive_, 1) != ARCHIVE_OK ||
        archive_write_open(archive_, this, nullptr, &LibarchiveTarballWriter::on_write, nullptr) !=
            ARCHIVE_OK) {
      return failure("cannot start the backup tarball");
    }
    return write_entry("metadata/version", std::string(kFormatVersion) + "\n");
  }

  core::Status add_item(const ItemKey& key, std::string_view json) override {
    if (auto st = check_item_key(key); !st) {
      return st;
    }
    if (auto st = write_entry(item_path(key), json); !st) {
      return st;
    }
    if (auto st = write_entry(preferred_version_path(key), json); !st) {
      return st;
    }
    ++items_;
    return core::ok();
  }

  core::Status add_file(const std::string& path, std::string_view bytes) override {
    auto segments = split_entry_path(path);
    if (!segments) {
      return core::unexpected(segments.error());
    }
    // Written exactly as given, so "a//b" or "./a" would not match what readers look up.
    if (segments->empty() || !path.starts_with(segments->front()) ||
        path.size() != path_length(*segments)) {
      return invalid("archive path \"" + path + "\" is not a plain relative path");
    }
    return write_entry(path, bytes);
  }

  core::Status finish() override {
    if (auto st = usable(); !st) {
      return st;
    }
    finished_ = true;
    if (archive_write_close(archive_) != ARCHIVE_OK) {
      return failure("cannot finish the backup tarball");
    }
    return core::ok();
  }

  uint64_t items_written() const override { return items_; }

 private:
  static la_ssize_t on_write(struct archive* a, void* self_ptr, const void* buffer, size_t size) {
    auto* self = static_cast<LibarchiveTarballWriter*>(self_ptr);
    if (self->discard_) {
      return static_cast<la_ssize_t>(size);
    }
    auto st = self->sink_(std::string_view(static_cast<const char*>(buffer), size));
    if (!st) {
      self->sink_error_ = st.error();
      archive_set_error(a, EIO, "%s", st.error().message.c_str());
      return -1;
    }
    return static_cast<la_ssize_t>(size);
  }

  core::Status usable() const {
    if (sink_error_) {
      return core::unexpected(*sink_error_);
    }
    if (finished_) {
      return core::unexpected(core::ErrorCode::Internal, "backup tarball written after finish()");
    }
    return core::ok();
  }

  // The sink's own error when it caused the failure (it names the real cause, e.g. a full
  // disk), else libarchive's.
  core::Status failure(std::string_view what) {
    if (sink_error_) {
      return core::unexpected(*sink_error_);
    }
    const char* why = archive_error_string(archive_);
    return core::unexpected(core::ErrorCode::Io,
                            std::string(what) + ": " + (why != nullptr ? why : "unknown error"));
  }

  core::Status write_entry(const std::string& path, std::string_view bytes) {
    if (auto st = usable(); !st) {
      return st;
    }
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname_utf8(entry, path.c_str());
    archive_entry_set_filetype(entry, AE_IFREG);
    archive_entry_set_perm(entry, kEntryMode);
    archive_entry_set_size(entry, static_cast<la_int64_t>(bytes.size()));
    archive_entry_set_mtime(entry, mtime_, 0);
    const int rc = archive_write_header(archive_, entry);
    archive_entry_free(entry);
    if (rc != ARCHIVE_OK) {
      return failure("cannot add " + path + " to the backup tarball");
    }
    while (!bytes.empty()) {
      const la_ssize_t n = archive_write_data(archive_, bytes.data(), bytes.size());
      if (n <= 0) {
        return failure("cannot add " + path + " to the backup tarball");
      }
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    if (archive_write_finish_entry(archive_) != ARCHIVE_OK) {
      return failure("cannot add " + path + " to the backup tarball");
    }
    return core::ok();
  }

  ByteSink sink_;
  struct archive* archive_;
  // Every entry gets the backup's start time, as Velero stamps entries with time.Now().
  std::time_t mtime_;
  std::optional<core::Error> sink_error_;
  uint64_t items_ = 0;
  bool finished_ = false;
  bool discard_ = false;
};

}  // namespace

core::Result<std::unique_ptr<TarballWriter>> TarballWriter::open(ByteSink sink) {
  auto writer = std::make_unique<LibarchiveTarballWriter>(std::move(sink));
  if (auto st = writer->start(); !st) {
    return core::unexpected(st.error());
  }
  return std::unique_ptr<TarballWriter>(std::move(writer));
}

}  // namespace stillpoint::archive
