#include "kube/kubeconfig.h"

#include <map>

#include <gtest/gtest.h>

#include "fakes/temp_dir.h"
#include "kube/base64.h"

namespace stillpoint::kube {
namespace {

using testing::TempDir;

LoadOptions options_with_env(std::map<std::string, std::string> env) {
  LoadOptions o;
  o.env = [env = std::move(env)](std::string_view name) -> std::optional<std::string> {
    auto it = env.find(std::string(name));
    return it == env.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  o.service_account_dir = "/nonexistent/serviceaccount";
  return o;
}

const char* kPrimary = R"(apiVersion: v1
kind: Config
current-context: prod
clusters:
- name: prod
  cluster:
    server: https://10.0.0.1:6443/
    certificate-authority: certs/ca.crt
    tls-server-name: kubernetes.default.svc
users:
- name: admin
  user:
    token: first-token
contexts:
- name: prod
  context: {cluster: prod, user: admin, namespace: team-a}
- name: nons
  context: {cluster: prod, user: admin}
)";

const char* kSecondary = R"(apiVersion: v1
kind: Config
current-context: other
clusters:
- name: prod
  cluster: {server: https://wrong:1}
- name: staging
  cluster:
    server: https://staging:6443
    certificate-authority: ca-staging.crt
users:
- name: admin
  user: {token: second-token, username: ignored}
- name: stage-user
  user:
    tokenFile: token.txt
contexts:
- name: staging
  context: {cluster: staging, user: stage-user}
)";

// KUBECONFIG merging: the first file to define a named entry wins the whole entry (the second
// file's `admin` adds nothing), current-context comes from the first file setting it, and
// relative paths resolve against the directory of the file that defined them.
TEST(Kubeconfig, MergesFirstWinsAndResolvesPathsPerFile) {
  TempDir dir;
  const std::string a = dir.write("a/config", kPrimary);
  dir.write("a/certs/ca.crt", "CA-A");
  const std::string b = dir.write("b/config", kSecondary);
  dir.write("b/ca-staging.crt", "CA-B");
  dir.write("b/token.txt", "file-token\n");
  auto o = options_with_env({{"KUBECONFIG", a + ":" + dir.file("missing") + "::" + b + ":" + a}});

  auto config = load_client_config(o);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->context, "prod");
  EXPECT_EQ(config->cluster.server, "https://10.0.0.1:6443");
  EXPECT_EQ(config->cluster.ca_pem, "CA-A");
  EXPECT_EQ(config->cluster.tls_server_name, "kubernetes.default.svc");
  EXPECT_EQ(config->user.token, "first-token");
  EXPECT_FALSE(config->user.username.has_value());
  EXPECT_EQ(config->namespace_name, "team-a");

  o.context = "staging";
  config = load_client_config(o);
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->cluster.server, "https://staging:6443");
  EXPECT_EQ(config->cluster.ca_pem, "CA-B");
  EXPECT_EQ(config->user.token_file, dir.file("b/token.txt"));
  EXPECT_EQ(config->namespace_name, "default");
}

// Namespace precedence: --namespace, then the context's namespace, then "default".
TEST(Kubeconfig, NamespaceOverrideThenContextThenDefault) {
  TempDir dir;
  dir.write("certs/ca.crt", "CA");
  auto o = options_with_env({});
  o.kubeconfig = dir.write("config", kPrimary);
  EXPECT_EQ(load_client_config(o)->namespace_name, "team-a");
  o.context = "nons";
  EXPECT_EQ(load_client_config(o)->namespace_name, "default");
  o.namespace_override = "ops";
  EXPECT_EQ(load_client_config(o)->namespace_name, "ops");
}

