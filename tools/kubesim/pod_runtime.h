// Pods that run: the kubelet of kubesim's single node.
#pragma once

#include <filesystem>

#include "api.h"
#include "pch.h"

namespace stillpoint::kubesim {

class PodRuntime : public PodLifecycle {
 public:
  PodRuntime(boost::asio::io_context& io, Api& api, std::filesystem::path data_dir)
      : io_(io), api_(api), data_dir_(std::move(data_dir)) {}
  void pod_created(const std::string& ns, const std::string& name) override;
  void pod_deleting(const std::string& ns, const std::string& name, int grace_seconds) override;
  std::variant<std::string, ApiError> pod_log(const std::string& ns, const std::string& name,
                                              const std::string& container,
                                              long tail_lines) override;
  boost::asio::awaitable<void> stop_all();

 private:
  boost::asio::io_context& io_;
  Api& api_;
  std::filesystem::path data_dir_;
};

}  // namespace stillpoint::kubesim
