// A gzip stream into an ObjectWriter (zlib, RFC 1952 framing): the backup's log and resource
// list (`<name>-logs.gz`, `<name>-resource-list.json.gz`), compressed as written.
#pragma once

#include <memory>
#include <string_view>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::catalog {

class GzipObjectWriter {
 public:
  explicit GzipObjectWriter(std::unique_ptr<storage::ObjectWriter> out);
  ~GzipObjectWriter();
  GzipObjectWriter(const GzipObjectWriter&) = delete;
  GzipObjectWriter& operator=(const GzipObjectWriter&) = delete;

  core::Status write(std::string_view bytes);
  // Ends the gzip stream and commits the object.
  core::Status finish();

 private:
  core::Status deflate_some(std::string_view bytes, int flush);
  struct State;
  std::unique_ptr<State> state_;
  std::unique_ptr<storage::ObjectWriter> out_;
  bool finished_ = false;
};

// Compresses and stores a small object in one call.
core::Status write_gzip(storage::ObjectStore& store, const std::string& key,
                        std::string_view bytes);

}  // namespace stillpoint::catalog