// Configuration mistakes are errors that name what is wrong and where, never a crash.
TEST(Kubeconfig, ReportsMissingFilesContextsAndEntries) {
  TempDir dir;
  dir.write("certs/ca.crt", "CA");
  const std::string config = dir.write("config", kPrimary);
  struct Case {
    std::string name;
    LoadOptions options;
    core::ErrorCode code;
    std::string message_part;
  };
  std::vector<Case> cases;
  {
    auto o = options_with_env({});
    o.kubeconfig = dir.file("nope");
    cases.push_back({"explicit file missing", o, core::ErrorCode::NotFound, "does not exist"});
  }
  {
    auto o = options_with_env({{"KUBECONFIG", dir.file("x") + ":" + dir.file("y")}});
    cases.push_back({"all KUBECONFIG files missing", o, core::ErrorCode::NotFound, "x"});
  }
  {
    auto o = options_with_env({});
    o.kubeconfig = config;
    o.context = "ghost";
    cases.push_back(
        {"missing context", o, core::ErrorCode::InvalidArgument, "context \"ghost\" not found"});
  }
  {
    auto o = options_with_env({});
    o.kubeconfig = dir.write(
        "nocluster", "contexts: [{name: c, context: {cluster: gone}}]\ncurrent-context: c\n");
    cases.push_back({"missing cluster", o, core::ErrorCode::InvalidArgument, "cluster \"gone\""});
  }
  {
    auto o = options_with_env({});
    o.kubeconfig = dir.write("badca",
                             "clusters: [{name: c, cluster: {server: 'https://x', "
                             "certificate-authority: nothere.crt}}]\n"
                             "contexts: [{name: c, context: {cluster: c}}]\ncurrent-context: c\n");
    cases.push_back({"unreadable CA", o, core::ErrorCode::Io, "nothere.crt"});
  }
  {
    auto o = options_with_env({});
    o.kubeconfig = dir.write("yaml", "clusters: [\n");
    cases.push_back({"broken YAML", o, core::ErrorCode::InvalidArgument, "yaml"});
  }
  {
    auto o = options_with_env({});
    o.kubeconfig = dir.write("noctx", "clusters: []\n");
    cases.push_back({"no current context", o, core::ErrorCode::InvalidArgument, "--context"});
  }
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto result = load_client_config(c.options);
    ASSERT_FALSE(result);
    EXPECT_EQ(result.error().code, c.code) << result.error().message;
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
        << result.error().message;
  }
}

std::string config_with_user(const std::string& user_yaml, const std::string& cluster_extra = "") {
  return "clusters: [{name: c, cluster: {server: 'https://k:6443'" + cluster_extra +
         "}}]\n"
         "contexts: [{name: c, context: {cluster: c, user: u}}]\n"
         "current-context: c\n"
         "users:\n- name: u\n  user:\n" +
         user_yaml;
}

// Every credential kind of a kubeconfig user is read; *-data is base64 and wins over a file.
TEST(Kubeconfig, ReadsEveryCredentialKind) {
  TempDir dir;
  dir.write("client.key", "KEY-FROM-FILE");
  dir.write("client.crt", "CERT-FROM-FILE");
  auto o = options_with_env({});

  o.kubeconfig = dir.write("token", config_with_user("    token: abc\n"));
  EXPECT_EQ(load_client_config(o)->user.token, "abc");

  o.kubeconfig = dir.write("basic", config_with_user("    username: u1\n    password: p1\n"));
  auto basic = load_client_config(o);
  EXPECT_EQ(basic->user.username, "u1");
  EXPECT_EQ(basic->user.password, "p1");

  o.kubeconfig = dir.write(
      "certs",
      config_with_user("    client-certificate-data: " + base64_encode("CERT-DATA") +
                       "\n    client-certificate: client.crt\n    client-key: client.key\n"));
  auto certs = load_client_config(o);
  ASSERT_TRUE(certs) << certs.error().message;
  EXPECT_EQ(certs->user.client_certificate_pem, "CERT-DATA");
  EXPECT_EQ(certs->user.client_key_pem, "KEY-FROM-FILE");

  o.kubeconfig = dir.write("ca", config_with_user("    {}\n", ", certificate-authority-data: " +
                                                                  base64_encode("CA-DATA")));
  EXPECT_EQ(load_client_config(o)->cluster.ca_pem, "CA-DATA");

  o.kubeconfig =
      dir.write("insecure", config_with_user("    {}\n", ", insecure-skip-tls-verify: true"));
  EXPECT_TRUE(load_client_config(o)->cluster.insecure_skip_tls_verify);

  o.kubeconfig = dir.write(
      "exec", config_with_user("    exec:\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                               "      command: ./bin/plugin\n      args: [get-token]\n"
                               "      env: [{name: A, value: b}]\n"));
  auto exec = load_client_config(o);
  ASSERT_TRUE(exec) << exec.error().message;
  ASSERT_TRUE(exec->user.exec);
  EXPECT_EQ(exec->user.exec->command, dir.file("bin/plugin"));  // has a '/': relative to file
  EXPECT_EQ(exec->user.exec->interactive_mode, "IfAvailable");  // v1beta1 default
  EXPECT_EQ(exec->user.exec->args, std::vector<std::string>{"get-token"});
  ASSERT_EQ(exec->user.exec->env.size(), 1u);

  o.kubeconfig = dir.write(
      "execpath", config_with_user("    exec: {apiVersion: client.authentication.k8s.io/v1, "
                                   "command: aws, interactiveMode: Never}\n"));
  EXPECT_EQ(load_client_config(o)->user.exec->command, "aws");  // bare name: PATH lookup

  o.kubeconfig = dir.write(
      "oidc", config_with_user("    auth-provider: {name: oidc, config: {id-token: idtok}}\n"));
  EXPECT_EQ(load_client_config(o)->user.token, "idtok");
}

