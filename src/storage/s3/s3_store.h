// S3Store: the ObjectStore over an S3 bucket and prefix (`s3://BUCKET/PREFIX`).
//
// - put() buffers one part. An object that ends within it is one PUT; a larger one becomes a
//   multipart upload whose parts go up while the next fills, at most `upload_parallelism` at
//   once, so memory is about (parallelism + 1) × part size. The part size doubles every
//   1,000 parts (S3 allows 10,000), so objects far beyond 10,000 parts of the configured size
//   still fit; fewer parts are then in flight at once (the bytes in flight stay the same),
//   so memory grows only by the one larger buffer being filled.
// - commit() completes the upload: S3 makes the object visible whole or not at all. A failed
//   part, a failed completion, abort() or a writer dropped uncommitted aborts the multipart
//   upload, so no orphaned parts are left to be billed.
// - get() streams, resuming with a Range request when a connection drops mid-object.
// - list() sees completed objects only; remove_prefix() also aborts uploads left open under
//   the prefix (by a crashed run).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/object_store.h"
#include "storage/s3/s3_client.h"
#include "storage/s3/s3_options.h"

namespace stillpoint::storage::s3 {

class S3Store : public ObjectStore {
 public:
  explicit S3Store(std::shared_ptr<S3Client> client);

  core::Result<std::unique_ptr<ObjectWriter>> put(const std::string& key) override;
  core::Result<std::unique_ptr<ObjectReader>> get(const std::string& key) override;
  core::Result<bool> exists(const std::string& key) override;
  core::Result<std::vector<std::string>> list(const std::string& prefix) override;
  core::Status remove(const std::string& key) override;
  core::Status remove_prefix(const std::string& prefix) override;
  std::string describe() const override;

  // Multipart uploads under this store's prefix that were started and never completed or
  // aborted (keys relative to the prefix), for `location check`.
  core::Result<std::vector<PendingUpload>> pending_uploads();

  // What a large object needs beyond a small PUT, tried on `key` and undone: start a
  // multipart upload, send one part of the configured part size, abort it. Catches a missing
  // multipart permission or a proxy body limit below the part size. Returns the part's size.
  core::Result<size_t> probe_multipart(const std::string& key);

  S3Client& client() { return *client_; }

 private:
  std::string full_key(const std::string& key) const { return client_->target().prefix + key; }

  std::shared_ptr<S3Client> client_;
};

// `location` is s3://BUCKET[/PREFIX]; credentials come from the environment or the shared
// credentials file (credentials.h). Sends no request: access problems surface, with S3's
// own explanation, on the first operation (or in `location check`).
core::Result<std::unique_ptr<S3Store>> open_s3_store(std::string_view location,
                                                     const S3Options& options);
// The same with the credentials given (a server reads them from a BackupStorageLocation's
// Secret).
core::Result<std::unique_ptr<S3Store>> open_s3_store(std::string_view location,
                                                     const S3Options& options,
                                                     Credentials credentials);

}  // namespace stillpoint::storage::s3
