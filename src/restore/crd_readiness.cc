#include "restore/crd_readiness.h"

#include "core/go_duration.h"

namespace stillpoint::restore {
namespace {

const kube::GroupVersionResource kCrds{"apiextensions.k8s.io", "v1", "customresourcedefinitions"};

bool established(const nlohmann::json& crd) {
  const nlohmann::json::json_pointer ptr("/status/conditions");
  if (!crd.is_object() || !crd.contains(ptr) || !crd.at(ptr).is_array()) return false;
  for (const auto& c : crd.at(ptr)) {
    if (c.is_object() && c.value("type", "") == "Established" && c.value("status", "") == "True") {
      return true;
    }
  }
  return false;
}

}  // namespace

boost::asio::awaitable<std::vector<std::string>> wait_until_established(
    kube::ClusterApi& cluster,
    hooks::Clock& clock,
    std::vector<std::string> names,
    core::Duration limit) {
  std::vector<std::string> warnings;
  for (const std::string& name : names) {
    const auto deadline = clock.now() + limit;
    for (;;) {
      auto crd = co_await cluster.get(kCrds, "", name);
      if (crd && established(*crd)) break;
      if (clock.now() >= deadline) {
        warnings.push_back("CRD " + name + " not Established within " +
                           core::format_go_duration(limit) + ": its custom resources may fail");
        break;
      }
      co_await clock.sleep_for(std::chrono::milliseconds(250));
    }
  }
  co_return warnings;
}

}  // namespace stillpoint::restore
