#include "cli/cluster_pods.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "kube/rest_client.h"

namespace stillpoint::cli {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

std::string string_at(const json& object, const char* pointer) {
  const json::json_pointer p(pointer);
  return object.contains(p) && object[p].is_string() ? object[p].get<std::string>() : "";
}

// `http` is kept alive by the caller until the io_context has run.
asio::awaitable<void> list_pods(std::shared_ptr<kube::HttpClient> http,
                                std::vector<std::string> namespaces,
                                core::Result<std::vector<hooks::Pod>>* out) {
  kube::RestClient rest(http);
  const kube::GroupVersionResource pods_gvr{"", "v1", "pods"};
  std::vector<hooks::Pod> pods;
  kube::ItemCallback on_item = [&pods](json item) -> core::Status {
    const std::string where = "pod " + string_at(item, "/metadata/namespace") + "/" +
                              string_at(item, "/metadata/name");
    auto pod = hooks::pod_from_json(item, where);
    if (!pod) return core::unexpected(pod.error());
    pods.push_back(std::move(*pod));
    return core::ok();
  };
  if (namespaces.empty()) namespaces.emplace_back();  // one list across all namespaces
  for (const std::string& ns : namespaces) {
    kube::ListOptions options;
    options.namespace_name = ns;
    auto listed = co_await rest.list(pods_gvr, options, on_item);
    if (!listed) {
      *out = core::unexpected(listed.error().code,
                              http->config().cluster.server + ": " + listed.error().message);
      co_return;
    }
  }
  *out = std::move(pods);
}

bool has_glob_characters(const std::string& name) {
  return name.find_first_of("*?[]{}\\!") != std::string::npos;
}

}  // namespace

std::vector<std::string> namespaces_to_list(const core::IncludesExcludes& namespaces) {
  const auto& includes = namespaces.includes();
  for (const std::string& name : includes) {
    if (name.empty() || has_glob_characters(name)) return {};
  }
  return includes;
}

core::Result<std::vector<hooks::Pod>> list_cluster_pods(
    const ClusterFlags& flags, const std::vector<std::string>& namespaces) {
  asio::io_context io;
  auto http = connect(flags, io.get_executor());
  if (!http) return core::unexpected(http.error());
  core::Result<std::vector<hooks::Pod>> out =
      core::unexpected(core::ErrorCode::Internal, "listing pods did not finish");
  asio::co_spawn(io, list_pods(*http, namespaces, &out), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);  // a bug: run()'s last-resort catch reports it
  });
  io.run();
  return out;
}

}  // namespace stillpoint::cli
