// S3Store and S3Client against a real Ceph radosgw on loopback (tests/s3/radosgw): round
// trips of small and multipart objects, listing past one page, prefix deletion that also
// aborts open uploads, S3's errors turned into messages, a network cut mid-upload (no parts
// left behind) and mid-download (resumed), and TLS with a custom CA.
#include <cstring>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "fault_proxy.h"
#include "radosgw_fixture.h"
#include "storage/s3/s3_store.h"

namespace stillpoint::s3test {
namespace {

using storage::s3::Credentials;
using storage::s3::RetrySettings;
using storage::s3::S3Client;
using storage::s3::S3Options;
using storage::s3::S3Store;
using storage::s3::kMiB;

std::string random_bytes(size_t size, uint64_t seed) {
  std::string out(size, '\0');
  std::mt19937_64 random(seed);
  for (size_t i = 0; i + 8 <= size; i += 8) {
    const uint64_t v = random();
    std::memcpy(out.data() + i, &v, 8);
  }
  return out;
}

int port_of(const std::string& endpoint) {
  return std::stoi(endpoint.substr(endpoint.rfind(':') + 1));
}

class S3StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gw = shared_radosgw(/*tls=*/false);
    ASSERT_TRUE(gw) << gw.error().message;
    gw_ = *gw;
    // A bucket per test: tests stay independent and can run in any order.
    bucket_ = "t-" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name());
    for (char& c : bucket_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (bucket_.size() > 63) bucket_.resize(63);
    auto made = gw_->create_bucket(bucket_);
    ASSERT_TRUE(made) << made.error().message;
  }

  std::shared_ptr<S3Client> client(const std::string& endpoint, S3Options options = {},
                                   std::string secret = "", RetrySettings retry = {}) {
    options.endpoint = endpoint;
    options.region = gw_->region();
    options.part_size = 5 * kMiB;
    auto target = storage::s3::resolve_target("s3://" + bucket_ + "/team/backups", options);
    EXPECT_TRUE(target) << target.error().message;
    Credentials credentials{gw_->access_key(), secret.empty() ? gw_->secret_key() : secret, ""};
    auto c = S3Client::create(*target, credentials, retry);
    EXPECT_TRUE(c) << c.error().message;
    return *c;
  }

  S3Store store(S3Options options = {}) { return S3Store(client(gw_->endpoint(), options)); }

  static std::string read_whole(storage::ObjectStore& s, const std::string& key) {
    auto r = storage::read_all(s, key);
    EXPECT_TRUE(r) << r.error().message;
    return r ? *r : std::string();
  }

  RadosGw* gw_ = nullptr;
  std::string bucket_;
};

TEST_F(S3StoreTest, SmallObjectRoundTripUnderThePrefix) {
  S3Store s = store();
  ASSERT_TRUE(storage::write_all(s, "backups/b1/velero-backup.json", "{\"kind\":\"Backup\"}"));
  EXPECT_EQ(read_whole(s, "backups/b1/velero-backup.json"), "{\"kind\":\"Backup\"}");
  auto exists = s.exists("backups/b1/velero-backup.json");
  ASSERT_TRUE(exists);
  EXPECT_TRUE(*exists);
  auto missing = s.exists("backups/b1/nothing");
  ASSERT_TRUE(missing);
  EXPECT_FALSE(*missing);
  auto keys = s.list("backups/");
  ASSERT_TRUE(keys) << keys.error().message;
  EXPECT_EQ(*keys, std::vector<std::string>{"backups/b1/velero-backup.json"});
  // The prefix is part of the real key: a client without it sees team/backups/...
  auto raw = s.client().list_objects("");
  ASSERT_TRUE(raw);
  ASSERT_EQ(raw->size(), 1u);
  EXPECT_EQ(raw->front().key, "team/backups/backups/b1/velero-backup.json");
  auto get = s.get("backups/b1/absent");
  ASSERT_FALSE(get);
  EXPECT_EQ(get.error().code, core::ErrorCode::NotFound) << get.error().message;
}

