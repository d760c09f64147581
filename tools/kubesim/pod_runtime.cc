#include "pod_runtime.h"

#include "object_meta.h"

namespace stillpoint::kubesim {

void PodRuntime::pod_created(const std::string& ns, const std::string& name) {
  const Stored* s = api_.store().get("pods", ns, name);
  nlohmann::json status = (*s->object)["status"];
  status["phase"] = "Running";
  status["conditions"] = {{{"type", "Ready"}, {"status", "True"}}};
  api_.set_pod_status(ns, name, status);
}

void PodRuntime::pod_deleting(const std::string& ns, const std::string& name, int) {
  api_.finish_pod_deletion(ns, name);
}

std::variant<std::string, ApiError> PodRuntime::pod_log(const std::string&, const std::string&,
                                                        const std::string&, long) {
  return std::string();
}

boost::asio::awaitable<void> PodRuntime::stop_all() { co_return; }

}  // namespace stillpoint::kubesim
