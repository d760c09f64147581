// HttpClient against kubesim over real TLS: verification, credentials, connection reuse,
// retries on injected faults (429 + Retry-After, 500, dropped connections), and what is not
// retried.
#include "kube/http_client.h"

#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "kube/base64.h"
#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

using nlohmann::json;
using testing::KubesimEnv;

HttpRequest get(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  return r;
}

// A verified TLS connection with the kubeconfig's CA and bearer token, reused across requests.
TEST(HttpClient, VerifiedRequestsReuseOneConnection) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  auto client = env.client();
  for (int i = 0; i < 5; ++i) {
    auto r = env.run(client->request(get("/api/v1/namespaces/default")));
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->status, 200);
    EXPECT_EQ(json::parse(r->body)["metadata"]["name"], "default");
  }
  EXPECT_EQ(client->stats().connections_opened, 1u);
  EXPECT_EQ(client->stats().requests_sent, 5u);
}

// Verification is on by default: a CA that did not sign the server, or a server name the
// certificate does not carry, fails the handshake; insecure-skip-tls-verify skips both.
TEST(HttpClient, VerifiesCertificateAndHostname) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  KubesimEnv other;  // a second kubesim: its CA did not sign the first one's certificate
  ASSERT_TRUE(other.started());

  auto wrong_ca = env.config();
  wrong_ca.cluster.ca_pem = other.server().ca_pem();
  auto r = env.run(env.client(wrong_ca)->request(get("/version")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Protocol);
  EXPECT_NE(r.error().message.find("certificate verify failed"), std::string::npos)
      << r.error().message;

  auto wrong_name = env.config();
  wrong_name.cluster.tls_server_name = "not-the-apiserver.example";
  r = env.run(env.client(wrong_name)->request(get("/version")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("hostname mismatch"), std::string::npos) << r.error().message;

  auto ip_mismatch = env.config();
  ip_mismatch.cluster.tls_server_name = "127.0.0.2";
  r = env.run(env.client(ip_mismatch)->request(get("/version")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("IP address mismatch"), std::string::npos) << r.error().message;

  auto right_name = env.config();
  right_name.cluster.tls_server_name = "localhost";
  r = env.run(env.client(right_name)->request(get("/version")));
  EXPECT_TRUE(r) << r.error().message;

  auto insecure = env.config();
  insecure.cluster.ca_pem.clear();
  insecure.cluster.insecure_skip_tls_verify = true;
  r = env.run(env.client(insecure)->request(get("/version")));
  EXPECT_TRUE(r) << r.error().message;

  auto system_roots = env.config();
  system_roots.cluster.ca_pem.clear();
  auto roots_client = env.client(system_roots);
  r = env.run(roots_client->request(get("/version")));
  EXPECT_FALSE(r);
  EXPECT_EQ(roots_client->stats().connections_opened, 0u);  // not retried
}

// A rejected static token is a Forbidden error carrying the server's Status; a rotated token
// file is re-read after the 401 and the request succeeds without the caller noticing.
TEST(HttpClient, UnauthorizedAndTokenFileRefresh) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  auto bad = env.config();
  bad.user.token = "wrong";
  auto r = env.run(env.client(bad)->request(get("/api/v1/namespaces")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Forbidden);
  EXPECT_NE(r.error().message.find("HTTP 401"), std::string::npos) << r.error().message;

  auto rotating = env.config();
  rotating.user.token.reset();
  rotating.user.token_file = env.dir().write("token", "stale-token");
  auto client = env.client(rotating);
  r = env.run(client->request(get("/api/v1/namespaces")));
  ASSERT_FALSE(r);  // the file holds a wrong token
  env.dir().write("token", env.server().token());
  r = env.run(client->request(get("/api/v1/namespaces")));
  EXPECT_TRUE(r) << r.error().message;  // 401 → re-read → success
}

// 429 with Retry-After is retried after the pause, also for POST; 500 and a dropped
// connection are retried for GET; a POST is not retried after a 500, unless the 500 asks for
// it with Retry-After.
TEST(HttpClient, RetriesInjectedFaultsWhereSafe) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  env.fault({{"path", "/api/v1/namespaces/default"},
             {"status", 429},
             {"retryAfterSeconds", 1},
             {"count", 2}});
  TransportOptions options;
  auto clock = std::make_shared<stillpoint::testing::FakeClock>();
  clock->advance_on_sleep();  // the pauses pass on the fake clock, not in wall time
  options.clock = clock;
  auto client = env.client(env.config(), options);
  const auto start = clock->now();
  auto r = env.run(client->request(get("/api/v1/namespaces/default")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_GE(clock->now() - start, std::chrono::seconds(2));
  EXPECT_EQ(client->stats().retries, 2u);

  env.fault({{"path", "/api/v1/namespaces/default"}, {"status", 500}, {"count", 1}});
  r = env.run(client->request(get("/api/v1/namespaces/default")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(client->stats().retries, 3u);

  env.fault({{"path", "/api/v1/namespaces/default"},
             {"action", "cut"},
             {"cutAfterBytes", 10},
             {"count", 1}});
  r = env.run(client->request(get("/api/v1/namespaces/default")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(client->stats().retries, 4u);

  env.fault({{"method", "POST"},
             {"path", "/api/v1/namespaces"},
             {"status", 500},
             {"message", "etcd is sad"},
             {"count", 1}});
  HttpRequest create;
  create.method = "POST";
  create.target = "/api/v1/namespaces";
  create.content_type = "application/json";
  create.body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n1"}})";
  r = env.run(client->request(create));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::Unavailable);
  EXPECT_NE(r.error().message.find("etcd is sad"), std::string::npos) << r.error().message;
  EXPECT_EQ(client->stats().retries, 4u);

  // A POST answered by a 500 that asks for a retry (Retry-After, as the API server's
  // ServerTimeout "No API token found for service account" carries) is sent again.
  env.fault({{"method", "POST"},
             {"path", "/api/v1/namespaces"},
             {"status", 500},
             {"reason", "ServerTimeout"},
             {"message", "No API token found for service account \"default\", retry after the "
                         "token is automatically created and added to the service account"},
             {"retryAfterSeconds", 1},
             {"count", 1}});
  create.body = R"({"apiVersion":"v1","kind":"Namespace","metadata":{"name":"n2"}})";
  r = env.run(client->request(create));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(client->stats().retries, 5u);

  // Errors keep the Status of the server: a 404 is final and named.
  r = env.run(client->request(get("/api/v1/namespaces/nope")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("namespaces \"nope\" not found (NotFound, HTTP 404)"),
            std::string::npos)
      << r.error().message;
}

// The connection cap holds: 20 concurrent requests with a cap of 2 open at most 2 connections.
TEST(HttpClient, ConnectionCapBoundsConcurrency) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  TransportOptions options;
  options.max_connections = 2;
  auto client = env.client(env.config(), options);
  int done = 0;
  for (int i = 0; i < 20; ++i) {
    boost::asio::co_spawn(
        env.io,
        [](std::shared_ptr<HttpClient> c, int* done) -> boost::asio::awaitable<void> {
          auto r = co_await c->request(get("/api/v1/namespaces/default"));
          EXPECT_TRUE(r);
          ++*done;
        }(client, &done),
        boost::asio::detached);
  }
  env.io.run();
  EXPECT_EQ(done, 20);
  EXPECT_LE(client->stats().connections_opened, 2u);
}

}  // namespace
}  // namespace stillpoint::kube
