// TarballWriter: a backup's items as Velero's gzip'd tarball, format 1.1.0
// (../shared/reference/kubernetes-wire-protocol.md §6.2), streamed: each entry is compressed
// and handed to the sink as it is added, so memory holds one item at a time.
//
// Paths: resources/<resource.group>/namespaces/<ns>/<name>.json (cluster-scoped: cluster/
// <name>.json), written twice, the second copy under <version>-preferredversion/; regular
// files only, mode 0755, no directory entries; metadata/version "1.1.0\n" first.
//
// Not thread-safe: callers serialise add_item() (the backup writes through one writer task).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::archive {

inline constexpr std::string_view kFormatVersion = "1.1.0";

struct ItemKey {
  std::string resource;        // plural, "pods"
  std::string group;           // "" for core
  std::string version;         // the preferred version the item was read at, "v1"
  std::string namespace_name;  // empty: cluster-scoped
  std::string name;

  // "pods", "deployments.apps"
  std::string group_resource() const;
};

// The two archive paths of an item (legacy, then preferred-version copy).
std::string item_path(const ItemKey& key);
std::string preferred_version_path(const ItemKey& key);

// Receives compressed bytes as they are produced.
using ByteSink = std::function<core::Status(std::string_view bytes)>;

class TarballWriter {
 public:
  // Writes metadata/version at once.
  static core::Result<std::unique_ptr<TarballWriter>> open(ByteSink sink);
  virtual ~TarballWriter() = default;

  // `json`: compact JSON of the whole object (keys sorted), as Velero's json.Marshal writes.
  // A name that cannot be a path segment ("", ".", "..", containing '/') is InvalidArgument.
  virtual core::Status add_item(const ItemKey& key, std::string_view json) = 0;
  // Any other file (volume data manifests and the like), at `path`.
  virtual core::Status add_file(const std::string& path, std::string_view bytes) = 0;
  // Ends the tar and gzip streams; the sink has received every byte when it returns ok.
  virtual core::Status finish() = 0;

  virtual uint64_t items_written() const = 0;
};

}  // namespace stillpoint::archive
