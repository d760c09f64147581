// LocalDirStore: an ObjectStore over a local directory. A key is a relative path under the
// root ("backups/b1/b1.tar.gz" → <root>/backups/b1/b1.tar.gz), so a store is also a plain
// directory tree a user can inspect, copy or rsync.
//
// Atomicity: put() writes to ".<name>.partial-XXXXXX" beside the final file; commit() fsyncs
// the file, renames it over the key and fsyncs the directory, so after a crash a key holds
// either its old bytes or all of its new bytes. Temp files are never listed; a crash may
// leave one behind, which is harmless and overwritten by nothing.
//
// Not done here: locking between processes (two writers of one key: the last commit wins),
// cleanup of stale temp files from crashed runs.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::storage {

class LocalDirStore : public ObjectStore {
 public:
  // `root` must be an absolute path to an existing directory (open_store() checks that).
  explicit LocalDirStore(std::filesystem::path root);

  core::Result<std::unique_ptr<ObjectWriter>> put(const std::string& key) override;
  core::Result<std::unique_ptr<ObjectReader>> get(const std::string& key) override;
  core::Result<bool> exists(const std::string& key) override;
  core::Result<std::vector<std::string>> list(const std::string& prefix) override;
  core::Status remove(const std::string& key) override;
  core::Status remove_prefix(const std::string& prefix) override;
  std::string describe() const override;

 private:
  std::filesystem::path path_of(const std::string& key) const;

  std::filesystem::path root_;
};

}  // namespace stillpoint::storage
