#include "restore/archive_spool.h"

#include <stdlib.h>

#include <cerrno>
#include <cstring>

namespace stillpoint::restore {
namespace {

// One record: "<ns bytes> <name bytes> <json bytes>\n" then the three fields back to back.
// Lengths, not separators: names come from an untrusted archive.
bool write_record(std::FILE* f, const archive::ArchiveItem& item) {
  return std::fprintf(f, "%zu %zu %zu\n", item.namespace_name.size(), item.name.size(),
                      item.json.size()) > 0 &&
         std::fwrite(item.namespace_name.data(), 1, item.namespace_name.size(), f) ==
             item.namespace_name.size() &&
         std::fwrite(item.name.data(), 1, item.name.size(), f) == item.name.size() &&
         std::fwrite(item.json.data(), 1, item.json.size(), f) == item.json.size();
}

bool read_exact(std::FILE* f, std::string& out, size_t n) {
  out.resize(n);
  return n == 0 || std::fread(out.data(), 1, n, f) == n;
}

core::Error io_error(const std::string& what, const std::filesystem::path& path) {
  return core::Error{core::ErrorCode::Internal,
                     what + " " + path.string() + ": " + std::strerror(errno)};
}

}  // namespace

core::Result<std::unique_ptr<ArchiveSpool>> ArchiveSpool::build(
    archive::ByteSource source, const std::filesystem::path& parent) {
  std::string templ = (parent / "stillpoint-restore-XXXXXX").string();
  if (::mkdtemp(templ.data()) == nullptr) {
    return core::unexpected(io_error("cannot create a spool directory in", parent));
  }
  std::unique_ptr<ArchiveSpool> spool(new ArchiveSpool(templ));
  auto reader = archive::TarballReader::open(std::move(source));
  if (!reader) return core::unexpected(reader.error());
  // One open file per resource type: a backup has tens of types, not thousands.
  std::map<std::string, std::unique_ptr<std::FILE, int (*)(std::FILE*)>> files;
  for (;;) {
    auto item = (*reader)->next_item();
    if (!item) return core::unexpected(item.error());
    if (!*item) break;
    const archive::ArchiveItem& it = **item;
    auto f = files.find(it.group_resource);
    if (f == files.end()) {
      const auto path = spool->file_of(it.group_resource);
      std::FILE* raw = std::fopen(path.c_str(), "wb");
      if (raw == nullptr) return core::unexpected(io_error("cannot create", path));
      f = files.emplace(it.group_resource,
                        std::unique_ptr<std::FILE, int (*)(std::FILE*)>(raw, &std::fclose))
              .first;
    }
    if (!write_record(f->second.get(), it)) {
      return core::unexpected(io_error("cannot write", spool->file_of(it.group_resource)));
    }
    ++spool->counts_[it.group_resource];
    ++spool->total_;
  }
  for (auto& [rg, file] : files) {
    if (std::fflush(file.get()) != 0) {
      return core::unexpected(io_error("cannot write", spool->file_of(rg)));
    }
  }
  spool->format_version_ = (*reader)->format_version();
  return spool;
}

ArchiveSpool::~ArchiveSpool() {
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::filesystem::path ArchiveSpool::file_of(const std::string& group_resource) const {
  // Group-resources are validated path segments (TarballReader), safe as file names.
  return dir_ / (group_resource + ".spool");
}

std::vector<std::string> ArchiveSpool::group_resources() const {
  std::vector<std::string> out;
  for (const auto& [rg, n] : counts_) out.push_back(rg);
  return out;
}

size_t ArchiveSpool::items(const std::string& group_resource) const {
  auto it = counts_.find(group_resource);
  return it == counts_.end() ? 0 : it->second;
}

core::Result<std::unique_ptr<ArchiveSpool::Cursor>> ArchiveSpool::open(
    const std::string& group_resource) const {
  if (counts_.count(group_resource) == 0) {
    return core::unexpected(core::ErrorCode::NotFound,
                            "no " + group_resource + " in the backup");
  }
  std::FILE* f = std::fopen(file_of(group_resource).c_str(), "rb");
  if (f == nullptr) return core::unexpected(io_error("cannot open", file_of(group_resource)));
  auto cursor = std::make_unique<Cursor>(f);
  cursor->group_resource_ = group_resource;
  return cursor;
}

ArchiveSpool::Cursor::~Cursor() { std::fclose(file_); }

core::Result<std::optional<archive::ArchiveItem>> ArchiveSpool::Cursor::next() {
  size_t ns = 0, name = 0, json = 0;
  const int n = std::fscanf(file_, "%zu %zu %zu", &ns, &name, &json);
  if (n == EOF) return std::optional<archive::ArchiveItem>();
  if (n != 3 || std::fgetc(file_) != '\n') {
    return core::unexpected(core::ErrorCode::Internal,
                            "spool of " + group_resource_ + " is damaged");
  }
  archive::ArchiveItem item;
  item.group_resource = group_resource_;
  if (!read_exact(file_, item.namespace_name, ns) || !read_exact(file_, item.name, name) ||
      !read_exact(file_, item.json, json)) {
    return core::unexpected(core::ErrorCode::Internal,
                            "spool of " + group_resource_ + " is truncated");
  }
  return std::optional<archive::ArchiveItem>(std::move(item));
}

}  // namespace stillpoint::restore
