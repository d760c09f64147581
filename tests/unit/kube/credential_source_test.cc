#include "kube/credential_source.h"

#include <fstream>

#include <gtest/gtest.h>

#include "core/documents.h"
#include "fakes/temp_dir.h"

namespace stillpoint::kube {
namespace {

using std::chrono::system_clock;
using testing::TempDir;

struct ManualClock {
  system_clock::time_point now = system_clock::from_time_t(1'800'000'000);
  CredentialSource::Clock fn() {
    return [this] { return now; };
  }
};

ClientConfig plugin_config(const TempDir& dir,
                           std::vector<std::pair<std::string, std::string>> env,
                           std::string api = "client.authentication.k8s.io/v1") {
  ClientConfig c;
  c.cluster.server = "https://127.0.0.1:6443";
  c.cluster.ca_pem = "CA-PEM";
  ExecPluginConfig p;
  p.api_version = std::move(api);
  p.command = KUBE_TEST_PLUGIN;
  p.interactive_mode = "Never";
  p.env = std::move(env);
  p.env.emplace_back("PLUGIN_COUNTER", dir.file("counter"));
  c.user.exec = p;
  return c;
}

int runs(const TempDir& dir) {
  auto text = core::read_file(dir.file("counter"));
  return text ? std::stoi(*text) : 0;
}

// An exec plugin's token is cached until its expirationTimestamp, then the plugin runs again.
TEST(CredentialSource, ExecPluginTokenCachedUntilExpiry) {
  TempDir dir;
  ManualClock clock;
  CredentialSource source(plugin_config(dir, {{"PLUGIN_EXPIRY", "2027-01-15T08:00:00Z"}}),
                          clock.fn());
  clock.now = system_clock::from_time_t(1'800'000'000);  // 2027-01-15T08:00:00Z
  clock.now -= std::chrono::minutes(10);
  auto first = source.current();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->authorization, "Bearer tok-1");
  EXPECT_EQ(source.current()->authorization, "Bearer tok-1");
  EXPECT_EQ(runs(dir), 1);

  clock.now += std::chrono::minutes(11);  // past expiry
  auto second = source.current();
  ASSERT_TRUE(second);
  EXPECT_EQ(second->authorization, "Bearer tok-2");
  EXPECT_NE(second->generation, first->generation);
  EXPECT_EQ(runs(dir), 2);
}

// A credential without expiry is reused forever, until the server rejects it (401): then the
// plugin runs once more, and a second 401 report for the same old generation does nothing.
TEST(CredentialSource, RejectedCredentialRerunsPluginOncePerGeneration) {
  TempDir dir;
  CredentialSource source(plugin_config(dir, {}));
  auto first = source.current();
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(source.current()->authorization, "Bearer tok-1");
  EXPECT_TRUE(source.rejected(first->generation));
  auto second = source.current();
  EXPECT_EQ(second->authorization, "Bearer tok-2");
  EXPECT_TRUE(source.rejected(first->generation));  // stale report: keeps tok-2
  EXPECT_EQ(source.current()->authorization, "Bearer tok-2");
  EXPECT_EQ(runs(dir), 2);
}

// The plugin gets KUBERNETES_EXEC_INFO (with cluster info when asked), client certificates
// from the plugin are used, and v1beta1 plugins are run as v1beta1.
TEST(CredentialSource, PluginInputAndCertificateOutput) {
  TempDir dir;
  auto config = plugin_config(dir,
                              {{"PLUGIN_MODE", "cert"},
                               {"PLUGIN_INFO_OUT", dir.file("info")},
                               {"PLUGIN_API", "client.authentication.k8s.io/v1beta1"}},
                              "client.authentication.k8s.io/v1beta1");
  config.user.exec->provide_cluster_info = true;
  CredentialSource source(config);
  auto m = source.current();
  ASSERT_TRUE(m) << m.error().message;
  EXPECT_FALSE(m->authorization);
  EXPECT_EQ(m->client_certificate_pem,
            "-----BEGIN CERTIFICATE-----\nX\n-----END CERTIFICATE-----\n");
  auto info = core::read_file(dir.file("info"));
  ASSERT_TRUE(info);
  auto json = nlohmann::json::parse(*info);
  EXPECT_EQ(json["apiVersion"], "client.authentication.k8s.io/v1beta1");
  EXPECT_EQ(json["spec"]["interactive"], false);
  EXPECT_EQ(json["spec"]["cluster"]["server"], "https://127.0.0.1:6443");
  EXPECT_EQ(json["spec"]["cluster"]["certificate-authority-data"], "Q0EtUEVN");
}

// Plugin failures are errors with the plugin's own words: its stderr, the install hint for a
// missing command, and what was wrong with its output.
TEST(CredentialSource, PluginFailuresAreClearErrors) {
  TempDir dir;
  {
    CredentialSource source(plugin_config(dir, {{"PLUGIN_MODE", "fail"}}));
    auto m = source.current();
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, core::ErrorCode::Unavailable);
    EXPECT_NE(m.error().message.find("exit code 3"), std::string::npos) << m.error().message;
    EXPECT_NE(m.error().message.find("the identity provider said no"), std::string::npos)
        << m.error().message;
  }
  {
    CredentialSource source(plugin_config(dir, {{"PLUGIN_MODE", "garbage"}}));
    auto m = source.current();
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, core::ErrorCode::Protocol);
  }
  {
    CredentialSource source(
        plugin_config(dir, {{"PLUGIN_API", "client.authentication.k8s.io/v1beta1"}}));
    auto m = source.current();
    ASSERT_FALSE(m);
    EXPECT_NE(m.error().message.find("does not match"), std::string::npos) << m.error().message;
  }
  {
    auto config = plugin_config(dir, {});
    config.user.exec->command = "stillpoint-no-such-plugin";
    config.user.exec->install_hint = "install it with apt";
    CredentialSource source(config);
    auto m = source.current();
    ASSERT_FALSE(m);
    EXPECT_EQ(m.error().code, core::ErrorCode::NotFound);
    EXPECT_NE(m.error().message.find("install it with apt"), std::string::npos);
  }
  {
    auto config = plugin_config(dir, {});
    config.user.exec->interactive_mode = "Always";
    CredentialSource source(config);
    EXPECT_EQ(source.current().error().code, core::ErrorCode::InvalidArgument);
  }
}

TEST(ExecCredential, ParsesOutputStrictly) {
  const std::string v1 = "client.authentication.k8s.io/v1";
  auto ok = parse_exec_credential(
      R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"2026-07-24T15:04:05.5+02:00"}})",
      v1);
  ASSERT_TRUE(ok) << ok.error().message;
  EXPECT_EQ(ok->expiry, system_clock::from_time_t(1784898245) + std::chrono::milliseconds(500));
  for (
      const char* bad :
      {R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"})",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}})",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientKeyData":"k"}})",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"tomorrow"}})",
       R"({"apiVersion":"client.authentication.k8s.io/v1","kind":"Status","status":{"token":"t"}})",
       "[]"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_exec_credential(bad, v1));
  }
}

