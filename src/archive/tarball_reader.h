// TarballReader: reads a backup tarball (ours or Velero's, format 1.1.0) entry by entry from
// a byte source, never whole in memory. The archive is untrusted input: absolute paths, "..",
// links, devices and oversized entries are rejected with an error naming the entry, never
// followed (there is a fuzz target).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/result.h"

namespace stillpoint::archive {

// Fills `buffer` with up to `size` bytes; 0 at the end.
using ByteSource = std::function<core::Result<size_t>(char* buffer, size_t size)>;

struct ArchiveItem {
  std::string group_resource;  // "pods", "deployments.apps"
  std::string namespace_name;  // empty: cluster-scoped
  std::string name;
  std::string json;
};

class TarballReader {
 public:
  static constexpr size_t kMaxEntrySize = 64 * 1024 * 1024;

  static core::Result<std::unique_ptr<TarballReader>> open(ByteSource source);
  virtual ~TarballReader() = default;

  // The format from metadata/version once read ("1.1.0"); empty until then.
  virtual const std::string& format_version() const = 0;

  // The next item from the unversioned (legacy) paths resources/<rg>/namespaces/<ns>/<n>.json
  // and resources/<rg>/cluster/<n>.json, skipping version directories, metadata and unknown
  // files (as Velero's parser does); nullopt at the end of the archive.
  virtual core::Result<std::optional<ArchiveItem>> next_item() = 0;
};

}  // namespace stillpoint::archive
