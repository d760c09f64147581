#include "kube/kubeconfig.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <set>

#include "core/documents.h"
#include "core/json_fields.h"
#include "core/text.h"
#include "kube/base64.h"
#include "kube/in_cluster_config.h"

namespace stillpoint::kube {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::Result;
using core::unexpected;
using nlohmann::json;

// A named entry (cluster, user or context) with the file that defined it; its relative paths
// are already resolved against that file's directory.
struct Entry {
  std::string file;
  json value;
};

struct MergedConfig {
  std::map<std::string, Entry> clusters;
  std::map<std::string, Entry> users;
  std::map<std::string, Entry> contexts;
  std::optional<std::string> current_context;
  std::vector<std::string> files;
};

std::string resolve_path(const std::string& file, const std::string& path) {
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (fs::path(file).parent_path() / path).lexically_normal().string();
}

void resolve_string(json& object, const char* key, const std::string& file) {
  auto it = object.find(key);
  if (it != object.end() && it->is_string()) {
    *it = resolve_path(file, it->get<std::string>());
  }
}

// Resolves the path fields client-go resolves (loader.go ResolvePaths), before merging.
void resolve_paths(const char* kind, json& value, const std::string& file) {
  if (!value.is_object()) {
    return;
  }
  if (std::string_view(kind) == "clusters") {
    resolve_string(value, "certificate-authority", file);
  } else if (std::string_view(kind) == "users") {
    resolve_string(value, "client-certificate", file);
    resolve_string(value, "client-key", file);
    resolve_string(value, "tokenFile", file);
    auto exec = value.find("exec");
    if (exec != value.end() && exec->is_object()) {
      auto command = exec->find("command");
      // A bare command name is looked up on PATH, not next to the kubeconfig.
      if (command != exec->end() && command->is_string() &&
          command->get<std::string>().find('/') != std::string::npos) {
        *command = resolve_path(file, command->get<std::string>());
      }
    }
  }
}

core::Status merge_file(const std::string& file, MergedConfig& merged) {
  auto docs = core::load_documents(file);
  if (!docs) {
    return unexpected(docs.error().code == ErrorCode::NotFound ? ErrorCode::Io : docs.error().code,
                      "kubeconfig " + docs.error().message);
  }
  merged.files.push_back(file);
  if (docs->empty()) {
    return core::ok();
  }
  const json& root = docs->front().value;
  if (!root.is_object()) {
    return unexpected(
        ErrorCode::InvalidArgument,
        "kubeconfig " + file + ": expected a Config object, got " + core::describe_json(root));
  }
  auto current = core::optional_string(root, "current-context", "");
  if (!current) {
    return unexpected(ErrorCode::InvalidArgument,
                      "kubeconfig " + file + ": " + current.error().message);
  }
  if (!merged.current_context && *current && !(*current)->empty()) {
    merged.current_context = **current;
  }
  const std::pair<const char*, const char*> sections[] = {
      {"clusters", "cluster"}, {"users", "user"}, {"contexts", "context"}};
  for (const auto& [section, field] : sections) {
    auto it = root.find(section);
    if (it == root.end() || it->is_null()) {
      continue;
    }
    if (!it->is_array()) {
      return unexpected(ErrorCode::InvalidArgument, "kubeconfig " + file + ": " + section +
                                                        ": expected a list, got " +
                                                        core::describe_json(*it));
    }
    auto& target = std::string_view(section) == "clusters" ? merged.clusters
                   : std::string_view(section) == "users"  ? merged.users
                                                           : merged.contexts;
    for (size_t i = 0; i < it->size(); ++i) {
      const json& item = (*it)[i];
      const std::string path = core::index_path(section, i);
      if (!item.is_object()) {
        return unexpected(ErrorCode::InvalidArgument,
                          "kubeconfig " + file + ": " + path + ": expected an object");
      }
      auto name = core::string_field(item, "name", path);
      if (!name) {
        return unexpected(ErrorCode::InvalidArgument,
                          "kubeconfig " + file + ": " + name.error().message);
      }
      if (target.count(*name) > 0) {
        continue;  // first file wins, for the whole entry
      }
      json value = item.contains(field) ? item[field] : json::object();
      resolve_paths(section, value, file);
      target.emplace(*name, Entry{file, std::move(value)});
    }
  }
  return core::ok();
}

// Reads a `<key>-data` (base64) or `<key>` (file) pair; data wins as in client-go.
Result<std::optional<std::string>> data_or_file(const json& object,
                                                const std::string& key,
                                                const std::string& where) {
  auto data = core::optional_string(object, key + "-data", where);
  if (!data) {
    return unexpected(ErrorCode::InvalidArgument, data.error().message);
  }
  if (*data && !(*data)->empty()) {
    auto decoded = base64_decode(**data);
    if (!decoded) {
      return unexpected(ErrorCode::InvalidArgument,
                        core::field_path(where, key + "-data") + ": not valid base64");
    }
    return std::optional<std::string>(std::move(*decoded));
  }
  auto file = core::optional_string(object, key, where);
  if (!file) {
    return unexpected(ErrorCode::InvalidArgument, file.error().message);
  }
  if (!*file || (*file)->empty()) {
    return std::optional<std::string>{};
  }
  auto content = core::read_file(**file);
  if (!content) {
    return unexpected(ErrorCode::Io, core::field_path(where, key) + ": " + content.error().message);
  }
  return std::optional<std::string>(std::move(*content));
}

Result<ExecPluginConfig> parse_exec(const json& exec, const std::string& where) {
  ExecPluginConfig out;
  auto api_version = core::string_field(exec, "apiVersion", where);
  auto command = core::string_field(exec, "command", where);
  auto args = core::optional_string_list(exec, "args", where);
  auto mode = core::optional_string(exec, "interactiveMode", where);
  auto hint = core::optional_string(exec, "installHint", where);
  auto cluster_info = core::optional_bool(exec, "provideClusterInfo", where);
  for (const core::Error* e :
       {api_version ? nullptr : &api_version.error(), command ? nullptr : &command.error(),
        args ? nullptr : &args.error(), mode ? nullptr : &mode.error(),
        hint ? nullptr : &hint.error(), cluster_info ? nullptr : &cluster_info.error()}) {
    if (e != nullptr) {
      return unexpected(ErrorCode::InvalidArgument, e->message);
    }
  }
  out.api_version = *api_version;
  out.command = *command;
  out.args = *args;
  out.install_hint = hint->value_or("");
  out.provide_cluster_info = cluster_info->value_or(false);
  if (out.api_version == "client.authentication.k8s.io/v1") {
    if (!*mode || (*mode)->empty()) {
      return unexpected(ErrorCode::InvalidArgument,
                        core::field_path(where, "interactiveMode") +
                            ": required for client.authentication.k8s.io/v1");
    }
  } else if (out.api_version != "client.authentication.k8s.io/v1beta1") {
    return unexpected(ErrorCode::InvalidArgument,
                      core::field_path(where, "apiVersion") + ": " +
                          core::go_quote(out.api_version) +
                          " is not supported (use client.authentication.k8s.io/v1 or v1beta1)");
  }
  out.interactive_mode = mode->value_or("IfAvailable");
  if (out.interactive_mode != "Never" && out.interactive_mode != "IfAvailable" &&
      out.interactive_mode != "Always") {
    return unexpected(ErrorCode::InvalidArgument, core::field_path(where, "interactiveMode") +
                                                      ": must be Never, IfAvailable or Always");
  }
  auto env = exec.find("env");
  if (env != exec.end() && !env->is_null()) {
    if (!env->is_array()) {
      return unexpected(ErrorCode::InvalidArgument,
                        core::field_path(where, "env") + ": expected a list");
    }
    for (size_t i = 0; i < env->size(); ++i) {
      const std::string path = core::index_path(core::field_path(where, "env"), i);
      auto name = core::string_field((*env)[i], "name", path);
      auto value = core::string_field((*env)[i], "value", path);
      if (!name || !value) {
        return unexpected(ErrorCode::InvalidArgument,
                          (name ? value.error() : name.error()).message);
      }
      out.env.emplace_back(*name, *value);
    }
  }
  return out;
}

Result<UserCredentials> parse_user(const json& user, const std::string& where) {
  UserCredentials out;
  if (!user.is_object()) {
    return unexpected(ErrorCode::InvalidArgument, where + ": expected an object");
  }
  auto token = core::optional_string(user, "token", where);
  auto token_file = core::optional_string(user, "tokenFile", where);
  auto username = core::optional_string(user, "username", where);
  auto password = core::optional_string(user, "password", where);
  for (const core::Error* e :
       {token ? nullptr : &token.error(), token_file ? nullptr : &token_file.error(),
        username ? nullptr : &username.error(), password ? nullptr : &password.error()}) {
    if (e != nullptr) {
      return unexpected(ErrorCode::InvalidArgument, e->message);
    }
  }
  auto nonempty = [](const std::optional<std::string>& s) {
    return s && !s->empty() ? s : std::optional<std::string>{};
  };
  out.token = nonempty(*token);
  out.token_file = nonempty(*token_file);
  out.username = nonempty(*username);
  out.password = nonempty(*password);
  if (out.token_file) {
    // Read once now so that a wrong path is reported at load time, not on the first request.
    auto content = core::read_file(*out.token_file);
    if (!content) {
      return unexpected(ErrorCode::Io,
                        core::field_path(where, "tokenFile") + ": " + content.error().message);
    }
  }
  auto cert = data_or_file(user, "client-certificate", where);
  if (!cert) {
    return unexpected(cert.error());
  }
  auto key = data_or_file(user, "client-key", where);
  if (!key) {
    return unexpected(key.error());
  }
  if (cert->has_value() != key->has_value()) {
    return unexpected(ErrorCode::InvalidArgument,
                      where + ": client-certificate and client-key must be given together");
  }
  out.client_certificate_pem = *cert;
  out.client_key_pem = *key;
  if ((out.token || out.token_file) && (out.username || out.password)) {
    return unexpected(ErrorCode::InvalidArgument,
                      where + ": more than one authentication method found (token and basic auth)");
  }
  auto exec = user.find("exec");
  auto provider = user.find("auth-provider");
  const bool has_exec = exec != user.end() && !exec->is_null();
  const bool has_provider = provider != user.end() && !provider->is_null();
  if (has_exec && has_provider) {
    return unexpected(ErrorCode::InvalidArgument,
                      where + ": exec and auth-provider cannot both be set");
  }
  if (has_exec) {
    auto plugin = parse_exec(*exec, core::field_path(where, "exec"));
    if (!plugin) {
      return unexpected(plugin.error());
    }
    out.exec = std::move(*plugin);
  }
  if (has_provider) {
    const std::string path = core::field_path(where, "auth-provider");
    auto name = core::string_field(*provider, "name", path);
    if (!name) {
      return unexpected(ErrorCode::InvalidArgument, name.error().message);
    }
    if (*name != "oidc") {
      return unexpected(ErrorCode::InvalidArgument,
                        path + ": the " + core::go_quote(*name) +
                            " auth provider has been removed from Kubernetes clients; use its exec "
                            "credential plugin (e.g. gke-gcloud-auth-plugin, kubelogin)");
    }
    const json config = provider->value("config", json::object());
    auto id_token = core::optional_string(config, "id-token", core::field_path(path, "config"));
    if (!id_token || !*id_token || (*id_token)->empty()) {
      return unexpected(ErrorCode::InvalidArgument,
                        path + ": oidc without an id-token is not supported (no token refresh)");
    }
    out.token = **id_token;
  }
  return out;
}

Result<ClusterEndpoint> parse_cluster(const json& cluster, const std::string& where) {
  ClusterEndpoint out;
  if (!cluster.is_object()) {
    return unexpected(ErrorCode::InvalidArgument, where + ": expected an object");
  }
  auto server = core::string_field(cluster, "server", where);
  auto insecure = core::optional_bool(cluster, "insecure-skip-tls-verify", where);
  auto server_name = core::optional_string(cluster, "tls-server-name", where);
  auto proxy = core::optional_string(cluster, "proxy-url", where);
  for (const core::Error* e :
       {server ? nullptr : &server.error(), insecure ? nullptr : &insecure.error(),
        server_name ? nullptr : &server_name.error(), proxy ? nullptr : &proxy.error()}) {
    if (e != nullptr) {
      return unexpected(ErrorCode::InvalidArgument, e->message);
    }
  }
  if (*proxy && !(*proxy)->empty()) {
    return unexpected(ErrorCode::InvalidArgument,
                      core::field_path(where, "proxy-url") + ": proxies are not supported yet");
  }
  out.server = *server;
  while (out.server.size() > 1 && out.server.back() == '/') {
    out.server.pop_back();
  }
  out.insecure_skip_tls_verify = insecure->value_or(false);
  out.tls_server_name = server_name->value_or("");
  auto ca = data_or_file(cluster, "certificate-authority", where);
  if (!ca) {
    return unexpected(ca.error());
  }
  out.ca_pem = ca->value_or("");
  if (!out.ca_pem.empty() && out.insecure_skip_tls_verify) {
    return unexpected(ErrorCode::InvalidArgument,
                      where +
                          ": specifying a root certificates file with the insecure flag is not "
                          "allowed");
  }
  return out;
}

Result<ClientConfig> resolve(const MergedConfig& merged, const LoadOptions& options) {
  const std::string files = core::join(merged.files, ", ");
  const std::string context_name = options.context.value_or(merged.current_context.value_or(""));
  if (context_name.empty()) {
    return unexpected(ErrorCode::InvalidArgument,
                      "kubeconfig " + files + ": no current-context is set; pass --context");
  }
  auto context = merged.contexts.find(context_name);
  if (context == merged.contexts.end()) {
    return unexpected(ErrorCode::InvalidArgument, "kubeconfig " + files + ": context " +
                                                      core::go_quote(context_name) + " not found");
  }
  const std::string cpath = "contexts[" + core::go_quote(context_name) + "]";
  const json& ctx = context->second.value;
  auto cluster_name = core::optional_string(ctx, "cluster", cpath);
  auto user_name = core::optional_string(ctx, "user", cpath);
  auto ns = core::optional_string(ctx, "namespace", cpath);
  for (const core::Error* e :
       {cluster_name ? nullptr : &cluster_name.error(), user_name ? nullptr : &user_name.error(),
        ns ? nullptr : &ns.error()}) {
    if (e != nullptr) {
      return unexpected(ErrorCode::InvalidArgument,
                        "kubeconfig " + context->second.file + ": " + e->message);
    }
  }
  auto cluster = merged.clusters.find(cluster_name->value_or(""));
  if (cluster == merged.clusters.end()) {
    return unexpected(ErrorCode::InvalidArgument, "kubeconfig " + files + ": cluster " +
                                                      core::go_quote(cluster_name->value_or("")) +
                                                      " of context " +
                                                      core::go_quote(context_name) + " not found");
  }
  ClientConfig out;
  out.context = context_name;
  out.source = "kubeconfig " + files;
  auto endpoint =
      parse_cluster(cluster->second.value, "clusters[" + core::go_quote(cluster->first) + "]");
  if (!endpoint) {
    return unexpected(endpoint.error().code,
                      "kubeconfig " + cluster->second.file + ": " + endpoint.error().message);
  }
  out.cluster = std::move(*endpoint);
  if (*user_name && !(*user_name)->empty()) {
    auto user = merged.users.find(**user_name);
    if (user == merged.users.end()) {
      return unexpected(ErrorCode::InvalidArgument,
                        "kubeconfig " + files + ": user " + core::go_quote(**user_name) +
                            " of context " + core::go_quote(context_name) + " not found");
    }
    auto creds = parse_user(user->second.value, "users[" + core::go_quote(user->first) + "]");
    if (!creds) {
      return unexpected(creds.error().code,
                        "kubeconfig " + user->second.file + ": " + creds.error().message);
    }
    out.user = std::move(*creds);
  }
  if (options.namespace_override && !options.namespace_override->empty()) {
    out.namespace_name = *options.namespace_override;
  } else if (*ns && !(*ns)->empty()) {
    out.namespace_name = **ns;
  }
  return out;
}

std::vector<std::string> split_path_list(const std::string& list) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(':', start);
    if (end == std::string::npos) {
      end = list.size();
    }
    std::string item = list.substr(start, end - start);
    if (!item.empty() && seen.insert(item).second) {
      out.push_back(item);
    }
    start = end + 1;
  }
  return out;
}

}  // namespace

EnvLookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  };
}

core::Result<ClientConfig> load_client_config(const LoadOptions& options) {
  MergedConfig merged;
  std::vector<std::string> searched;
  if (options.kubeconfig) {
    std::error_code ec;
    if (!fs::exists(*options.kubeconfig, ec)) {
      return unexpected(ErrorCode::NotFound,
                        "kubeconfig " + *options.kubeconfig + ": file does not exist");
    }
    if (auto s = merge_file(*options.kubeconfig, merged); !s) {
      return unexpected(s.error());
    }
  } else {
    std::vector<std::string> files;
    if (auto list = options.env("KUBECONFIG"); list && !list->empty()) {
      files = split_path_list(*list);
    } else if (auto home = options.env("HOME"); home && !home->empty()) {
      files.push_back((fs::path(*home) / ".kube" / "config").string());
    }
    for (const std::string& file : files) {
      std::error_code ec;
      searched.push_back(file);
      if (!fs::exists(file, ec)) {
        continue;  // missing entries are skipped, as kubectl does
      }
      if (auto s = merge_file(file, merged); !s) {
        return unexpected(s.error());
      }
    }
  }
  if (merged.files.empty()) {
    if (in_cluster_available(options.env)) {
      return load_in_cluster_config(options);
    }
    return unexpected(ErrorCode::NotFound,
                      "no Kubernetes configuration: none of [" + core::join(searched, ", ") +
                          "] exists and KUBERNETES_SERVICE_HOST is not set; pass --kubeconfig");
  }
  return resolve(merged, options);
}

core::Result<ClientConfig> load_in_cluster_config(const LoadOptions& options) {
  auto out = in_cluster_config(InClusterPaths{options.env, options.service_account_dir});
  if (out && options.namespace_override && !options.namespace_override->empty()) {
    out->namespace_name = *options.namespace_override;
  }
  return out;
}

}  // namespace stillpoint::kube
