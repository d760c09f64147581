#include "storage/s3/s3_client.h"

#include <openssl/evp.h>

#include <algorithm>
#include <random>
#include <thread>

#include "storage/s3/s3_errors.h"

namespace stillpoint::storage::s3 {
namespace {

using core::ErrorCode;
using core::unexpected;

constexpr size_t kXmlBodyLimit = 16 * kMiB;  // a ListObjectsV2 page of 1000 keys is ~300 KiB
constexpr size_t kErrorBodyLimit = 64 * 1024;
constexpr auto kIoTimeout = std::chrono::seconds(120);
constexpr size_t kMaxIdleConnections = 16;
// Kept connections idle longer than this are closed rather than reused: below the idle
// timeouts of common servers and load balancers (nginx 75 s, ELB 60 s, some proxies 5 s).
constexpr auto kMaxIdle = std::chrono::seconds(4);
constexpr size_t kDeleteBatch = 1000;  // DeleteObjects' limit

bool is_2xx(int status) { return status >= 200 && status < 300; }

std::string base64_md5(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr);
  unsigned char encoded[64];
  const int n = EVP_EncodeBlock(encoded, digest, static_cast<int>(length));
  return std::string(reinterpret_cast<const char*>(encoded), static_cast<size_t>(n));
}

}  // namespace

core::Result<std::shared_ptr<S3Client>> S3Client::create(S3Target target, Credentials credentials,
                                                         RetrySettings retry) {
  auto tls = make_tls_context(target);
  if (!tls) return unexpected(tls.error());
  return std::shared_ptr<S3Client>(
      new S3Client(std::move(target), std::move(credentials), retry, std::move(*tls)));
}

S3Client::S3Client(S3Target target, Credentials credentials, RetrySettings retry,
                   std::shared_ptr<boost::asio::ssl::context> tls)
    : target_(std::move(target)),
      credentials_(std::move(credentials)),
      retry_(retry),
      tls_(std::move(tls)) {}

std::unique_ptr<HttpConnection> S3Client::take_connection(bool fresh) {
  while (!fresh) {
    std::unique_ptr<HttpConnection> connection;
    {
      std::lock_guard lock(mutex_);
      if (idle_.empty()) break;
      connection = std::move(idle_.back());
      idle_.pop_back();
    }
    if (!connection->stale(kMaxIdle)) return connection;
  }
  return std::make_unique<HttpConnection>(target_, tls_, kIoTimeout);
}

void S3Client::give_back(std::unique_ptr<HttpConnection> connection) {
  if (!connection || !connection->reusable()) return;
  std::lock_guard lock(mutex_);
  if (idle_.size() < kMaxIdleConnections) idle_.push_back(std::move(connection));
}

std::chrono::milliseconds S3Client::backoff(int attempt) const {
  // Full jitter (AWS's "Exponential Backoff And Jitter"): uniform in [0, min(cap, base*2^n)],
  // so that many workers retrying at once spread out instead of hammering together.
  const int64_t ceiling = std::min<int64_t>(
      retry_.max_backoff.count(), retry_.initial_backoff.count() << std::min(attempt - 1, 20));
  thread_local std::mt19937_64 random{std::random_device{}()};
  std::uniform_int_distribution<int64_t> pick(ceiling / 4, std::max<int64_t>(ceiling, 1));
  return std::chrono::milliseconds(pick(random));
}

void S3Client::sleep_before_retry(int attempt) {
  ++retries_;
  std::this_thread::sleep_for(backoff(attempt));
}

HttpRequest S3Client::signed_request(const S3Call& call, std::string_view payload_sha256) const {
  SigningRequest signing;
  signing.method = call.method;
  signing.path = target_.path_of(call.key);
  signing.query = call.query;
  signing.headers = call.headers;
  signing.host = target_.host_header();
  signing.payload_sha256 = std::string(payload_sha256);
  signing.region = target_.region;
  signing.time = std::chrono::system_clock::now();
  SignedHeaders added = sign(signing, credentials_);
  HttpRequest request;
  request.method = call.method;
  const std::string query = canonical_query_string(call.query);
  request.target = signing.path + (query.empty() ? std::string() : "?" + query);
  request.headers = call.headers;
  for (auto& header : added.headers) request.headers.push_back(std::move(header));
  request.body = call.body;
  return request;
}

core::Result<HttpResponse> S3Client::call(const S3Call& call) {
  auto counted = counted_call(call);
  if (!counted) return unexpected(counted.error());
  return std::move(counted->response);
}

