#include "storage/s3/s3_store.h"

#include <algorithm>
#include <deque>
#include <future>

#include "storage/s3/credentials.h"

namespace stillpoint::storage::s3 {
namespace {

using core::ErrorCode;
using core::unexpected;

constexpr int kPartsPerSizeStep = 1000;

class S3ObjectWriter : public ObjectWriter {
 public:
  S3ObjectWriter(std::shared_ptr<S3Client> client, std::string key)
      : client_(std::move(client)),
        key_(std::move(key)),
        part_size_(client_->target().part_size),
        in_flight_budget_(client_->target().part_size *
                          static_cast<size_t>(client_->target().upload_parallelism)) {}

  ~S3ObjectWriter() override {
    if (!committed_) abort();
  }

  core::Status write(std::string_view bytes) override {
    if (!failure_.message.empty()) return unexpected(failure_);
    if (committed_ || aborted_) {
      return unexpected(ErrorCode::Internal, "write to a finished S3 object " + key_);
    }
    while (!bytes.empty()) {
      const size_t take = std::min(part_size_ - buffer_.size(), bytes.size());
      // Small objects (most metadata) grow their buffer as needed; one that outgrows a MiB is
      // given its whole part at once rather than reallocated and copied on the way.
      if (buffer_.size() + take > std::max(buffer_.capacity(), kMiB)) buffer_.reserve(part_size_);
      buffer_.append(bytes.data(), take);
      bytes.remove_prefix(take);
      written_ += take;
      if (buffer_.size() == part_size_) {
        if (auto s = send_part(); !s) return s;
      }
    }
    return core::ok();
  }

  core::Status commit() override {
    if (committed_) return core::ok();
    if (!failure_.message.empty()) return fail(failure_);
    if (aborted_) return unexpected(ErrorCode::Internal, "commit of an aborted S3 object " + key_);
    if (upload_id_.empty()) {
      // Small object: one PUT, visible at once and whole.
      if (auto s = client_->put_object(key_, buffer_); !s) return fail(s.error());
    } else {
      if (!buffer_.empty()) {
        if (auto s = send_part(); !s) return s;
      }
      while (!in_flight_.empty()) {
        if (auto s = collect_oldest(); !s) return fail(s.error());
      }
      if (auto s = client_->complete_multipart_upload(key_, upload_id_, parts_); !s) {
        return fail(s.error());
      }
    }
    committed_ = true;
    release_buffer();
    return core::ok();
  }

  void abort() override {
    if (committed_ || aborted_) return;
    aborted_ = true;
    while (!in_flight_.empty()) (void)collect_oldest();
    if (!upload_id_.empty()) {
      // Best effort: if S3 cannot be reached now, `location check` reports the upload and
      // `backup delete` (remove_prefix) aborts it later.
      (void)client_->abort_multipart_upload(key_, upload_id_);
    }
    release_buffer();
  }

  uint64_t bytes_written() const override { return written_; }

 private:
  struct InFlight {
    int number;
    std::shared_ptr<std::string> data;  // reused as a later part's buffer once sent
    std::future<core::Result<std::string>> etag;
  };

  core::Status fail(const core::Error& error) {
    if (failure_.message.empty()) failure_ = error;
    abort();
    return unexpected(failure_);
  }

  core::Status collect_oldest() {
    InFlight part = std::move(in_flight_.front());
    in_flight_.pop_front();
    auto etag = part.etag.get();
    // The upload thread is done with the bytes: keep the allocation for a later part. Fresh
    // part-sized buffers are mmap'd and zeroed by the kernel every time (beyond glibc's mmap
    // threshold), which cost more CPU than the upload itself at 32 MiB parts.
    part.data->clear();
    spare_.push_back(std::move(*part.data));
    if (!etag) {
      if (failure_.message.empty()) failure_ = etag.error();
      return unexpected(failure_);
    }
    parts_.push_back(CompletedPart{part.number, std::move(*etag)});
    return core::ok();
  }

  // Hands the buffer to a background upload, waiting first while `parallelism_` are in flight.
  core::Status send_part() {
    if (upload_id_.empty()) {
      auto id = client_->create_multipart_upload(key_);
      if (!id) return fail(id.error());
      upload_id_ = std::move(*id);
    }
    // Surface a failed part early instead of after the whole object was read.
    // Parts in flight are bounded by bytes, not count: when the part size doubles, fewer
    // parts go at once and memory stays at about (parallelism + 1) x the first part size.
    const size_t max_in_flight = std::max<size_t>(1, in_flight_budget_ / part_size_);
    while (!in_flight_.empty() &&
           (in_flight_.size() >= max_in_flight ||
            in_flight_.front().etag.wait_for(std::chrono::seconds(0)) ==
                std::future_status::ready)) {
      if (auto s = collect_oldest(); !s) return fail(s.error());
    }
    const int number = next_part_++;
    if (number > kMaxParts) {
      return fail(core::Error{ErrorCode::InvalidArgument,
                              "s3://" + client_->target().bucket + "/" + key_ +
                                  " needs more than 10,000 parts; raise --s3-part-size"});
    }
    auto part = std::make_shared<std::string>(std::move(buffer_));
    in_flight_.push_back(InFlight{
        number, part,
        std::async(std::launch::async, [client = client_, key = key_, id = upload_id_, number,
                                        part] { return client->upload_part(key, id, number, *part); })});
    if (number % kPartsPerSizeStep == 0) {
      part_size_ = std::min(part_size_ * 2, kMaxPartSize);
      spare_.clear();  // too small from now on
    }
    buffer_ = std::string();
    if (!spare_.empty()) {
      buffer_ = std::move(spare_.back());
      spare_.pop_back();
    }
    return core::ok();
  }

