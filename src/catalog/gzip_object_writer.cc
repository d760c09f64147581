#include "catalog/gzip_object_writer.h"

#include <zlib.h>

#include <array>

namespace stillpoint::catalog {

struct GzipObjectWriter::State {
  z_stream z{};
  bool ok = false;
};

GzipObjectWriter::GzipObjectWriter(std::unique_ptr<storage::ObjectWriter> out)
    : state_(std::make_unique<State>()), out_(std::move(out)) {
  // windowBits 15 + 16: gzip framing rather than zlib's.
  state_->ok = deflateInit2(&state_->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
                            Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipObjectWriter::~GzipObjectWriter() {
  if (state_->ok) deflateEnd(&state_->z);
  if (!finished_ && out_) out_->abort();
}

core::Status GzipObjectWriter::deflate_some(std::string_view bytes, int flush) {
  if (!state_->ok) {
    return core::unexpected(core::ErrorCode::Internal, "gzip: zlib failed to initialise");
  }
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  std::array<char, 64 * 1024> buffer;
  int rc = Z_OK;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buffer.data());
    z.avail_out = static_cast<uInt>(buffer.size());
    rc = deflate(&z, flush);
    if (rc == Z_STREAM_ERROR) {
      return core::unexpected(core::ErrorCode::Internal, "gzip: deflate failed");
    }
    const size_t produced = buffer.size() - z.avail_out;
    if (produced > 0) {
      if (auto s = out_->write(std::string_view(buffer.data(), produced)); !s) return s;
    }
  } while (z.avail_out == 0 || (flush == Z_FINISH && rc != Z_STREAM_END));
  return core::ok();
}

core::Status GzipObjectWriter::write(std::string_view bytes) {
  if (bytes.empty()) return core::ok();
  return deflate_some(bytes, Z_NO_FLUSH);
}

core::Status GzipObjectWriter::finish() {
  if (auto s = deflate_some({}, Z_FINISH); !s) return s;
  finished_ = true;
  return out_->commit();
}

core::Status write_gzip(storage::ObjectStore& store, const std::string& key,
                        std::string_view bytes) {
  auto out = store.put(key);
  if (!out) return core::unexpected(out.error());
  GzipObjectWriter gz(std::move(*out));
  if (auto s = gz.write(bytes); !s) return s;
  return gz.finish();
}

}  // namespace stillpoint::catalog
