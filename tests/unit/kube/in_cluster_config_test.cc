// In-cluster configuration from the service-account directory and the Service variables.
#include "kube/in_cluster_config.h"

#include <map>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"

namespace stillpoint::kube {
namespace {

using testing::TempDir;

InClusterPaths paths(std::map<std::string, std::string> env, std::string dir) {
  InClusterPaths p;
  p.env = [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  p.service_account_dir = std::move(dir);
  return p;
}

// The server comes from the Service variables (IPv6 in brackets), the CA and namespace from
// the directory, and the token stays a file to be re-read.
TEST(InClusterConfig, BuiltFromServiceVariablesAndServiceAccountFiles) {
  TempDir dir;
  dir.write("sa/token", "sa-token\n");
  dir.write("sa/ca.crt", "SA-CA");
  dir.write("sa/namespace", "stillpoint\n");
  auto c = in_cluster_config(
      paths({{"KUBERNETES_SERVICE_HOST", "fd00:10:96::1"}, {"KUBERNETES_SERVICE_PORT", "443"}},
            dir.file("sa")));
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->cluster.server, "https://[fd00:10:96::1]:443");
  EXPECT_EQ(c->cluster.ca_pem, "SA-CA");
  EXPECT_FALSE(c->cluster.insecure_skip_tls_verify);
  EXPECT_EQ(c->user.token_file, dir.file("sa/token"));
  EXPECT_FALSE(c->user.token.has_value());
  EXPECT_EQ(c->namespace_name, "stillpoint");
  EXPECT_EQ(c->source, "in-cluster");
  EXPECT_EQ(describe(*c).find("sa-token"), std::string::npos) << describe(*c);

  auto v4 = in_cluster_config(
      paths({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "6443"}},
            dir.file("sa")));
  ASSERT_TRUE(v4);
  EXPECT_EQ(v4->cluster.server, "https://10.96.0.1:6443");
}

// Errors name what is missing: the unset variable(s), the token file.
TEST(InClusterConfig, ErrorsNameTheMissingVariableOrFile) {
  TempDir dir;
  auto no_port =
      in_cluster_config(paths({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}}, dir.file("sa")));
  ASSERT_FALSE(no_port);
  EXPECT_EQ(no_port.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(no_port.error().message.find("KUBERNETES_SERVICE_PORT is not set"), std::string::npos)
      << no_port.error().message;
  EXPECT_EQ(no_port.error().message.find("KUBERNETES_SERVICE_HOST"), std::string::npos);
  auto neither = in_cluster_config(paths({}, dir.file("sa")));
  ASSERT_FALSE(neither);
  EXPECT_NE(neither.error().message.find("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT "
                                         "are not set"),
            std::string::npos)
      << neither.error().message;

  auto no_token = in_cluster_config(
      paths({{"KUBERNETES_SERVICE_HOST", "10.96.0.1"}, {"KUBERNETES_SERVICE_PORT", "443"}},
            dir.file("sa")));
  ASSERT_FALSE(no_token);
  EXPECT_EQ(no_token.error().code, core::ErrorCode::Io);
  EXPECT_NE(no_token.error().message.find(dir.file("sa/token")), std::string::npos)
      << no_token.error().message;
}

// POD_NAMESPACE wins over the namespace file; without either the namespace is "default".
TEST(InClusterConfig, NamespaceFromEnvironmentThenFileThenDefault) {
  TempDir dir;
  dir.write("sa/token", "t");
  std::map<std::string, std::string> env = {{"KUBERNETES_SERVICE_HOST", "10.96.0.1"},
                                            {"KUBERNETES_SERVICE_PORT", "443"}};
  EXPECT_EQ(in_cluster_config(paths(env, dir.file("sa")))->namespace_name, "default");
  dir.write("sa/namespace", "from-file");
  EXPECT_EQ(in_cluster_config(paths(env, dir.file("sa")))->namespace_name, "from-file");
  env["POD_NAMESPACE"] = "from-env";
  EXPECT_EQ(in_cluster_config(paths(env, dir.file("sa")))->namespace_name, "from-env");
  EXPECT_TRUE(in_cluster_available(paths(env, "").env));
  EXPECT_FALSE(in_cluster_available(paths({{"KUBERNETES_SERVICE_HOST", "x"}}, "").env));
}

}  // namespace
}  // namespace stillpoint::kube