TEST_F(S3StoreTest, LargeObjectGoesUpInPartsAndComesBackIdentical) {
  S3Store s = store();
  const std::string data = random_bytes(17 * kMiB + 12345, 7);  // 4 parts, the last short
  auto writer = s.put("volumes/ns/pod/data.tar.zst");
  ASSERT_TRUE(writer);
  // Odd-sized writes, as a compressor produces them.
  for (size_t at = 0; at < data.size(); at += 777777) {
    ASSERT_TRUE((*writer)->write(std::string_view(data).substr(at, 777777)));
  }
  // Not visible before commit.
  EXPECT_FALSE(*s.exists("volumes/ns/pod/data.tar.zst"));
  ASSERT_TRUE((*writer)->commit());
  EXPECT_EQ((*writer)->bytes_written(), data.size());
  const uint64_t requests = s.client().requests_sent();
  EXPECT_GE(requests, 6u);  // create + 4 parts + complete
  EXPECT_TRUE(read_whole(s, "volumes/ns/pod/data.tar.zst") == data);
  auto pending = s.pending_uploads();
  ASSERT_TRUE(pending);
  EXPECT_TRUE(pending->empty());
}

TEST_F(S3StoreTest, AbortedOrDroppedWritersLeaveNoObjectAndNoParts) {
  S3Store s = store();
  const std::string data = random_bytes(11 * kMiB, 3);
  {
    auto writer = s.put("backups/b/aborted");
    ASSERT_TRUE((*writer)->write(data));
    (*writer)->abort();
  }
  {
    auto writer = s.put("backups/b/dropped");
    ASSERT_TRUE((*writer)->write(data));
  }  // destroyed uncommitted
  EXPECT_FALSE(*s.exists("backups/b/aborted"));
  EXPECT_FALSE(*s.exists("backups/b/dropped"));
  auto pending = s.pending_uploads();
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_TRUE(pending->empty()) << pending->size() << " uploads left open";
}

TEST_F(S3StoreTest, ListFollowsContinuationTokensPastOnePage) {
  S3Store s = store();
  constexpr int kObjects = 1010;  // S3 pages hold 1000 keys
  std::vector<std::thread> workers;
  std::atomic<int> failures{0};
  for (int w = 0; w < 8; ++w) {
    workers.emplace_back([&, w] {
      for (int i = w; i < kObjects; i += 8) {
        char key[64];
        std::snprintf(key, sizeof key, "backups/many/item-%04d", i);
        if (!storage::write_all(s, key, key)) ++failures;
      }
    });
  }
  for (auto& t : workers) t.join();
  ASSERT_EQ(failures.load(), 0);
  auto keys = s.list("backups/many/");
  ASSERT_TRUE(keys) << keys.error().message;
  ASSERT_EQ(keys->size(), static_cast<size_t>(kObjects));
  EXPECT_EQ(keys->front(), "backups/many/item-0000");
  EXPECT_EQ(keys->back(), "backups/many/item-1009");
  ASSERT_TRUE(s.remove_prefix("backups/many/"));
  EXPECT_TRUE(s.list("backups/many/")->empty());
}

TEST_F(S3StoreTest, RemovePrefixDeletesObjectsAndAbortsUploadsLeftOpen) {
  S3Store s = store();
  ASSERT_TRUE(storage::write_all(s, "backups/b2/b2.tar.gz", "tar"));
  ASSERT_TRUE(storage::write_all(s, "backups/b2/velero-backup.json", "{}"));
  ASSERT_TRUE(storage::write_all(s, "backups/b3/velero-backup.json", "{}"));
  // A crashed run's upload: started, never completed.
  auto id = s.client().create_multipart_upload("team/backups/backups/b2/volumes/x.tar.zst");
  ASSERT_TRUE(id) << id.error().message;
  ASSERT_EQ(s.pending_uploads()->size(), 1u);
  ASSERT_TRUE(s.remove_prefix("backups/b2/"));
  EXPECT_EQ(*s.list("backups/"), std::vector<std::string>{"backups/b3/velero-backup.json"});
  EXPECT_TRUE(s.pending_uploads()->empty());
}

