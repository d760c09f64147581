// Blocking calls to the API server, one at a time, for the commands that read or write a few
// objects of the in-cluster server (`schedule ...`, `backup delete`, `backup create
// --from-schedule`): each call runs the RestClient's coroutine to its end on a private
// io_context. Commands that follow one long operation with signal handling (via_server.h)
// keep their own loop; this is for straight-line command code.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/cluster_flags.h"
#include "core/result.h"
#include "kube/resource_types.h"

namespace stillpoint::cli {

class ApiCalls {
 public:
  // Resolves the kubeconfig as every cluster command does; its errors as they are.
  static core::Result<std::unique_ptr<ApiCalls>> connect(const ClusterFlags& flags);
  ~ApiCalls();
  ApiCalls(const ApiCalls&) = delete;
  ApiCalls& operator=(const ApiCalls&) = delete;

  // RestClient's errors (NotFound, Conflict, ...) with the server's message.
  core::Result<nlohmann::json> get(const kube::GroupVersionResource& gvr,
                                   const std::string& ns,
                                   const std::string& name);
  // Every item, in the server's order.
  core::Result<std::vector<nlohmann::json>> list(const kube::GroupVersionResource& gvr,
                                                 const std::string& ns,
                                                 const std::string& label_selector = {});
  core::Result<nlohmann::json> create(const kube::GroupVersionResource& gvr,
                                      const std::string& ns,
                                      const nlohmann::json& object);
  core::Result<nlohmann::json> merge_patch(const kube::GroupVersionResource& gvr,
                                           const std::string& ns,
                                           const std::string& name,
                                           const nlohmann::json& patch);
  // propagation as RestClient::remove ("Orphan" keeps the object's dependents).
  core::Status remove(const kube::GroupVersionResource& gvr,
                      const std::string& ns,
                      const std::string& name,
                      const std::string& propagation);

 private:
  struct State;
  explicit ApiCalls(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace stillpoint::cli
