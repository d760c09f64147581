// S3's REST operations over a small pool of keep-alive connections, signed with SigV4 and
// retried with backoff and full jitter on what may succeed next time: transport failures,
// 500/502/503/504 (including 503 SlowDown) and 400 RequestTimeout. Every payload is hashed
// into x-amz-content-sha256 (request bodies here are in memory: XML or one part), so the
// same code is safe over plain HTTP. Errors come back as one line naming the operation, the
// object and S3's own code, with a hint where the cause is usually elsewhere (the clock, the
// keys, the bucket name).
//
// Thread-safe: any number of threads may call at once; each call uses its own connection.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/s3/http_connection.h"
#include "storage/s3/s3_options.h"
#include "storage/s3/s3_xml.h"
#include "storage/s3/sigv4.h"

namespace stillpoint::storage::s3 {

struct S3Call {
  std::string method{};
  std::string key{};  // full object key (prefix included); "" for the bucket itself
  std::vector<std::pair<std::string, std::string>> query{};
  HeaderList headers{};
  std::string_view body{};
  // What the caller does not treat as a failure besides 2xx (e.g. 404 for HEAD and DELETE).
  std::vector<int> accept{};
};

// Retry pacing; tests shorten it.
struct RetrySettings {
  int max_attempts = 5;
  std::chrono::milliseconds initial_backoff{200};
  std::chrono::milliseconds max_backoff{5000};
};

// An object's body, streamed. A connection lost mid-body is resumed with a Range request for
// the rest, pinned to the first answer's ETag (If-Match) so a concurrent overwrite cannot mix
// two versions.
class ObjectStream {
 public:
  virtual ~ObjectStream() = default;
  virtual core::Result<size_t> read(char* buffer, size_t size) = 0;
  virtual uint64_t content_length() const = 0;
};

class S3Client : public std::enable_shared_from_this<S3Client> {
 public:
  static core::Result<std::shared_ptr<S3Client>> create(S3Target target, Credentials credentials,
                                                         RetrySettings retry = {});

  const S3Target& target() const { return target_; }

  // One request, signed and retried; the response of the last attempt. Non-2xx answers not in
  // call.accept become errors (see describe_failure).
  core::Result<HttpResponse> call(const S3Call& call);

  // A call's answer and how many attempts it took: more than one means an earlier attempt may
  // have been applied with its answer lost (complete_multipart_upload relies on this).
  struct CountedResponse {
    HttpResponse response;
    int attempts = 1;
  };
  // As call(), counting the attempts.
  core::Result<CountedResponse> counted_call(const S3Call& call);

  core::Result<std::unique_ptr<ObjectStream>> get_object(const std::string& key);
  // HEAD: nullopt when the object does not exist.
  core::Result<std::optional<uint64_t>> head_object(const std::string& key);
  core::Status put_object(const std::string& key, std::string_view body);
  core::Status delete_object(const std::string& key);
  // Deletes up to 1000 keys per request (DeleteObjects).
  core::Status delete_objects(const std::vector<std::string>& keys);
  // Every key under `prefix`, following continuation tokens.
  core::Result<std::vector<ListedObject>> list_objects(const std::string& prefix);

  core::Result<std::string> create_multipart_upload(const std::string& key);
  // The part's ETag.
  core::Result<std::string> upload_part(const std::string& key, const std::string& upload_id,
                                        int part_number, std::string_view body);
  core::Status complete_multipart_upload(const std::string& key, const std::string& upload_id,
                                         const std::vector<CompletedPart>& parts);
  core::Status abort_multipart_upload(const std::string& key, const std::string& upload_id);
  // Multipart uploads started under `prefix` and neither completed nor aborted.
  core::Result<std::vector<PendingUpload>> list_multipart_uploads(const std::string& prefix);

  // Counters for tests and progress: requests sent (attempts, not calls), and retries.
  uint64_t requests_sent() const { return requests_.load(); }
  uint64_t retries() const { return retries_.load(); }

 private:
  S3Client(S3Target target, Credentials credentials, RetrySettings retry,
           std::shared_ptr<boost::asio::ssl::context> tls);

  friend class S3ObjectStream;
  void sleep_before_retry(int attempt);
  // A kept-alive connection that is not stale, else a new one (always new with `fresh`).
  std::unique_ptr<HttpConnection> take_connection(bool fresh = false);
  void give_back(std::unique_ptr<HttpConnection> connection);
  HttpRequest signed_request(const S3Call& call, std::string_view payload_sha256) const;
  std::chrono::milliseconds backoff(int attempt) const;

  S3Target target_;
  Credentials credentials_;
  RetrySettings retry_;
  std::shared_ptr<boost::asio::ssl::context> tls_;
  std::mutex mutex_;
  std::vector<std::unique_ptr<HttpConnection>> idle_;
  std::atomic<uint64_t> requests_{0};
  std::atomic<uint64_t> retries_{0};
};

}  // namespace stillpoint::storage::s3