// Inconsistent users are rejected as client-go's validation does.
TEST(Kubeconfig, RejectsInconsistentCredentials) {
  TempDir dir;
  dir.write("client.crt", "CERT");
  struct Case {
    std::string name;
    std::string user;
    std::string cluster_extra;
    std::string message_part;
  };
  const std::vector<Case> cases = {
      {"cert without key", "    client-certificate: client.crt\n", "", "must be given together"},
      {"token and basic", "    token: t\n    username: u\n    password: p\n", "",
       "more than one authentication method"},
      {"exec v1 without interactiveMode",
       "    exec: {apiVersion: client.authentication.k8s.io/v1, command: x}\n", "",
       "interactiveMode: required"},
      {"exec v1alpha1",
       "    exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}\n", "",
       "not supported"},
      {"exec and auth-provider",
       "    exec: {apiVersion: client.authentication.k8s.io/v1beta1, command: x}\n"
       "    auth-provider: {name: oidc}\n",
       "", "cannot both be set"},
      {"gcp auth provider", "    auth-provider: {name: gcp}\n", "", "gke-gcloud-auth-plugin"},
      {"CA with insecure", "    {}\n",
       ", certificate-authority-data: " + base64_encode("CA") + ", insecure-skip-tls-verify: true",
       "insecure flag is not allowed"},
      {"bad base64", "    client-certificate-data: '!!!'\n    client-key-data: '!!!'\n", "",
       "not valid base64"},
      {"token file missing", "    tokenFile: gone.txt\n", "", "gone.txt"},
      {"token of wrong type", "    token: [a]\n", "", "users[\"u\"].token: expected a string"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto o = options_with_env({});
    o.kubeconfig = dir.write("config", config_with_user(c.user, c.cluster_extra));
    auto result = load_client_config(o);
    ASSERT_FALSE(result);
    EXPECT_NE(result.error().message.find(c.message_part), std::string::npos)
        << result.error().message;
  }
}

// In-cluster: server from KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed), the service-account
// token as a token file (so it is re-read), its CA, and POD_NAMESPACE before the namespace file.
TEST(Kubeconfig, InClusterConfigFromServiceAccount) {
  TempDir dir;
  dir.write("sa/token", "sa-token\n");
  dir.write("sa/ca.crt", "SA-CA");
  dir.write("sa/namespace", " backup-system\n");
  auto o = options_with_env({{"KUBERNETES_SERVICE_HOST", "fd00::1"},
                             {"KUBERNETES_SERVICE_PORT", "443"},
                             {"HOME", dir.file("home")}});
  o.service_account_dir = dir.file("sa");
  auto config = load_client_config(o);  // no kubeconfig anywhere: falls back to in-cluster
  ASSERT_TRUE(config) << config.error().message;
  EXPECT_EQ(config->source, "in-cluster");
  EXPECT_EQ(config->cluster.server, "https://[fd00::1]:443");
  EXPECT_EQ(config->cluster.ca_pem, "SA-CA");
  EXPECT_EQ(config->user.token_file, dir.file("sa/token"));
  EXPECT_EQ(config->namespace_name, "backup-system");

  auto with_pod_ns = options_with_env({{"KUBERNETES_SERVICE_HOST", "10.0.0.1"},
                                       {"KUBERNETES_SERVICE_PORT", "6443"},
                                       {"POD_NAMESPACE", "from-env"}});
  with_pod_ns.service_account_dir = dir.file("sa");
  auto second = load_in_cluster_config(with_pod_ns);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->cluster.server, "https://10.0.0.1:6443");
  EXPECT_EQ(second->namespace_name, "from-env");

  with_pod_ns.service_account_dir = dir.file("missing");
  EXPECT_FALSE(load_in_cluster_config(with_pod_ns));
}

// describe() shows how a user is authenticated without the secret itself.
TEST(Kubeconfig, DescribeNeverShowsSecrets) {
  ClientConfig config;
  config.cluster.server = "https://k";
  config.user.token = "super-secret-token";
  config.user.password = "hunter2";
  const std::string text = describe(config);
  EXPECT_EQ(text.find("super-secret-token"), std::string::npos) << text;
  EXPECT_EQ(text.find("hunter2"), std::string::npos) << text;
  EXPECT_NE(text.find("<redacted, 18 bytes>"), std::string::npos) << text;
}

TEST(Base64, RoundTripsAndRejectsGarbage) {
  for (const std::string& s :
       std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
    EXPECT_EQ(base64_decode(base64_encode(s)), s);
  }
  EXPECT_EQ(base64_encode("hi\n"), "aGkK");
  EXPECT_EQ(base64_decode("aGk\nK"), "hi\n");  // wrapped lines are fine
  EXPECT_FALSE(base64_decode("aGk"));
  EXPECT_FALSE(base64_decode("a*kK"));
  EXPECT_FALSE(base64_decode("aG=K"));
}

}  // namespace
}  // namespace stillpoint::kube
