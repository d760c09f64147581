#include "archive/volume_stream.h"

#include <algorithm>

#include <openssl/evp.h>
#include <zstd.h>

#include <fmt/format.h>

namespace stillpoint::archive {

namespace {

core::Error zstd_error(size_t code, const char* what) {
  return core::Error{core::ErrorCode::Io,
                     fmt::format("volume data: {}: {}", what, ZSTD_getErrorName(code))};
}

class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) { EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr); }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;
  void update(std::string_view bytes) { EVP_DigestUpdate(ctx_, bytes.data(), bytes.size()); }
  void finish() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    EVP_DigestFinal_ex(ctx_, digest, &length);
    hex_.clear();
    for (unsigned int i = 0; i < length; ++i) hex_ += fmt::format("{:02x}", digest[i]);
  }
  const std::string& hex() const { return hex_; }

 private:
  EVP_MD_CTX* ctx_;
  std::string hex_;
};

}  // namespace

struct VolumeStreamEncoder::State {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  Sha256 sha;
  ~State() { ZSTD_freeCCtx(cctx); }
};

VolumeStreamEncoder::VolumeStreamEncoder(int level) : state_(std::make_unique<State>()) {
  ZSTD_CCtx_setParameter(state_->cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(state_->cctx, ZSTD_c_checksumFlag, 1);
}

VolumeStreamEncoder::~VolumeStreamEncoder() = default;

core::Status VolumeStreamEncoder::encode(std::string_view tar, std::string& out) {
  state_->sha.update(tar);
  size_ += tar.size();
  ZSTD_inBuffer in{tar.data(), tar.size(), 0};
  while (in.pos < in.size) {
    const size_t start = out.size();
    out.resize(start + ZSTD_CStreamOutSize());
    ZSTD_outBuffer o{out.data() + start, out.size() - start, 0};
    const size_t rc = ZSTD_compressStream2(state_->cctx, &o, &in, ZSTD_e_continue);
    out.resize(start + o.pos);
    if (ZSTD_isError(rc)) return core::unexpected(zstd_error(rc, "compressing"));
  }
  return core::ok();
}

core::Status VolumeStreamEncoder::finish(std::string& out) {
  ZSTD_inBuffer in{nullptr, 0, 0};
  for (;;) {
    const size_t start = out.size();
    out.resize(start + ZSTD_CStreamOutSize());
    ZSTD_outBuffer o{out.data() + start, out.size() - start, 0};
    const size_t left = ZSTD_compressStream2(state_->cctx, &o, &in, ZSTD_e_end);
    out.resize(start + o.pos);
    if (ZSTD_isError(left)) return core::unexpected(zstd_error(left, "compressing"));
    if (left == 0) break;
  }
  state_->sha.finish();
  return core::ok();
}

std::string VolumeStreamEncoder::sha256_hex() const { return state_->sha.hex(); }

struct VolumeStreamDecoder::State {
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  Sha256 sha;
  bool frame_done = false;
  bool any_input = false;
  ~State() { ZSTD_freeDCtx(dctx); }
};

VolumeStreamDecoder::VolumeStreamDecoder() : state_(std::make_unique<State>()) {
  // A frame may not make us allocate more than 128 MiB of window (zstd's default cap is 8 MiB
  // for level ≤ 19 frames anyway): untrusted input must not buy unbounded memory.
  ZSTD_DCtx_setParameter(state_->dctx, ZSTD_d_windowLogMax, 27);
}

VolumeStreamDecoder::~VolumeStreamDecoder() = default;

core::Status VolumeStreamDecoder::decode(std::string_view compressed, std::string& out) {
  while (!compressed.empty() || !state_->frame_done) {
    const size_t before = out.size();
    const size_t input_before = compressed.size();
    if (auto s = decode_some(compressed, out, size_t{1} << 20); !s) return s;
    if (out.size() == before && compressed.size() == input_before) break;  // needs more input
  }
  return core::ok();
}

core::Status VolumeStreamDecoder::decode_some(std::string_view& input, std::string& out,
                                              size_t max_out) {
  if (!input.empty()) state_->any_input = true;
  size_t produced = 0;
  while (produced < max_out) {
    if (state_->frame_done) {
      if (!input.empty()) {
        return core::unexpected(core::ErrorCode::Io,
                                "volume data: unexpected bytes after the end of the stream");
      }
      break;
    }
    const size_t start = out.size();
    out.resize(start + std::min(ZSTD_DStreamOutSize(), max_out - produced));
    ZSTD_outBuffer o{out.data() + start, out.size() - start, 0};
    ZSTD_inBuffer in{input.data(), input.size(), 0};
    const size_t rc = ZSTD_decompressStream(state_->dctx, &o, &in);
    out.resize(start + o.pos);
    input.remove_prefix(in.pos);
    if (ZSTD_isError(rc)) return core::unexpected(zstd_error(rc, "corrupt data"));
    state_->sha.update(std::string_view(out).substr(start));
    size_ += o.pos;
    produced += o.pos;
    if (rc == 0) {
      state_->frame_done = true;
      continue;
    }
    // No progress: the decoder needs more input than there is.
    if (o.pos == 0 && in.pos == 0) break;
    if (input.empty() && o.pos < o.size) break;
  }
  return core::ok();
}

core::Status VolumeStreamDecoder::finish() {
  if (!state_->frame_done) {
    return core::unexpected(core::ErrorCode::Io,
                            state_->any_input
                                ? "volume data: the stored stream is truncated"
                                : "volume data: the stored stream is empty");
  }
  state_->sha.finish();
  return core::ok();
}

std::string VolumeStreamDecoder::sha256_hex() const { return state_->sha.hex(); }

}  // namespace stillpoint::archive
