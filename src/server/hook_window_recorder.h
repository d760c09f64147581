// Keeps the annotation `stillpoint.io/hook-window-pods` of a Backup object equal to the pods
// that are between their pre and post hooks right now (BackupEnvironment::hook_window): the
// record a successor reads when it finds the backup InProgress after this process died
// (server/interrupted_operations.h), so a frozen application is always thawed.
//
// Blocks open and close windows concurrently; the patches are written one at a time, each
// with the whole current set, and a change returns only once a patch holding it is stored —
// so the object never claims less than is open, whatever order workers finish in.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include "kube/cluster_api.h"

namespace stillpoint::server {

inline constexpr const char* kHookWindowAnnotation = "stillpoint.io/hook-window-pods";

// "ns/a,ns/b" → {"ns/a", "ns/b"}; empty or missing → {}.
std::vector<std::string> pods_in_hook_window(const nlohmann::json& object);

class HookWindowRecorder {
 public:
  // `report` receives write failures (the backup goes on: the record is a safety net).
  HookWindowRecorder(kube::ClusterApi& cluster,
                     boost::asio::any_io_executor executor,
                     kube::GroupVersionResource gvr,
                     std::string namespace_name,
                     std::string name,
                     std::function<void(const std::string&)> report);

  boost::asio::awaitable<void> change(std::vector<std::string> pods, bool open);
  const std::string& name() const { return name_; }

 private:
  kube::ClusterApi& cluster_;
  kube::GroupVersionResource gvr_;
  std::string namespace_;
  std::string name_;
  std::function<void(const std::string&)> report_;
  std::map<std::string, int> open_;  // pod → open windows (a pod is in one block, but be safe)
  uint64_t changes_ = 0;
  uint64_t written_ = 0;
  bool writing_ = false;
  boost::asio::steady_timer written_signal_;
};

}  // namespace stillpoint::server