core::Result<S3Client::CountedResponse> S3Client::counted_call(const S3Call& call) {
  const std::string payload_hash = sha256_hex(call.body);
  core::Error last{ErrorCode::Internal, "no attempt"};
  bool fresh = false;  // after a kept connection failed: the next one is new, at once
  for (int attempt = 1; attempt <= retry_.max_attempts; ++attempt) {
    if (attempt > 1 && !fresh) sleep_before_retry(attempt - 1);
    auto connection = take_connection(fresh);
    const bool reused = connection->exchanges() > 0;
    fresh = false;
    ++requests_;
    const HttpRequest request = signed_request(call, payload_hash);
    auto response = connection->round_trip(request, kXmlBodyLimit, call.method == "HEAD");
    if (!response) {
      last = describe_transport_failure(target_, call, response.error());
      if (!retryable_error(last)) return unexpected(last);
      // A kept connection the server closed meanwhile: not the server's fault, and not worth
      // an attempt. Try again on a new connection without waiting.
      if (reused) {
        fresh = true;
        --attempt;
      }
      continue;
    }
    give_back(std::move(connection));
    const int status = response->status;
    if (is_2xx(status) ||
        std::find(call.accept.begin(), call.accept.end(), status) != call.accept.end()) {
      return CountedResponse{.response = std::move(*response), .attempts = attempt};
    }
    last = describe_failure(target_, call, status, response->body);
    if (!retryable_status(status, response->body)) return unexpected(last);
  }
  last.message += " (after " + std::to_string(retry_.max_attempts) + " attempts)";
  return unexpected(last);
}

// GET with resume: see ObjectStream in the header.
class S3ObjectStream : public ObjectStream {
 public:
  S3ObjectStream(std::shared_ptr<S3Client> client, std::string key)
      : client_(std::move(client)), key_(std::move(key)) {}

  ~S3ObjectStream() override {
    // A body abandoned half-way leaves the connection mid-message: never reuse it.
    if (connection_) connection_->close();
  }

  // Sends the GET (with Range from offset_ when resuming) and reads the header.
  core::Status open(int& attempt) {
    S3Call call;
    call.method = "GET";
    call.key = key_;
    if (offset_ > 0) {
      call.headers.emplace_back("range", "bytes=" + std::to_string(offset_) + "-");
      if (!etag_.empty()) call.headers.emplace_back("if-match", etag_);
    }
    core::Error last{ErrorCode::Internal, "no attempt"};
    for (; attempt <= client_->retry_.max_attempts; ++attempt) {
      if (attempt > 1) client_->sleep_before_retry(attempt - 1);
      connection_ = client_->take_connection();
      ++client_->requests_;
      const HttpRequest request =
          client_->signed_request(call, std::string(kEmptyPayloadSha256));
      auto response = connection_->start(request);
      if (!response) {
        last = describe_transport_failure(client_->target_, call, response.error());
        connection_.reset();
        if (retryable_error(last)) continue;
        return unexpected(last);
      }
      if (offset_ == 0 && response->status == 200) {
        etag_ = response->header("ETag");
        const std::string length = response->header("Content-Length");
        length_known_ = !length.empty();
        content_length_ = length_known_ ? std::strtoull(length.c_str(), nullptr, 10) : 0;
        return core::ok();
      }
      if (offset_ > 0 && (response->status == 200 || response->status == 206)) {
        // Resuming: only the rest, from exactly where we stopped, will do. A server that
        // ignores Range answers 200 with the whole object again, which must never be
        // appended to what the reader already has.
        const std::string range = response->header("Content-Range");
        const std::string expected = "bytes " + std::to_string(offset_) + "-";
        if (response->status == 206 && range.rfind(expected, 0) == 0) return core::ok();
        connection_->close();
        connection_.reset();
        return unexpected(ErrorCode::Protocol,
                          "s3://" + client_->target_.bucket + "/" + key_ +
                              ": the connection broke after " + std::to_string(offset_) +
                              " bytes and the server did not resume from there (HTTP " +
                              std::to_string(response->status) + ", Content-Range \"" + range +
                              "\")");
      }
      std::string body;
      char chunk[4096];
      while (body.size() < kErrorBodyLimit) {
        auto n = connection_->read_some(chunk, sizeof chunk);
        if (!n || *n == 0) break;
        body.append(chunk, *n);
      }
      client_->give_back(std::move(connection_));
      last = describe_failure(client_->target_, call, response->status, body);
      if (response->status == 412) {
        last.message = "s3://" + client_->target_.bucket + "/" + key_ +
                       " changed while it was being read; read it again";
        return unexpected(last);
      }
      if (!retryable_status(response->status, body)) return unexpected(last);
    }
    return unexpected(last);
  }

