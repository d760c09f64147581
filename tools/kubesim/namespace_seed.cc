// What the controllers of a real control plane put in every new namespace before a client can
// use it, done synchronously at namespace creation so a pod created right after never meets
// the real race ("serviceaccount default not found"): the `default` ServiceAccount
// (pkg/controller/serviceaccount/serviceaccounts_controller.go), the `kube-root-ca.crt`
// ConfigMap with the cluster's CA (pkg/controller/certificates/rootcacertpublisher), and on
// 1.20 the token controller's `<account>-token-<5>` Secret for every ServiceAccount, listed in
// the account's `secrets` (pkg/controller/serviceaccount/tokens_controller.go). A backup of any
// namespace holds them, so a restore must cope with them already existing.
#include "api.h"
#include "continue_token.h"
#include "go_json.h"
#include "object_meta.h"

namespace stillpoint::kubesim {
namespace {

Request post(const std::string& path, const nlohmann::json& body) {
  Request r;
  r.method = "POST";
  r.path = path;
  r.content_type = "application/json";
  r.body = go_dump(body);
  return r;
}

}  // namespace

void Api::seed_namespace(const std::string& ns) {
  const std::string base = "/api/v1/namespaces/" + ns;
  handle(post(base + "/configmaps", {{"apiVersion", "v1"},
                                     {"kind", "ConfigMap"},
                                     {"metadata", {{"name", "kube-root-ca.crt"}}},
                                     {"data", {{"ca.crt", cluster_ca_pem_}}}}));
  handle(post(
      base + "/serviceaccounts",
      {{"apiVersion", "v1"}, {"kind", "ServiceAccount"}, {"metadata", {{"name", "default"}}}}));
}

void Api::issue_token_secret(const nlohmann::json& account) {
  if (release_ != KubeRelease::V1_20) {
    return;
  }
  const std::string ns = account["metadata"].value("namespace", "");
  const std::string name = account["metadata"].value("name", "");
  const std::string base = "/api/v1/namespaces/" + ns;
  const std::string secret = name + "-token-" + random_suffix(5);
  // Not a usable credential: kubesim authenticates only its own bearer token.
  const std::string token = "kubesim-serviceaccount-" + new_uid();
  Response created = handle(
      post(base + "/secrets",
           {{"apiVersion", "v1"},
            {"kind", "Secret"},
            {"metadata",
             {{"name", secret},
              {"annotations",
               {{"kubernetes.io/service-account.name", name},
                {"kubernetes.io/service-account.uid", account["metadata"].value("uid", "")}}}}},
            {"type", "kubernetes.io/service-account-token"},
            {"data",
             {{"ca.crt", base64_encode(cluster_ca_pem_)},
              {"namespace", base64_encode(ns)},
              {"token", base64_encode(token)}}}}));
  if (created.status != 201) {
    return;
  }
  nlohmann::json secrets = account.value("secrets", nlohmann::json::array());
  if (!secrets.is_array()) {
    secrets = nlohmann::json::array();
  }
  secrets.push_back({{"name", secret}});
  Request patch;
  patch.method = "PATCH";
  patch.path = base + "/serviceaccounts/" + name;
  patch.content_type = "application/merge-patch+json";
  patch.body = go_dump({{"secrets", secrets}});
  handle(patch);
}

}  // namespace stillpoint::kubesim
