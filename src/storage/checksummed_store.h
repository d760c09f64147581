// SHA-256 integrity for objects in a location, as two ObjectStore decorators (issue 8, point 4):
// - ChecksumRecordingStore hashes every object written through it and records, for each
//   committed key, its digest and size: the backup writes that record beside its objects.
// - ChecksumVerifyingStore, given such a record, hashes what its readers return and fails
//   the read at the end of an object whose bytes differ from the record.
//
// Not done here: where the record is stored and how it is named (backup/backup_checksums.h);
// verifying objects read in part (a reader has to reach the end for the digest to be checked:
// see settle_verification()); protecting the record itself (it is gzip'd, so its CRC catches
// accidental damage, but nothing here stops a deliberate edit).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::storage {

struct ObjectDigest {
  std::string sha256;  // lowercase hex, 64 characters
  uint64_t size = 0;
  bool operator==(const ObjectDigest&) const = default;
};

// Key (relative to the location) → digest.
using ObjectDigests = std::map<std::string, ObjectDigest>;

// Forwards everything to `inner`; writers hash the bytes they pass on, and a successful
// commit() records the key's digest (replacing an earlier one). remove() and remove_prefix()
// forget the keys they delete. Thread-safe: writers of different keys may run on different
// threads at once (each writer itself is used by one thread at a time, as any ObjectWriter).
class ChecksumRecordingStore : public ObjectStore {
 public:
  // `inner` must outlive this store and the writers it hands out.
  explicit ChecksumRecordingStore(ObjectStore& inner) : inner_(inner) {}

  // What has been committed so far.
  ObjectDigests recorded() const;

  core::Result<std::unique_ptr<ObjectWriter>> put(const std::string& key) override;
  core::Result<std::unique_ptr<ObjectReader>> get(const std::string& key) override;
  core::Result<bool> exists(const std::string& key) override;
  core::Result<std::vector<std::string>> list(const std::string& prefix) override;
  core::Status remove(const std::string& key) override;
  core::Status remove_prefix(const std::string& prefix) override;
  std::string describe() const override;

 private:
  class Writer;
  void record(const std::string& key, ObjectDigest digest);

  ObjectStore& inner_;
  mutable std::mutex mutex_;
  ObjectDigests recorded_;  // guarded by mutex_
};

// Forwards everything to `inner`; a reader of a key in `expected` hashes and counts what it
// returns, and where read() would return 0 (the end of the object) it returns instead, when
// the digest or size differ, ErrorCode::Protocol: "<key> in <location> is damaged: expected
// sha256 <hex> (<n> bytes), got sha256 <hex> (<m> bytes)". That error is sticky: every later
// read() returns it again. Keys not in `expected` (backups made before checksums were
// recorded) are read unverified. Thread-safe as `inner` is.
class ChecksumVerifyingStore : public ObjectStore {
 public:
  // `inner` must outlive this store and the readers it hands out.
  ChecksumVerifyingStore(ObjectStore& inner, ObjectDigests expected)
      : inner_(inner), expected_(std::move(expected)) {}

  const ObjectDigests& expected() const { return expected_; }

  core::Result<std::unique_ptr<ObjectWriter>> put(const std::string& key) override;
  core::Result<std::unique_ptr<ObjectReader>> get(const std::string& key) override;
  core::Result<bool> exists(const std::string& key) override;
  core::Result<std::vector<std::string>> list(const std::string& prefix) override;
  core::Status remove(const std::string& key) override;
  core::Status remove_prefix(const std::string& prefix) override;
  std::string describe() const override;

 private:
  ObjectStore& inner_;
  const ObjectDigests expected_;
};

// For a consumer that stopped reading before the end of the object: its format ended first
// (a gzip or tar stream is complete before the object is), or it rejected the bytes (a corrupt
// stream). When `reader` verifies (it came from a ChecksumVerifyingStore for a recorded key),
// the rest of the object is read and discarded so that its digest is checked, and a damaged
// object's error replaces `outcome`: damaged bytes explain whatever the consumer made of them.
// Otherwise, and when the object is intact, `outcome` is returned unchanged. Blocking, as
// read() is.
core::Status settle_verification(ObjectReader& reader, core::Status outcome);

}  // namespace stillpoint::storage
