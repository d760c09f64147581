#include "storage/checksummed_store.h"

#include <array>
#include <optional>

#include <openssl/evp.h>

#include "core/check.h"

namespace stillpoint::storage {
namespace {

// An incremental SHA-256 (OpenSSL EVP) and the byte count beside it.
class Sha256 {
 public:
  Sha256() : ctx_(EVP_MD_CTX_new()) {
    SP_CHECK(ctx_ != nullptr && EVP_DigestInit_ex(ctx_, EVP_sha256(), nullptr) == 1,
             "EVP_DigestInit_ex(SHA-256) failed");
  }
  ~Sha256() { EVP_MD_CTX_free(ctx_); }
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(const char* data, size_t size) {
    if (size == 0) return;
    SP_CHECK(EVP_DigestUpdate(ctx_, data, size) == 1, "EVP_DigestUpdate failed");
    size_ += size;
  }

  // Once only.
  ObjectDigest finish() {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest;
    unsigned int length = 0;
    SP_CHECK(EVP_DigestFinal_ex(ctx_, digest.data(), &length) == 1, "EVP_DigestFinal_ex failed");
    static constexpr char kHex[] = "0123456789abcdef";
    ObjectDigest out;
    out.size = size_;
    out.sha256.reserve(2 * length);
    for (unsigned int i = 0; i < length; ++i) {
      out.sha256 += kHex[digest[i] >> 4];
      out.sha256 += kHex[digest[i] & 0xf];
    }
    return out;
  }

 private:
  EVP_MD_CTX* ctx_;
  uint64_t size_ = 0;
};

class VerifyingReader : public ObjectReader {
 public:
  VerifyingReader(std::unique_ptr<ObjectReader> inner, std::string key, std::string where,
                  ObjectDigest expected)
      : inner_(std::move(inner)),
        key_(std::move(key)),
        where_(std::move(where)),
        expected_(std::move(expected)) {}

  core::Result<size_t> read(char* buffer, size_t size) override {
    if (damage_) return core::unexpected(*damage_);
    if (done_) return size_t{0};
    auto n = inner_->read(buffer, size);
    if (!n) return n;
    if (*n > 0) {
      hash_.update(buffer, *n);
      return n;
    }
    done_ = true;
    const ObjectDigest got = hash_.finish();
    if (got == expected_) return size_t{0};
    damage_ = core::Error{
        core::ErrorCode::Protocol,
        key_ + " in " + where_ + " is damaged: expected sha256 " + expected_.sha256 + " (" +
            std::to_string(expected_.size) + " bytes), got sha256 " + got.sha256 + " (" +
            std::to_string(got.size) + " bytes)"};
    return core::unexpected(*damage_);
  }

  const std::optional<core::Error>& damage() const { return damage_; }

 private:
  std::unique_ptr<ObjectReader> inner_;
  const std::string key_;
  const std::string where_;
  const ObjectDigest expected_;
  Sha256 hash_;
  bool done_ = false;
  std::optional<core::Error> damage_;
};

}  // namespace

// Hashes what it passes on; records the digest once the inner commit succeeded.
class ChecksumRecordingStore::Writer : public ObjectWriter {
 public:
  Writer(ChecksumRecordingStore& store, std::string key, std::unique_ptr<ObjectWriter> inner)
      : store_(store), key_(std::move(key)), inner_(std::move(inner)) {}

  core::Status write(std::string_view bytes) override {
    auto s = inner_->write(bytes);
    if (s) hash_.update(bytes.data(), bytes.size());
    return s;
  }

  core::Status commit() override {
    ObjectDigest digest = hash_.finish();
    auto s = inner_->commit();
    if (s) store_.record(key_, std::move(digest));
    return s;
  }

  void abort() override { inner_->abort(); }
  uint64_t bytes_written() const override { return inner_->bytes_written(); }

 private:
  ChecksumRecordingStore& store_;
  const std::string key_;
  std::unique_ptr<ObjectWriter> inner_;
  Sha256 hash_;
};

ObjectDigests ChecksumRecordingStore::recorded() const {
  std::lock_guard lock(mutex_);
  return recorded_;
}

void ChecksumRecordingStore::record(const std::string& key, ObjectDigest digest) {
  std::lock_guard lock(mutex_);
  recorded_[key] = std::move(digest);
}

core::Result<std::unique_ptr<ObjectWriter>> ChecksumRecordingStore::put(const std::string& key) {
  auto inner = inner_.put(key);
  if (!inner) return core::unexpected(inner.error());
  return std::unique_ptr<ObjectWriter>(std::make_unique<Writer>(*this, key, std::move(*inner)));
}

core::Result<std::unique_ptr<ObjectReader>> ChecksumRecordingStore::get(const std::string& key) {
  return inner_.get(key);
}

core::Result<bool> ChecksumRecordingStore::exists(const std::string& key) {
  return inner_.exists(key);
}

core::Result<std::vector<std::string>> ChecksumRecordingStore::list(const std::string& prefix) {
  return inner_.list(prefix);
}

core::Status ChecksumRecordingStore::remove(const std::string& key) {
  auto s = inner_.remove(key);
  if (s) {
    std::lock_guard lock(mutex_);
    recorded_.erase(key);
  }
  return s;
}

core::Status ChecksumRecordingStore::remove_prefix(const std::string& prefix) {
  // Forgotten whether or not the removal succeeded: a failed one may have deleted some keys.
  {
    std::lock_guard lock(mutex_);
    for (auto it = recorded_.lower_bound(prefix);
         it != recorded_.end() && it->first.starts_with(prefix);) {
      it = recorded_.erase(it);
    }
  }
  return inner_.remove_prefix(prefix);
}

std::string ChecksumRecordingStore::describe() const { return inner_.describe(); }

core::Result<std::unique_ptr<ObjectWriter>> ChecksumVerifyingStore::put(const std::string& key) {
  return inner_.put(key);
}

core::Result<std::unique_ptr<ObjectReader>> ChecksumVerifyingStore::get(const std::string& key) {
  auto inner = inner_.get(key);
  if (!inner) return inner;
  auto it = expected_.find(key);
  if (it == expected_.end()) return inner;
  return std::unique_ptr<ObjectReader>(
      std::make_unique<VerifyingReader>(std::move(*inner), key, inner_.describe(), it->second));
}

core::Result<bool> ChecksumVerifyingStore::exists(const std::string& key) {
  return inner_.exists(key);
}

core::Result<std::vector<std::string>> ChecksumVerifyingStore::list(const std::string& prefix) {
  return inner_.list(prefix);
}

core::Status ChecksumVerifyingStore::remove(const std::string& key) { return inner_.remove(key); }

core::Status ChecksumVerifyingStore::remove_prefix(const std::string& prefix) {
  return inner_.remove_prefix(prefix);
}

std::string ChecksumVerifyingStore::describe() const { return inner_.describe(); }

core::Status settle_verification(ObjectReader& reader, core::Status outcome) {
  auto* verifying = dynamic_cast<VerifyingReader*>(&reader);
  if (verifying == nullptr) return outcome;
  std::array<char, 64 * 1024> discard;
  for (;;) {
    auto n = verifying->read(discard.data(), discard.size());
    // Another read error (the location failed) says nothing about the bytes: `outcome` stands.
    if (!n || *n == 0) break;
  }
  if (verifying->damage()) return core::unexpected(*verifying->damage());
  return outcome;
}

}  // namespace stillpoint::storage