  core::Result<size_t> read(char* buffer, size_t size) override {
    if (eof_) return size_t{0};
    int attempt = 1;
    while (true) {
      if (!connection_) {
        if (auto s = open(attempt); !s) return unexpected(s.error());
      }
      auto n = connection_->read_some(buffer, size);
      if (n) {
        offset_ += *n;
        if (*n == 0) {
          eof_ = true;
          client_->give_back(std::move(connection_));
          if (length_known_ && offset_ != content_length_) {
            return unexpected(ErrorCode::Protocol,
                              "s3://" + client_->target_.bucket + "/" + key_ + " ended after " +
                                  std::to_string(offset_) + " of " +
                                  std::to_string(content_length_) + " bytes");
          }
        }
        return *n;
      }
      // Lost mid-body: resume from offset_ on a new connection.
      connection_.reset();
      if (!retryable_error(n.error()) || attempt >= client_->retry_.max_attempts) {
        return unexpected(n.error().code, "S3 reading s3://" + client_->target_.bucket + "/" +
                                              key_ + " failed after " + std::to_string(offset_) +
                                              " bytes: " + n.error().message);
      }
      ++attempt;
    }
  }

  uint64_t content_length() const override { return content_length_; }

 private:
  std::shared_ptr<S3Client> client_;
  std::string key_;
  std::unique_ptr<HttpConnection> connection_;
  uint64_t offset_ = 0;
  uint64_t content_length_ = 0;
  bool length_known_ = false;
  bool eof_ = false;
  std::string etag_;
};

core::Result<std::unique_ptr<ObjectStream>> S3Client::get_object(const std::string& key) {
  auto stream = std::make_unique<S3ObjectStream>(shared_from_this(), key);
  int attempt = 1;
  if (auto s = stream->open(attempt); !s) return unexpected(s.error());
  return std::unique_ptr<ObjectStream>(std::move(stream));
}

core::Result<std::optional<uint64_t>> S3Client::head_object(const std::string& key) {
  auto response = call(S3Call{.method = "HEAD", .key = key, .accept = {404}});
  if (!response) return unexpected(response.error());
  if (response->status == 404) return std::optional<uint64_t>();
  const std::string length = response->header("Content-Length");
  return std::optional<uint64_t>(std::strtoull(length.c_str(), nullptr, 10));
}

core::Status S3Client::put_object(const std::string& key, std::string_view body) {
  auto response = call(S3Call{.method = "PUT", .key = key, .body = body});
  if (!response) return unexpected(response.error());
  return core::ok();
}

core::Status S3Client::delete_object(const std::string& key) {
  auto response = call(S3Call{.method = "DELETE", .key = key, .accept = {404}});
  if (!response) return unexpected(response.error());
  return core::ok();
}

core::Status S3Client::delete_objects(const std::vector<std::string>& keys) {
  for (size_t first = 0; first < keys.size(); first += kDeleteBatch) {
    const std::vector<std::string> batch(
        keys.begin() + static_cast<std::ptrdiff_t>(first),
        keys.begin() + static_cast<std::ptrdiff_t>(std::min(keys.size(), first + kDeleteBatch)));
    const std::string body = delete_objects_body(batch);
    S3Call request{.method = "POST", .key = "", .query = {{"delete", ""}}, .body = body};
    // DeleteObjects requires an integrity header; Content-MD5 is the one every server knows.
    request.headers.emplace_back("content-md5", base64_md5(body));
    request.headers.emplace_back("content-type", "application/xml");
    auto response = call(request);
    if (!response) return unexpected(response.error());
    auto failures = parse_delete_result(response->body);
    if (!failures) return unexpected(failures.error());
    if (!failures->empty()) {
      const DeleteFailure& f = failures->front();
      return unexpected(ErrorCode::Unavailable,
                        "S3 could not delete s3://" + target_.bucket + "/" + f.key + ": " +
                            f.code + " " + f.message + " (and " +
                            std::to_string(failures->size() - 1) + " more)");
    }
  }
  return core::ok();
}

core::Result<std::vector<ListedObject>> S3Client::list_objects(const std::string& prefix) {
  std::vector<ListedObject> out;
  std::string token;
  while (true) {
    S3Call request{.method = "GET", .key = "", .query = {{"list-type", "2"}, {"prefix", prefix}}};
    if (!token.empty()) request.query.emplace_back("continuation-token", token);
    auto response = call(request);
    if (!response) return unexpected(response.error());
    auto page = parse_list_objects_v2(response->body);
    if (!page) {
      return unexpected(ErrorCode::Protocol, "S3 listing s3://" + target_.bucket + "/" + prefix +
                                                 ": " + page.error().message);
    }
    for (auto& object : page->objects) out.push_back(std::move(object));
    if (!page->truncated) break;
    if (page->next_continuation_token.empty() || page->next_continuation_token == token) {
      return unexpected(ErrorCode::Protocol, "S3 listing s3://" + target_.bucket + "/" + prefix +
                                                 ": truncated page without a new continuation "
                                                 "token");
    }
    token = page->next_continuation_token;
  }
  return out;
}