  void release_buffer() {
    std::string().swap(buffer_);
    spare_.clear();
  }

  std::shared_ptr<S3Client> client_;
  std::string key_;
  size_t part_size_;
  size_t in_flight_budget_;  // bytes of parts being uploaded at once
  std::string buffer_;
  uint64_t written_ = 0;
  std::string upload_id_;
  int next_part_ = 1;
  std::deque<InFlight> in_flight_;
  std::vector<std::string> spare_;  // buffers of parts already sent, cleared
  std::vector<CompletedPart> parts_;
  core::Error failure_{ErrorCode::Internal, ""};
  bool committed_ = false;
  bool aborted_ = false;
};

class S3ObjectReader : public ObjectReader {
 public:
  explicit S3ObjectReader(std::unique_ptr<ObjectStream> stream) : stream_(std::move(stream)) {}
  core::Result<size_t> read(char* buffer, size_t size) override {
    return stream_->read(buffer, size);
  }

 private:
  std::unique_ptr<ObjectStream> stream_;
};

}  // namespace

S3Store::S3Store(std::shared_ptr<S3Client> client) : client_(std::move(client)) {}

core::Result<std::unique_ptr<ObjectWriter>> S3Store::put(const std::string& key) {
  return std::unique_ptr<ObjectWriter>(std::make_unique<S3ObjectWriter>(client_, full_key(key)));
}

core::Result<std::unique_ptr<ObjectReader>> S3Store::get(const std::string& key) {
  auto stream = client_->get_object(full_key(key));
  if (!stream) return unexpected(stream.error());
  return std::unique_ptr<ObjectReader>(std::make_unique<S3ObjectReader>(std::move(*stream)));
}

core::Result<bool> S3Store::exists(const std::string& key) {
  auto size = client_->head_object(full_key(key));
  if (!size) return unexpected(size.error());
  return size->has_value();
}

core::Result<std::vector<std::string>> S3Store::list(const std::string& prefix) {
  auto objects = client_->list_objects(full_key(prefix));
  if (!objects) return unexpected(objects.error());
  const size_t strip = client_->target().prefix.size();
  std::vector<std::string> keys;
  keys.reserve(objects->size());
  for (const auto& object : *objects) {
    if (object.key.size() > strip) keys.push_back(object.key.substr(strip));
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

core::Status S3Store::remove(const std::string& key) { return client_->delete_object(full_key(key)); }

core::Status S3Store::remove_prefix(const std::string& prefix) {
  if (prefix.empty()) {
    // Would delete every backup in the location: never what a per-backup cleanup means.
    return unexpected(ErrorCode::InvalidArgument,
                      "refusing to remove every object in " + describe());
  }
  auto objects = client_->list_objects(full_key(prefix));
  if (!objects) return unexpected(objects.error());
  // The backup object goes first: if anything fails later, the backup is no longer listed
  // rather than listed and broken.
  std::vector<std::string> keys;
  for (const auto& object : *objects) {
    if (object.key.ends_with("/velero-backup.json")) {
      if (auto s = client_->delete_object(object.key); !s) return s;
    } else {
      keys.push_back(object.key);
    }
  }
  if (auto s = client_->delete_objects(keys); !s) return s;
  auto uploads = client_->list_multipart_uploads(full_key(prefix));
  if (!uploads) return unexpected(uploads.error());
  for (const auto& upload : *uploads) {
    if (auto s = client_->abort_multipart_upload(upload.key, upload.upload_id); !s) return s;
  }
  return core::ok();
}

std::string S3Store::describe() const { return client_->target().describe(); }

core::Result<size_t> S3Store::probe_multipart(const std::string& key) {
  auto id = client_->create_multipart_upload(full_key(key));
  if (!id) return unexpected(id.error());
  const std::string part(client_->target().part_size, 'p');
  auto etag = client_->upload_part(full_key(key), *id, 1, part);
  auto aborted = client_->abort_multipart_upload(full_key(key), *id);
  if (!etag) return unexpected(etag.error());
  if (!aborted) return unexpected(aborted.error());
  return part.size();
}

core::Result<std::vector<PendingUpload>> S3Store::pending_uploads() {
  auto uploads = client_->list_multipart_uploads(client_->target().prefix);
  if (!uploads) return unexpected(uploads.error());
  const size_t strip = client_->target().prefix.size();
  for (auto& upload : *uploads) upload.key = upload.key.substr(std::min(strip, upload.key.size()));
  return uploads;
}

core::Result<std::unique_ptr<S3Store>> open_s3_store(std::string_view location,
                                                     const S3Options& options) {
  auto target = resolve_target(location, options);
  if (!target) return unexpected(target.error());
  auto credentials = load_credentials();
  if (!credentials) return unexpected(credentials.error());
  auto client = S3Client::create(std::move(*target), std::move(*credentials));
  if (!client) return unexpected(client.error());
  return std::make_unique<S3Store>(std::move(*client));
}

core::Result<std::unique_ptr<S3Store>> open_s3_store(std::string_view location,
                                                     const S3Options& options,
                                                     Credentials credentials) {
  auto target = resolve_target(location, options);
  if (!target) return unexpected(target.error());
  auto client = S3Client::create(std::move(*target), std::move(credentials));
  if (!client) return unexpected(client.error());
  return std::make_unique<S3Store>(std::move(*client));
}

}  // namespace stillpoint::storage::s3
