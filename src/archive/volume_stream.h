// The stored form of one pod volume's data: the tar stream that `tar -cf - .` wrote in the
// pod, compressed as one zstd frame with zstd's content checksum, and described by the size
// and SHA-256 of the tar bytes (recorded in the backup's volume manifest). zstd rather than
// gzip: level 1 compresses at several hundred MB/s per core, so a volume copy is bound by the
// exec stream, not by compression.
//
// Both classes are pure and incremental (no I/O, bounded memory): the encoder turns tar pieces
// into compressed pieces, the decoder the reverse, and each counts and hashes the tar bytes so
// that a restore can prove it delivered what the backup read. The decoder takes untrusted
// input (fuzz_volume_stream).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace stillpoint::archive {

class VolumeStreamEncoder {
 public:
  explicit VolumeStreamEncoder(int level = 1);
  ~VolumeStreamEncoder();
  VolumeStreamEncoder(const VolumeStreamEncoder&) = delete;
  VolumeStreamEncoder& operator=(const VolumeStreamEncoder&) = delete;

  // Appends the compressed form of `tar` (possibly nothing yet) to `out`.
  core::Status encode(std::string_view tar, std::string& out);
  // Ends the frame; appends the rest to `out`.
  core::Status finish(std::string& out);

  uint64_t size() const { return size_; }  // tar bytes seen
  std::string sha256_hex() const;          // of the tar bytes; valid after finish()

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t size_ = 0;
};

class VolumeStreamDecoder {
 public:
  VolumeStreamDecoder();
  ~VolumeStreamDecoder();
  VolumeStreamDecoder(const VolumeStreamDecoder&) = delete;
  VolumeStreamDecoder& operator=(const VolumeStreamDecoder&) = delete;

  // Appends the tar bytes `compressed` decodes to (possibly none yet) to `out`.
  // Errors (Io): corrupt data, a checksum that does not match, bytes after the frame.
  core::Status decode(std::string_view compressed, std::string& out);
  // Bounded: decodes from the front of `input` (advancing it) until `out` grew by `max_out`
  // bytes or nothing more comes out; call again (with the rest, or more) for the rest. A few
  // compressed bytes may stand for megabytes, so this is what keeps a restore's memory
  // bounded.
  core::Status decode_some(std::string_view& input, std::string& out, size_t max_out);
  // At the end of the stored object. Errors (Io): the frame is incomplete (truncated).
  core::Status finish();

  uint64_t size() const { return size_; }  // tar bytes produced
  std::string sha256_hex() const;          // of the tar bytes; valid after finish()

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t size_ = 0;
};

}  // namespace stillpoint::archive