core::Result<std::string> S3Client::create_multipart_upload(const std::string& key) {
  auto response = call(S3Call{.method = "POST", .key = key, .query = {{"uploads", ""}}});
  if (!response) return unexpected(response.error());
  auto id = parse_upload_id(response->body);
  if (!id) {
    return unexpected(ErrorCode::Protocol, "S3 starting a multipart upload of s3://" +
                                               target_.bucket + "/" + key + ": " +
                                               id.error().message);
  }
  return id;
}

core::Result<std::string> S3Client::upload_part(const std::string& key,
                                                const std::string& upload_id, int part_number,
                                                std::string_view body) {
  auto response = call(S3Call{.method = "PUT",
                              .key = key,
                              .query = {{"partNumber", std::to_string(part_number)},
                                        {"uploadId", upload_id}},
                              .body = body});
  if (!response) return unexpected(response.error());
  std::string etag = response->header("ETag");
  if (etag.empty()) {
    return unexpected(ErrorCode::Protocol, "S3 uploading part " + std::to_string(part_number) +
                                               " of s3://" + target_.bucket + "/" + key +
                                               ": the answer has no ETag");
  }
  return etag;
}

core::Status S3Client::complete_multipart_upload(const std::string& key,
                                                 const std::string& upload_id,
                                                 const std::vector<CompletedPart>& parts) {
  const std::string body = complete_multipart_body(parts);
  S3Call request{.method = "POST", .key = key, .query = {{"uploadId", upload_id}}, .body = body};
  request.headers.emplace_back("content-type", "application/xml");
  request.accept = {404};
  // S3 may answer 200 and still fail the completion, with an <Error> in the body; AWS says to
  // retry those (InternalError, SlowDown).
  S3Error error;
  for (int round = 1; round <= retry_.max_attempts; ++round) {
    if (round > 1) sleep_before_retry(round - 1);
    auto counted = counted_call(request);
    if (!counted) return unexpected(counted.error());
    const HttpResponse& response = counted->response;
    if (response.status == 404) {
      // NoSuchUpload after this call retried: the earlier attempt completed but its answer
      // was lost. Then the object is there, made of exactly these parts (its ETag ends in
      // "-<parts>"), which tells it from an older object under the same key.
      if (counted->attempts > 1 || round > 1) {
        auto listed = list_objects(key);
        const std::string suffix = "-" + std::to_string(parts.size()) + "\"";
        if (listed) {
          for (const auto& object : *listed) {
            if (object.key == key && object.etag.ends_with(suffix)) return core::ok();
          }
        }
      }
      return unexpected(describe_failure(target_, request, 404, response.body));
    }
    if (!complete_failed(response.body, error)) return core::ok();
    if (error.code != "InternalError" && error.code != "SlowDown") break;
  }
  return unexpected(ErrorCode::Unavailable, "S3 completing the multipart upload of s3://" +
                                                target_.bucket + "/" + key + " failed: " +
                                                error.code + ": " + error.message);
}

core::Status S3Client::abort_multipart_upload(const std::string& key,
                                              const std::string& upload_id) {
  auto response = call(
      S3Call{.method = "DELETE", .key = key, .query = {{"uploadId", upload_id}}, .accept = {404}});
  if (!response) return unexpected(response.error());
  return core::ok();
}

core::Result<std::vector<PendingUpload>> S3Client::list_multipart_uploads(
    const std::string& prefix) {
  std::vector<PendingUpload> out;
  std::string key_marker;
  std::string upload_marker;
  while (true) {
    S3Call request{.method = "GET", .key = "", .query = {{"uploads", ""}, {"prefix", prefix}}};
    if (!key_marker.empty()) request.query.emplace_back("key-marker", key_marker);
    if (!upload_marker.empty()) request.query.emplace_back("upload-id-marker", upload_marker);
    auto response = call(request);
    if (!response) return unexpected(response.error());
    auto page = parse_list_multipart_uploads(response->body);
    if (!page) {
      return unexpected(ErrorCode::Protocol, "S3 listing multipart uploads in s3://" +
                                                 target_.bucket + ": " + page.error().message);
    }
    for (auto& upload : page->uploads) out.push_back(std::move(upload));
    if (!page->truncated) break;
    if (page->next_key_marker == key_marker && page->next_upload_id_marker == upload_marker) {
      return unexpected(ErrorCode::Protocol,
                        "S3 listing multipart uploads: truncated page without new markers");
    }
    key_marker = page->next_key_marker;
    upload_marker = page->next_upload_id_marker;
  }
  return out;
}

}  // namespace stillpoint::storage::s3
