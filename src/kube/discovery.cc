#include "kube/discovery.h"

#include <algorithm>
#include <cctype>
#include <utility>

#include "kube/discovery_documents.h"

namespace stillpoint::kube {

namespace asio = boost::asio;
using core::ErrorCode;
using core::unexpected;
using nlohmann::json;

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// Does `name` (lowercase) name this resource, ignoring group and version?
bool names_resource(const ApiResource& r, std::string_view name) {
  if (r.gvr.resource == name || r.singular == name || lower(r.kind) == name) {
    return true;
  }
  return std::find(r.short_names.begin(), r.short_names.end(), name) != r.short_names.end();
}

struct Fetched {
  HttpResponse response;
  json doc;
};

asio::awaitable<core::Result<Fetched>> fetch(HttpClient& http,
                                             std::string path,
                                             std::string_view accept) {
  HttpRequest req;
  req.target = path;
  req.accept = accept;
  auto r = co_await http.request(std::move(req));
  if (!r) {
    co_return unexpected(r.error().code, "discovery GET " + path + ": " + r.error().message);
  }
  Fetched out{std::move(*r), {}};
  out.doc = json::parse(out.response.body, nullptr, /*allow_exceptions=*/false);
  if (out.doc.is_discarded()) {
    co_return unexpected(ErrorCode::Protocol, "discovery GET " + path + ": not JSON");
  }
  out.response.body.clear();
  co_return out;
}

// Legacy: one document per group version. A failing one is skipped with a warning, as kubectl
// and Velero do (an aggregated API server that is down must not stop a backup).
asio::awaitable<void> add_legacy_group_version(HttpClient& http,
                                               std::string group,
                                               std::string version,
                                               DiscoveryResult* out) {
  const GroupVersionResource gv{group, version, ""};
  auto doc = co_await fetch(http, gv.api_prefix(), "application/json");
  core::Status parsed = doc ? parse_resource_list(doc->doc, group, version, out)
                            : core::Status(unexpected(doc.error()));
  if (!parsed) {
    out->warnings.push_back("skipped " + gv.api_version() + ": " + parsed.error().message);
  }
}

}  // namespace

std::string ApiResource::group_resource() const {
  return gvr.group.empty() ? gvr.resource : gvr.resource + "." + gvr.group;
}

bool ApiResource::has_verb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

const ApiResource* DiscoveryResult::find(std::string_view typed) const {
  const std::string name = lower(typed);
  // The whole text first: core resources win over same-named ones in groups ("events"), as
  // resources are in discovery order (core first).
  for (const auto& r : resources) {
    if (names_resource(r, name)) {
      return &r;
    }
  }
  // "resource.group", then "resource.version.group".
  const size_t dot = name.find('.');
  if (dot == std::string::npos) {
    return nullptr;
  }
  const std::string_view resource = std::string_view(name).substr(0, dot);
  const std::string_view rest = std::string_view(name).substr(dot + 1);
  for (const auto& r : resources) {
    if (r.gvr.group == rest && names_resource(r, resource)) {
      return &r;
    }
  }
  const size_t dot2 = rest.find('.');
  if (dot2 == std::string_view::npos) {
    return nullptr;
  }
  const std::string_view version = rest.substr(0, dot2);
  const std::string_view group = rest.substr(dot2 + 1);
  for (const auto& r : resources) {
    if (r.gvr.group == group && r.gvr.version == version && names_resource(r, resource)) {
      return &r;
    }
  }
  return nullptr;
}

asio::awaitable<core::Result<DiscoveryResult>> discover(HttpClient& http) {
  DiscoveryResult out;
  // Core group: /api answers aggregated (one item, the core group) or legacy APIVersions.
  auto api = co_await fetch(http, "/api", kAggregatedDiscoveryAccept);
  if (!api) {
    co_return unexpected(api.error());
  }
  const bool core_aggregated = is_aggregated_discovery(api->response.content_type);
  if (core_aggregated) {
    if (auto s = parse_aggregated(api->doc, &out); !s) {
      co_return unexpected(s.error().code, "discovery GET /api: " + s.error().message);
    }
  } else {
    auto versions = parse_api_versions(api->doc);
    if (!versions) {
      co_return unexpected(versions.error());
    }
    // APIVersions has no preferred marker; the first listed is the one clients use.
    co_await add_legacy_group_version(http, "", versions->front(), &out);
  }

  auto apis = co_await fetch(http, "/apis", kAggregatedDiscoveryAccept);
  if (!apis) {
    co_return unexpected(apis.error());
  }
  const bool groups_aggregated = is_aggregated_discovery(apis->response.content_type);
  if (groups_aggregated) {
    if (auto s = parse_aggregated(apis->doc, &out); !s) {
      co_return unexpected(s.error().code, "discovery GET /apis: " + s.error().message);
    }
  } else {
    auto groups = parse_api_group_list(apis->doc);
    if (!groups) {
      co_return unexpected(groups.error());
    }
    // One request per group, in order; a real cluster has a few dozen groups.
    for (auto& g : *groups) {
      co_await add_legacy_group_version(http, std::move(g.group), std::move(g.version), &out);
    }
  }
  out.aggregated = core_aggregated && groups_aggregated;
  co_return out;
}

}  // namespace stillpoint::kube
