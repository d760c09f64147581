// RestClient: typed Kubernetes REST on top of HttpClient (../shared/reference/
// kubernetes-wire-protocol.md §3): get, paged list delivered item by item, create, update,
// patch (merge, JSON, strategic), server-side apply, delete, watch with resume. Implements
// ClusterApi (cluster_api.h), the orchestrators' view of a cluster.
//
// Errors: a metav1.Status becomes a core::Error (NotFound, Conflict, Forbidden, Gone, ...)
// whose message is the server's, prefixed with what was being done ("list pods in ns a: ...").
// Threading: the HttpClient's executor.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/cluster_api.h"
#include "kube/http_client.h"
#include "kube/resource_types.h"

namespace stillpoint::kube {

class RestClient : public ClusterApi {
 public:
  explicit RestClient(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {}

  HttpClient& http() { return *http_; }

  // kube::discover() over this client's connection.
  boost::asio::awaitable<core::Result<DiscoveryResult>> discover() override;

  boost::asio::awaitable<core::Result<nlohmann::json>> get(const GroupVersionResource& gvr,
                                                           std::string_view namespace_name,
                                                           std::string_view name) override;
  // Continues until the server returns no continue token; on 410 Expired for a continue
  // token it restarts from the beginning (items already delivered may come again: callers
  // that must not see duplicates key by uid). Each page is parsed and delivered before the
  // next is requested, so memory holds one page.
  boost::asio::awaitable<core::Result<ListSummary>> list(const GroupVersionResource& gvr,
                                                         ListOptions options,
                                                         ItemCallback on_item) override;
  boost::asio::awaitable<core::Result<nlohmann::json>> create(
      const GroupVersionResource& gvr,
      std::string_view namespace_name,
      const nlohmann::json& object) override;
  boost::asio::awaitable<core::Result<nlohmann::json>> update(const GroupVersionResource& gvr,
                                                              std::string_view namespace_name,
                                                              const nlohmann::json& object);
  boost::asio::awaitable<core::Result<nlohmann::json>> patch(const GroupVersionResource& gvr,
                                                             std::string_view namespace_name,
                                                             std::string_view name,
                                                             PatchType type,
                                                             const nlohmann::json& patch) override;
  // Server-side apply (application/apply-patch+yaml with a JSON body, force optional).
  boost::asio::awaitable<core::Result<nlohmann::json>> apply(const GroupVersionResource& gvr,
                                                             std::string_view namespace_name,
                                                             const nlohmann::json& object,
                                                             std::string_view field_manager,
                                                             bool force = false);
  // propagation: "Background" | "Foreground" | "Orphan" | "" (server default). A missing
  // object is NotFound.
  boost::asio::awaitable<core::Status> remove(const GroupVersionResource& gvr,
                                              std::string_view namespace_name,
                                              std::string_view name,
                                              std::string_view propagation = "Background") override;
  // Streams events until the callback returns false, the server closes the watch (then it
  // resumes from the last seen resourceVersion; a dropped connection too, up to 5 times in a
  // row without an event in between), or an error. BOOKMARK events reach the callback too.
  // A 410 Gone (as HTTP status or as an ERROR event) is returned as ErrorCode::Gone so the
  // caller can re-list.
  boost::asio::awaitable<core::Status> watch(const GroupVersionResource& gvr,
                                             WatchOptions options,
                                             WatchCallback on_event) override;

 private:
  std::shared_ptr<HttpClient> http_;
};

}  // namespace stillpoint::kube
