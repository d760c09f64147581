// In-cluster configuration against kubesim: a temporary directory stands in for the pod's
// service-account mount (kubesim's token and CA), the Service variables point at its port.
// Requests are TLS-verified against that CA, and a rotated token file is used from the first
// request after the re-read period (on a fake clock), not before.
#include <gtest/gtest.h>

#include "fakes/fake_clock.h"
#include "kube/credential_source.h"
#include "kube/in_cluster_config.h"
#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

using testing::KubesimEnv;

HttpRequest get(std::string target) {
  HttpRequest r;
  r.target = std::move(target);
  return r;
}

InClusterPaths pod_paths(KubesimEnv& env, const std::string& ca) {
  env.dir().write("sa/token", env.server().token() + "\n");
  env.dir().write("sa/ca.crt", ca);
  env.dir().write("sa/namespace", "stillpoint");
  InClusterPaths p;
  const std::string port = std::to_string(env.server().port());
  p.env = [port](std::string_view name) -> std::optional<std::string> {
    if (name == "KUBERNETES_SERVICE_HOST")
      return "127.0.0.1";
    if (name == "KUBERNETES_SERVICE_PORT")
      return port;
    return std::nullopt;
  };
  p.service_account_dir = env.dir().file("sa");
  return p;
}

// The service account's CA verifies the server; another CA does not.
TEST(InClusterOnKubesim, TlsVerifiedWithTheServiceAccountCa) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  auto config = in_cluster_config(pod_paths(env, env.server().ca_pem()));
  ASSERT_TRUE(config) << config.error().message;
  auto r = env.run(env.client(*config)->request(get("/api/v1/namespaces")));
  EXPECT_TRUE(r) << r.error().message;

  KubesimEnv other;
  ASSERT_TRUE(other.started());
  auto wrong_ca = in_cluster_config(pod_paths(env, other.server().ca_pem()));
  ASSERT_TRUE(wrong_ca);
  r = env.run(env.client(*wrong_ca)->request(get("/api/v1/namespaces")));
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
}

// A rotated token is read within kTokenFileRefresh: before it the cached token is sent (the
// request succeeds although the file now holds a token the server refuses); after it the new
// file content is sent (401, which re-reads and still fails: the server saw the new token).
// Writing the server's token back makes the next request succeed.
TEST(InClusterOnKubesim, RotatedTokenIsSentAfterTheRereadPeriod) {
  KubesimEnv env;
  ASSERT_TRUE(env.started());
  auto paths = pod_paths(env, env.server().ca_pem());
  auto config = in_cluster_config(paths);
  ASSERT_TRUE(config) << config.error().message;
  auto clock = std::make_shared<stillpoint::testing::FakeClock>();
  TransportOptions options;
  options.clock = clock;
  auto client = env.client(*config, options);
  ASSERT_TRUE(env.run(client->request(get("/api/v1/namespaces"))));

  env.dir().write("sa/token", "rotated-token-the-server-does-not-know\n");
  clock->advance(kTokenFileRefresh - std::chrono::seconds(1));
  auto cached = env.run(client->request(get("/api/v1/namespaces")));
  EXPECT_TRUE(cached) << cached.error().message;

  clock->advance(std::chrono::seconds(2));
  auto rotated = env.run(client->request(get("/api/v1/namespaces")));
  ASSERT_FALSE(rotated);
  EXPECT_NE(rotated.error().message.find("HTTP 401"), std::string::npos) << rotated.error().message;
  EXPECT_EQ(rotated.error().message.find("rotated-token"), std::string::npos);

  env.dir().write("sa/token", env.server().token());
  clock->advance(kTokenFileRefresh + std::chrono::seconds(1));
  auto back = env.run(client->request(get("/api/v1/namespaces")));
  EXPECT_TRUE(back) << back.error().message;
}

}  // namespace
}  // namespace stillpoint::kube