TEST_F(S3StoreTest, WrongSecretIsRejectedWithAHint) {
  S3Store s(client(gw_->endpoint(), {}, "not-the-secret"));
  auto keys = s.list("backups/");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, core::ErrorCode::Forbidden);
  EXPECT_NE(keys.error().message.find("SignatureDoesNotMatch"), std::string::npos)
      << keys.error().message;
  EXPECT_NE(keys.error().message.find("clock"), std::string::npos) << keys.error().message;
  EXPECT_EQ(keys.error().message.find("not-the-secret"), std::string::npos);
  EXPECT_EQ(keys.error().message.find(gw_->secret_key()), std::string::npos);
}

TEST_F(S3StoreTest, MissingBucketIsNamed) {
  S3Options options;
  options.endpoint = gw_->endpoint();
  options.region = gw_->region();
  auto target = storage::s3::resolve_target("s3://no-such-bucket-here", options);
  ASSERT_TRUE(target);
  auto c = S3Client::create(*target, Credentials{gw_->access_key(), gw_->secret_key(), ""});
  ASSERT_TRUE(c);
  S3Store s(*c);
  auto keys = s.list("backups/");
  ASSERT_FALSE(keys);
  EXPECT_EQ(keys.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(keys.error().message.find("NoSuchBucket"), std::string::npos) << keys.error().message;
  EXPECT_NE(keys.error().message.find("\"no-such-bucket-here\" does not exist"), std::string::npos)
      << keys.error().message;
}

TEST_F(S3StoreTest, NetworkCutMidUploadFailsTheObjectAndAbortsItsUpload) {
  FaultProxy proxy(port_of(gw_->endpoint()));
  RetrySettings fast{3, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
  S3Store s(client("http://127.0.0.1:" + std::to_string(proxy.port()), {}, "", fast));
  const std::string data = random_bytes(26 * kMiB, 11);
  auto writer = s.put("volumes/ns/pod/cut.tar.zst");
  ASSERT_TRUE(writer);
  proxy.cut_large_requests(/*after_bytes=*/7 * kMiB);
  core::Status result = (*writer)->write(data);
  if (result) result = (*writer)->commit();
  ASSERT_FALSE(result) << "the upload survived " << proxy.connections_cut() << " cuts";
  EXPECT_GT(proxy.connections_cut(), 0u);
  EXPECT_NE(result.error().message.find("part"), std::string::npos) << result.error().message;
  // Checked directly against radosgw, not through the proxy.
  S3Store direct = store();
  EXPECT_FALSE(*direct.exists("volumes/ns/pod/cut.tar.zst"));
  auto pending = direct.pending_uploads();
  ASSERT_TRUE(pending) << pending.error().message;
  EXPECT_TRUE(pending->empty()) << pending->size() << " uploads left open";
}

TEST_F(S3StoreTest, DownloadCutMidBodyResumesWithARangeRequest) {
  S3Store direct = store();
  const std::string data = random_bytes(9 * kMiB, 5);
  ASSERT_TRUE(storage::write_all(direct, "backups/b/b.tar.gz", data));
  FaultProxy proxy(port_of(gw_->endpoint()));
  RetrySettings fast{4, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
  S3Store s(client("http://127.0.0.1:" + std::to_string(proxy.port()), {}, "", fast));
  proxy.cut_downloads(3 * kMiB, /*count=*/2);
  EXPECT_TRUE(read_whole(s, "backups/b/b.tar.gz") == data);
  EXPECT_EQ(proxy.connections_cut(), 2u);
  EXPECT_GE(s.client().retries(), 2u);
}

TEST_F(S3StoreTest, SlowDownIsRetriedWithBackoffThenReported) {
  FaultProxy proxy(port_of(gw_->endpoint()));
  RetrySettings fast{3, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
  S3Store s(client("http://127.0.0.1:" + std::to_string(proxy.port()), {}, "", fast));
  proxy.slow_down(2);
  ASSERT_TRUE(storage::write_all(s, "backups/b/slow", "after two 503s"));
  EXPECT_EQ(s.client().retries(), 2u);
  EXPECT_EQ(read_whole(s, "backups/b/slow"), "after two 503s");

  // A new client: the first one would reuse its kept-alive connection past the proxy's check.
  S3Store fresh(client("http://127.0.0.1:" + std::to_string(proxy.port()), {}, "", fast));
  proxy.slow_down(3);  // as many as the attempts
  auto failed = storage::write_all(fresh, "backups/b/slower", "x");
  ASSERT_FALSE(failed);
  EXPECT_EQ(failed.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(failed.error().message.find("HTTP 503 SlowDown"), std::string::npos)
      << failed.error().message;
  EXPECT_NE(failed.error().message.find("after 3 attempts"), std::string::npos)
      << failed.error().message;
}

TEST_F(S3StoreTest, KeptConnectionsClosedByTheServerAreReplacedWithoutAFailedAttempt) {
  FaultProxy proxy(port_of(gw_->endpoint()));
  RetrySettings one{1, std::chrono::milliseconds(10), std::chrono::milliseconds(50)};
  S3Store s(client("http://127.0.0.1:" + std::to_string(proxy.port()), {}, "", one));
  // Several connections in the pool: parallel parts of a multipart upload.
  ASSERT_TRUE(storage::write_all(s, "backups/b/parts", random_bytes(21 * kMiB, 9)));
  proxy.close_all();  // the server side drops every idle keep-alive connection
  // Once the proxy has closed them all, each is readable (EOF) on the client's side.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (proxy.open_connections() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ASSERT_EQ(proxy.open_connections(), 0u);
  // One attempt only: a stale connection taken from the pool would fail it.
  EXPECT_TRUE(storage::write_all(s, "backups/b/after-idle", "still works"));
  EXPECT_EQ(read_whole(s, "backups/b/after-idle"), "still works");
  EXPECT_EQ(s.client().retries(), 0u);
}

class S3TlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto gw = shared_radosgw(/*tls=*/true);
    ASSERT_TRUE(gw) << gw.error().message;
    gw_ = *gw;
    auto made = gw_->create_bucket("tls-bucket");
    ASSERT_TRUE(made) << made.error().message;
  }
  core::Result<std::vector<std::string>> list_with(S3Options options) {
    options.endpoint = gw_->tls_endpoint();
    options.region = gw_->region();
    auto target = storage::s3::resolve_target("s3://tls-bucket", options);
    if (!target) return core::unexpected(target.error());
    auto c = S3Client::create(*target, Credentials{gw_->access_key(), gw_->secret_key(), ""},
                              RetrySettings{1, {}, {}});
    if (!c) return core::unexpected(c.error());
    S3Store s(*c);
    if (auto w = storage::write_all(s, "probe", "tls"); !w) return core::unexpected(w.error());
    return s.list("");
  }
  RadosGw* gw_ = nullptr;
};

TEST_F(S3TlsTest, CustomCaIsTrustedAndTheSystemStoreIsNot) {
  S3Options with_ca;
  with_ca.ca_file = gw_->ca_file().string();
  auto ok = list_with(with_ca);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(*ok, std::vector<std::string>{"probe"});

  auto untrusted = list_with(S3Options{});
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, core::ErrorCode::Protocol);
  EXPECT_NE(untrusted.error().message.find("certificate verify failed"), std::string::npos)
      << untrusted.error().message;
  EXPECT_NE(untrusted.error().message.find("--s3-ca-file"), std::string::npos);

  S3Options insecure;
  insecure.insecure_skip_verify = true;
  auto skipped = list_with(insecure);
  EXPECT_TRUE(skipped) << skipped.error().message;
}

}  // namespace
}  // namespace stillpoint::s3test
