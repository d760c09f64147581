#include "server/hook_window_recorder.h"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <sstream>

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

std::vector<std::string> pods_in_hook_window(const json& object) {
  const json annotations =
      object.contains("metadata") ? object["metadata"].value("annotations", json::object())
                                  : json::object();
  if (!annotations.is_object()) return {};
  const json value = annotations.value(kHookWindowAnnotation, json());
  if (!value.is_string()) return {};
  std::vector<std::string> pods;
  std::istringstream in(value.get<std::string>());
  for (std::string p; std::getline(in, p, ',');) {
    if (!p.empty()) pods.push_back(p);
  }
  return pods;
}

HookWindowRecorder::HookWindowRecorder(kube::ClusterApi& cluster,
                                       asio::any_io_executor executor,
                                       kube::GroupVersionResource gvr,
                                       std::string namespace_name,
                                       std::string name,
                                       std::function<void(const std::string&)> report)
    : cluster_(cluster),
      gvr_(std::move(gvr)),
      namespace_(std::move(namespace_name)),
      name_(std::move(name)),
      report_(std::move(report)),
      written_signal_(executor, asio::steady_timer::time_point::max()) {}

asio::awaitable<void> HookWindowRecorder::change(std::vector<std::string> pods, bool open) {
  for (const std::string& p : pods) {
    if (open) {
      ++open_[p];
    } else if (auto it = open_.find(p); it != open_.end() && --it->second <= 0) {
      open_.erase(it);
    }
  }
  const uint64_t mine = ++changes_;
  while (written_ < mine) {
    if (writing_) {
      co_await written_signal_.async_wait(asio::as_tuple(asio::use_awaitable));
      continue;
    }
    writing_ = true;
    const uint64_t covers = changes_;
    std::string value;
    for (const auto& [pod, n] : open_) value += (value.empty() ? "" : ",") + pod;
    const json patch = {
        {"metadata",
         {{"annotations", {{kHookWindowAnnotation, value.empty() ? json() : json(value)}}}}}};
    auto r = co_await cluster_.patch(gvr_, namespace_, name_, kube::PatchType::Merge, patch);
    if (!r && report_) {
      report_("recording the pods between pre and post hooks on the " + gvr_.resource + " \"" +
              name_ + "\": " + r.error().message);
    }
    written_ = covers;
    writing_ = false;
    written_signal_.expires_at(asio::steady_timer::time_point::max());  // wakes the waiters
  }
}

}  // namespace stillpoint::server