TEST(ExecCredential, Rfc3339) {
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:00Z"), system_clock::from_time_t(0));
  EXPECT_EQ(*parse_rfc3339("1970-01-01T01:00:00+01:00"), system_clock::from_time_t(0));
  EXPECT_EQ(*parse_rfc3339("1970-01-01T00:00:10.25Z"),
            system_clock::from_time_t(10) + std::chrono::milliseconds(250));
  for (const char* bad : {"", "1970-01-01", "1970-01-01T00:00:00", "1970-13-01T00:00:00Z",
                          "1970-01-01T00:00:00.Z", "1970-01-01T00:00:00+0100"}) {
    SCOPED_TRACE(bad);
    EXPECT_FALSE(parse_rfc3339(bad));
  }
}

// A token file is re-read after kTokenFileRefresh (the kubelet rotates projected tokens) and
// after a 401; a failed re-read keeps the last good token.
TEST(CredentialSource, TokenFileRereadPeriodicallyAndOn401) {
  TempDir dir;
  ManualClock clock;
  ClientConfig c;
  c.user.token_file = dir.write("token", "one\n");
  CredentialSource source(c, clock.fn());
  auto first = source.current();
  EXPECT_EQ(first->authorization, "Bearer one");
  dir.write("token", "two");
  EXPECT_EQ(source.current()->authorization, "Bearer one");  // still within the period
  clock.now += kTokenFileRefresh + std::chrono::seconds(1);
  EXPECT_EQ(source.current()->authorization, "Bearer two");
  dir.write("token", "three");
  EXPECT_TRUE(source.rejected(source.current()->generation));
  EXPECT_EQ(source.current()->authorization, "Bearer three");
  std::filesystem::remove(dir.file("token"));
  clock.now += kTokenFileRefresh + std::chrono::seconds(1);
  EXPECT_EQ(source.current()->authorization, "Bearer three");
}

// Static credentials: basic auth is encoded, and a 401 cannot be fixed by refreshing.
TEST(CredentialSource, StaticCredentials) {
  ClientConfig c;
  c.user.username = "admin";
  c.user.password = "secret";
  CredentialSource source(c);
  auto m = source.current();
  EXPECT_EQ(m->authorization, "Basic YWRtaW46c2VjcmV0");
  EXPECT_FALSE(source.rejected(m->generation));
}

}  // namespace
}  // namespace stillpoint::kube
