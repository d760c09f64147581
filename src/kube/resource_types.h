// The vocabulary of Kubernetes REST shared by RestClient and ClusterApi: a resource's group,
// version and plural; list, watch and patch options; what a list and a watch deliver. Plain
// data, no I/O (RestClient in rest_client.h does the requests).
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::kube {

struct GroupVersionResource {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural, "pods"
  // "status", "scale": requests on one object go to its subresource (object paths only).
  std::string subresource = {};

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

}  // namespace stillpoint::kube
