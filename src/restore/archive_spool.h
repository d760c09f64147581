// ArchiveSpool: a backup's items, sorted by resource type into local spool files, so the restore
// can go type by type in Velero's priority order (CRDs, namespaces, ... pods ... the rest) while
// memory holds one item at a time. Velero extracts the whole tarball to disk for the same
// reason (pkg/restore/restore.go); the spool keeps only the items, one file per type.
//
// The archive is untrusted: the TarballReader rejects escaping paths, links and oversized
// entries; any such entry, or a truncated or corrupt tarball, fails build() — a restore never
// starts from half an archive. Blocking (file I/O): call it on a thread pool.
#pragma once

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "archive/tarball_reader.h"
#include "core/result.h"

namespace stillpoint::restore {

class ArchiveSpool {
 public:
  // Reads every item of the tarball from `source` into a new directory under `parent`
  // (removed with the spool).
  static core::Result<std::unique_ptr<ArchiveSpool>> build(archive::ByteSource source,
                                                           const std::filesystem::path& parent);
  ~ArchiveSpool();
  ArchiveSpool(const ArchiveSpool&) = delete;
  ArchiveSpool& operator=(const ArchiveSpool&) = delete;

  const std::string& format_version() const { return format_version_; }
  // Group-resources present ("pods", "deployments.apps"), sorted by name.
  std::vector<std::string> group_resources() const;
  size_t items(const std::string& group_resource) const;
  size_t total_items() const { return total_; }

  // The items of one type, in archive order.
  class Cursor {
   public:
    explicit Cursor(std::FILE* file) : file_(file) {}
    ~Cursor();
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    // nullopt at the end.
    core::Result<std::optional<archive::ArchiveItem>> next();

   private:
    std::FILE* file_;
    std::string group_resource_;
    friend class ArchiveSpool;
  };
  core::Result<std::unique_ptr<Cursor>> open(const std::string& group_resource) const;

 private:
  explicit ArchiveSpool(std::filesystem::path dir) : dir_(std::move(dir)) {}
  std::filesystem::path file_of(const std::string& group_resource) const;

  std::filesystem::path dir_;
  std::string format_version_;
  std::map<std::string, size_t> counts_;
  size_t total_ = 0;
};

}  // namespace stillpoint::restore
