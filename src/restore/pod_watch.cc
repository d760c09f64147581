#include "restore/pod_watch.h"

namespace stillpoint::restore {

boost::asio::awaitable<std::optional<PodChange>> next_pod_change(kube::ClusterApi& cluster,
                                                                 std::string ns,
                                                                 std::string name,
                                                                 std::string rv,
                                                                 std::chrono::seconds limit) {
  kube::WatchOptions options;
  options.namespace_name = std::move(ns);
  options.field_selector = "metadata.name=" + name;
  options.resource_version = std::move(rv);
  options.timeout = limit;
  std::optional<PodChange> change;
  auto status = co_await cluster.watch(kPodsResource, options, [&](const kube::WatchEvent& e) {
    if (e.type == "BOOKMARK") return true;
    change = PodChange{e.type == "DELETED", e.object};
    return false;
  });
  if (!status) co_return std::nullopt;
  co_return change;
}

std::string resource_version_of(const nlohmann::json& object) {
  const nlohmann::json::json_pointer ptr("/metadata/resourceVersion");
  return object.contains(ptr) && object.at(ptr).is_string() ? object.at(ptr).get<std::string>()
                                                            : std::string();
}

}  // namespace stillpoint::restore
