// Test fixtures for tarballs, built on libarchive directly rather than on the code under
// test: list what an archive really holds, and write archives with arbitrary (hostile)
// entries, as Velero's pkg/test tar writers do.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include <archive.h>
#include <archive_entry.h>

#include "archive/tarball_reader.h"
#include "archive/tarball_writer.h"

namespace stillpoint::archive::testing {

struct TarEntry {
  std::string path{};
  std::string content{};
  unsigned type = AE_IFREG;  // AE_IFREG, AE_IFDIR, AE_IFLNK, AE_IFIFO, AE_IFCHR
  std::string link{};        // symlink target; for a hard link, set `hardlink`
  bool hardlink = false;
  int perm = 0644;
  int64_t mtime = 0;
};

inline la_ssize_t append_to_string(struct archive*, void* out, const void* buf, size_t n) {
  static_cast<std::string*>(out)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// A tar (gzip'd when `gzip`) holding exactly `entries`, in order.
inline std::string make_tar(const std::vector<TarEntry>& entries, bool gzip = true) {
  std::string out;
  struct archive* a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  if (gzip) {
    archive_write_add_filter_gzip(a);
  }
  archive_write_set_bytes_in_last_block(a, 1);
  archive_write_open(a, &out, nullptr, append_to_string, nullptr);
  for (const TarEntry& e : entries) {
    struct archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_perm(entry, e.perm);
    if (e.hardlink) {
      archive_entry_set_filetype(entry, AE_IFREG);
      archive_entry_set_hardlink(entry, e.link.c_str());
      archive_entry_set_size(entry, 0);
    } else {
      archive_entry_set_filetype(entry, e.type);
      if (e.type == AE_IFLNK) {
        archive_entry_set_symlink(entry, e.link.c_str());
      }
      archive_entry_set_size(entry,
                             e.type == AE_IFREG ? static_cast<la_int64_t>(e.content.size()) : 0);
    }
    archive_write_header(a, entry);
    if (e.type == AE_IFREG && !e.hardlink) {
      archive_write_data(a, e.content.data(), e.content.size());
    }
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return out;
}

// Every entry of a tar or tar.gz, with its type, permissions, mtime and content.
inline std::vector<TarEntry> list_tar(const std::string& bytes) {
  std::vector<TarEntry> out;
  struct archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
    archive_read_free(a);
    return out;
  }
  struct archive_entry* entry = nullptr;
  while (archive_read_next_header(a, &entry) == ARCHIVE_OK) {
    TarEntry e;
    e.path = archive_entry_pathname(entry);
    e.type = archive_entry_filetype(entry);
    e.perm = archive_entry_perm(entry);
    e.mtime = archive_entry_mtime(entry);
    char buf[4096];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0) {
      e.content.append(buf, static_cast<size_t>(n));
    }
    out.push_back(std::move(e));
  }
  archive_read_free(a);
  return out;
}

// A hand-made ustar header (no data follows): for declared sizes no test wants to write.
inline std::string ustar_header(const std::string& path, uint64_t size, char type = '0') {
  std::string h(512, '\0');
  std::memcpy(h.data(), path.data(), std::min<size_t>(path.size(), 100));
  std::snprintf(h.data() + 100, 8, "%07o", 0644);
  std::snprintf(h.data() + 108, 8, "%07o", 0);
  std::snprintf(h.data() + 116, 8, "%07o", 0);
  std::snprintf(h.data() + 124, 12, "%011llo", static_cast<unsigned long long>(size));
  std::snprintf(h.data() + 136, 12, "%011o", 0);
  h[156] = type;
  std::memcpy(h.data() + 257, "ustar", 6);
  std::memcpy(h.data() + 263, "00", 2);
  std::memset(h.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h) {
    sum += c;
  }
  std::snprintf(h.data() + 148, 8, "%06o", sum);
  return h;
}

// A ByteSource over `bytes`, handing out at most `chunk` bytes per call.
inline ByteSource source_of(std::string bytes, size_t chunk = 64 * 1024) {
  auto data = std::make_shared<std::string>(std::move(bytes));
  auto pos = std::make_shared<size_t>(0);
  return [data, pos, chunk](char* buffer, size_t size) -> core::Result<size_t> {
    const size_t n = std::min({size, chunk, data->size() - *pos});
    std::memcpy(buffer, data->data() + *pos, n);
    *pos += n;
    return n;
  };
}

// A ByteSink appending to `*out`.
inline ByteSink sink_to(std::string* out) {
  return [out](std::string_view bytes) -> core::Status {
    out->append(bytes);
    return core::ok();
  };
}

struct Item {
  ItemKey key;
  std::string json;
};

// The tarball our writer makes of `items`.
inline std::string write_backup(const std::vector<Item>& items) {
  std::string out;
  auto writer = TarballWriter::open(sink_to(&out));
  SP_CHECK(writer.has_value(), "open");
  for (const Item& item : items) {
    SP_CHECK((*writer)->add_item(item.key, item.json).has_value(), "add_item");
  }
  SP_CHECK((*writer)->finish().has_value(), "finish");
  return out;
}

// Every item the reader yields, or its first error.
inline core::Result<std::vector<ArchiveItem>> read_items(ByteSource source,
                                                         std::string* version = nullptr) {
  auto reader = TarballReader::open(std::move(source));
  if (!reader) {
    return core::unexpected(reader.error());
  }
  std::vector<ArchiveItem> items;
  for (;;) {
    auto item = (*reader)->next_item();
    if (!item) {
      return core::unexpected(item.error());
    }
    if (!*item) {
      break;
    }
    items.push_back(std::move(**item));
  }
  if (version != nullptr) {
    *version = (*reader)->format_version();
  }
  return items;
}

}  // namespace stillpoint::archive::testing
