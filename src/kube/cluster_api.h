// ClusterApi: what the backup and restore orchestrators need from a cluster — discovery, get,
// a paged list delivered item by item, create, merge/JSON/strategic patch, and a watch. It
// exists so that BackupRunner and RestoreRunner can run in-process against an in-memory
// cluster (tests/fakes/fake_cluster.h) as well as against a server through RestClient, which
// implements it.
//
// Deliberately not here: update and apply (no orchestrator uses them), transport and
// authentication (HttpClient), exec (hooks::PodExec is its own seam).
//
// The contract is RestClient's (rest_client.h): errors are core::Error values whose code says
// NotFound, Conflict, Forbidden, Gone, ...; list() calls `on_item` for each item and stops at
// the first error it returns; watch() streams events until the callback returns false, and
// returns Gone when the resume point is too old. Every call runs on the caller's executor.
#pragma once

#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/discovery.h"
#include "kube/resource_types.h"

namespace stillpoint::kube {

class ClusterApi {
 public:
  virtual ~ClusterApi() = default;

  // The resources the cluster serves, at their preferred versions.
  virtual boost::asio::awaitable<core::Result<DiscoveryResult>> discover() = 0;

  // A missing object is ErrorCode::NotFound.
  virtual boost::asio::awaitable<core::Result<nlohmann::json>> get(const GroupVersionResource& gvr,
                                                                   std::string_view namespace_name,
                                                                   std::string_view name) = 0;
  virtual boost::asio::awaitable<core::Result<ListSummary>> list(const GroupVersionResource& gvr,
                                                                 ListOptions options,
                                                                 ItemCallback on_item) = 0;
  // An object that exists already is ErrorCode::Conflict; returns the object as created.
  virtual boost::asio::awaitable<core::Result<nlohmann::json>> create(
      const GroupVersionResource& gvr,
      std::string_view namespace_name,
      const nlohmann::json& object) = 0;
  virtual boost::asio::awaitable<core::Result<nlohmann::json>> patch(
      const GroupVersionResource& gvr,
      std::string_view namespace_name,
      std::string_view name,
      PatchType type,
      const nlohmann::json& patch) = 0;
  // propagation: "Background" | "Foreground" | "Orphan" | "" (server default). A missing
  // object is ErrorCode::NotFound.
  virtual boost::asio::awaitable<core::Status> remove(const GroupVersionResource& gvr,
                                                      std::string_view namespace_name,
                                                      std::string_view name,
                                                      std::string_view propagation = "Background") = 0;
  virtual boost::asio::awaitable<core::Status> watch(const GroupVersionResource& gvr,
                                                     WatchOptions options,
                                                     WatchCallback on_event) = 0;
};

}  // namespace stillpoint::kube
