// RestClient: typed Kubernetes REST on top of HttpClient (../shared/reference/
// kubernetes-wire-protocol.md §3): get, paged list delivered item by item, create, update,
// patch (merge, JSON, strategic), server-side apply, delete, watch with resume.
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
#include "kube/http_client.h"

namespace stillpoint::kube {

struct GroupVersionResource {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural, "pods"

  // "/api/v1" or "/apis/<group>/<version>"
  std::string api_prefix() const;
  // "v1" or "<group>/<version>", as in an object's apiVersion
  std::string api_version() const;
};

struct ListOptions {
  std::string namespace_name;  // empty: all namespaces (or a cluster-scoped resource)
  std::string label_selector;
  std::string field_selector;
  size_t page_size = 500;
};

// Receives each item of each page, with `kind` (the list's kind minus "List") and
// `apiVersion` filled in as the server omits them on list items. An error stops the list.
using ItemCallback = std::function<core::Status(nlohmann::json item)>;

struct ListSummary {
  size_t items = 0;  // delivered, including items re-delivered after a restart
  size_t pages = 0;
  size_t restarts = 0;           // 410 Expired on a continue token: the list started over
  std::string resource_version;  // of the last page, for a watch that follows
};

enum class PatchType { Merge, Json, Strategic };

struct WatchEvent {
  std::string type;  // ADDED, MODIFIED, DELETED, BOOKMARK
  nlohmann::json object;
};
// Return false to stop watching.
using WatchCallback = std::function<bool(const WatchEvent& event)>;

struct WatchOptions {
  std::string namespace_name;
  std::string label_selector;
  std::string field_selector;
  std::string resource_version;  // resume point; empty: current state as ADDED events first
  std::chrono::seconds timeout{300};
  bool allow_bookmarks = true;
};

class RestClient {
 public:
  explicit RestClient(std::shared_ptr<HttpClient> http) : http_(std::move(http)) {}

  HttpClient& http() { return *http_; }

  boost::asio::awaitable<core::Result<nlohmann::json>> get(const GroupVersionResource& gvr,
                                                           std::string_view namespace_name,
                                                           std::string_view name);
  // Continues until the server returns no continue token; on 410 Expired for a continue
  // token it restarts from the beginning (items already delivered may come again: callers
  // that must not see duplicates key by uid). Each page is parsed and delivered before the
  // next is requested, so memory holds one page.
  boost::asio::awaitable<core::Result<ListSummary>> list(const GroupVersionResource& gvr,
                                                         ListOptions options,
                                                         ItemCallback on_item);
  boost::asio::awaitable<core::Result<nlohmann::json>> create(const GroupVersionResource& gvr,
                                                              std::string_view namespace_name,
                                                              const nlohmann::json& object);
  boost::asio::awaitable<core::Result<nlohmann::json>> update(const GroupVersionResource& gvr,
                                                              std::string_view namespace_name,
                                                              const nlohmann::json& object);
  boost::asio::awaitable<core::Result<nlohmann::json>> patch(const GroupVersionResource& gvr,
                                                             std::string_view namespace_name,
                                                             std::string_view name,
                                                             PatchType type,
                                                             const nlohmann::json& patch);
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
                                              std::string_view propagation = "Background");
  // Streams events until the callback returns false, the server closes the watch (then it
  // resumes from the last seen resourceVersion; a dropped connection too, up to 5 times in a
  // row without an event in between), or an error. BOOKMARK events reach the callback too.
  // A 410 Gone (as HTTP status or as an ERROR event) is returned as ErrorCode::Gone so the
  // caller can re-list.
  boost::asio::awaitable<core::Status> watch(const GroupVersionResource& gvr,
                                             WatchOptions options,
                                             WatchCallback on_event);

 private:
  std::shared_ptr<HttpClient> http_;
};

}  // namespace stillpoint::kube
