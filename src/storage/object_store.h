// ObjectStore: where backups live (a local directory today, S3 later), as a flat key space
// with Velero's object-store layout on top (backups/<name>/<name>.tar.gz, velero-backup.json,
// ...; ../shared/reference/kubernetes-wire-protocol.md §6.2).
//
// Contract:
// - put() streams: bytes go to storage as they are written, never held whole in memory. The
//   object becomes visible under its key only when commit() succeeds; abort() (or destroying
//   an uncommitted writer) leaves nothing behind under the key.
// - get() streams the committed bytes; a key that does not exist is ErrorCode::NotFound.
// - list(prefix) returns committed keys only, sorted, never partial uploads.
// - A backup is published by writing its velero-backup.json last: readers treat a backup
//   directory without it as incomplete.
// - Blocking calls: run them on a thread pool, never on an I/O thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace stillpoint::storage {

class ObjectWriter {
 public:
  virtual ~ObjectWriter() = default;
  virtual core::Status write(std::string_view bytes) = 0;
  // Makes the object visible under its key (atomically: a reader sees all of it or nothing).
  virtual core::Status commit() = 0;
  virtual void abort() = 0;
  virtual uint64_t bytes_written() const = 0;
};

class ObjectReader {
 public:
  virtual ~ObjectReader() = default;
  // Reads up to `size` bytes; 0 at the end of the object.
  virtual core::Result<size_t> read(char* buffer, size_t size) = 0;
};

class ObjectStore {
 public:
  virtual ~ObjectStore() = default;
  virtual core::Result<std::unique_ptr<ObjectWriter>> put(const std::string& key) = 0;
  virtual core::Result<std::unique_ptr<ObjectReader>> get(const std::string& key) = 0;
  virtual core::Result<bool> exists(const std::string& key) = 0;
  virtual core::Result<std::vector<std::string>> list(const std::string& prefix) = 0;
  // Deletes one key; a missing key is not an error.
  virtual core::Status remove(const std::string& key) = 0;
  // Deletes every key under `prefix` (a backup's directory).
  virtual core::Status remove_prefix(const std::string& prefix) = 0;
  // For messages: "/home/u/.local/share/stillpoint/backups", "s3://bucket/prefix".
  virtual std::string describe() const = 0;
};

// Convenience: the whole object as a string (small metadata objects only).
core::Result<std::string> read_all(ObjectStore& store, const std::string& key);
// Convenience: put + write + commit.
core::Status write_all(ObjectStore& store, const std::string& key, std::string_view bytes);

}  // namespace stillpoint::storage
