#include "kube/rest_client.h"

#include <utility>
#include <vector>

#include "core/go_json.h"
#include "kube/rest_paths.h"
#include "kube/url_query.h"

namespace stillpoint::kube {

namespace asio = boost::asio;
using core::ErrorCode;
using core::unexpected;
using nlohmann::json;

namespace {

// A continue token can expire again on the next pass of a list that is slower than etcd's
// compaction window; after this many fresh starts the list gives up with the 410.
constexpr size_t kMaxListRestarts = 5;

constexpr std::string_view kJson = "application/json";

std::string_view content_type_for(PatchType type) {
  switch (type) {
    case PatchType::Merge:
      return "application/merge-patch+json";
    case PatchType::Json:
      return "application/json-patch+json";
    case PatchType::Strategic:
      return "application/strategic-merge-patch+json";
  }
  return "application/merge-patch+json";
}

core::Result<json> parse_object(const HttpResponse& response, const std::string& what) {
  auto doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(ErrorCode::Protocol, what + ": the response is not a JSON object");
  }
  return doc;
}

std::string name_of(const json& object) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return {};
  }
  const auto name = meta->find("name");
  return name != meta->end() && name->is_string() ? name->get<std::string>() : std::string();
}

std::string namespace_of(const json& object) {
  const auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return {};
  }
  const auto ns = meta->find("namespace");
  return ns != meta->end() && ns->is_string() ? ns->get<std::string>() : std::string();
}

// One page: the list's item kind and apiVersion, its continue token and resourceVersion.
struct Page {
  std::string item_kind;
  std::string api_version;
  std::string continue_token;
  std::string resource_version;
  json items;
};

core::Result<Page> parse_page(std::string_view body, const std::string& what) {
  auto doc = json::parse(body.begin(), body.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(ErrorCode::Protocol, what + ": the response is not a JSON object");
  }
  Page page;
  if (auto kind = doc.find("kind"); kind != doc.end() && kind->is_string()) {
    page.item_kind = kind->get<std::string>();
    constexpr std::string_view kSuffix = "List";
    if (page.item_kind.size() > kSuffix.size() && page.item_kind.ends_with(kSuffix)) {
      page.item_kind.resize(page.item_kind.size() - kSuffix.size());
    }
  }
  if (auto v = doc.find("apiVersion"); v != doc.end() && v->is_string()) {
    page.api_version = v->get<std::string>();
  }
  if (auto meta = doc.find("metadata"); meta != doc.end() && meta->is_object()) {
    if (auto c = meta->find("continue"); c != meta->end() && c->is_string()) {
      page.continue_token = c->get<std::string>();
    }
    if (auto rv = meta->find("resourceVersion"); rv != meta->end() && rv->is_string()) {
      page.resource_version = rv->get<std::string>();
    }
  }
  auto items = doc.find("items");
  if (items == doc.end() || items->is_null()) {
    page.items = json::array();  // Go's nil slice: no items
  } else if (!items->is_array()) {
    return unexpected(ErrorCode::Protocol, what + ": \"items\" is not an array");
  } else {
    page.items = std::move(*items);
  }
  return page;
}

}  // namespace

std::string GroupVersionResource::api_prefix() const {
  return group.empty() ? "/api/" + version : "/apis/" + group + "/" + version;
}

std::string GroupVersionResource::api_version() const {
  return group.empty() ? version : group + "/" + version;
}

asio::awaitable<core::Result<DiscoveryResult>> RestClient::discover() {
  co_return co_await kube::discover(*http_);
}

asio::awaitable<core::Result<json>> RestClient::get(const GroupVersionResource& gvr,
                                                    std::string_view namespace_name,
                                                    std::string_view name) {
  const std::string what = describe("get", gvr, namespace_name, name);
  HttpRequest req;
  req.target = object_path(gvr, namespace_name, name);
  auto r = co_await http_->request(std::move(req));
  if (!r) {
    co_return unexpected(with_context(r.error(), what));
  }
  co_return parse_object(*r, what);
}

asio::awaitable<core::Result<ListSummary>> RestClient::list(const GroupVersionResource& gvr,
                                                            ListOptions options,
                                                            ItemCallback on_item) {
  const std::string what = describe("list", gvr, options.namespace_name, "");
  ListSummary summary;
  std::string continue_token;
  for (;;) {
    std::vector<std::pair<std::string, std::string>> params;
    if (!options.label_selector.empty()) {
      params.emplace_back("labelSelector", options.label_selector);
    }
    if (!options.field_selector.empty()) {
      params.emplace_back("fieldSelector", options.field_selector);
    }
    if (options.page_size > 0) {
      params.emplace_back("limit", std::to_string(options.page_size));
    }
    if (!continue_token.empty()) {
      params.emplace_back("continue", continue_token);
    }
    HttpRequest req;
    req.target = collection_path(gvr, options.namespace_name) + query_string(params);
    auto r = co_await http_->request(std::move(req));
    if (!r) {
      // 410 on a continue token: the snapshot the token pinned has been compacted away.
      // Start over rather than continue inconsistently (a backup must be one snapshot).
      if (r.error().code == ErrorCode::Gone && !continue_token.empty() &&
          summary.restarts < kMaxListRestarts) {
        ++summary.restarts;
        continue_token.clear();
        continue;
      }
      co_return unexpected(with_context(r.error(), what));
    }
    auto page = parse_page(r->body, what);
    r->body.clear();
    r->body.shrink_to_fit();  // the parsed page replaces the text; keep one copy in memory
    if (!page) {
      co_return unexpected(page.error());
    }
    ++summary.pages;
    for (auto& item : page->items) {
      if (!item.is_object()) {
        co_return unexpected(ErrorCode::Protocol, what + ": a list item is not an object");
      }
      // Built-in list items omit kind/apiVersion; CR list items carry them (kept as sent).
      if (!item.contains("kind") && !page->item_kind.empty()) {
        item["kind"] = page->item_kind;
      }
      if (!item.contains("apiVersion")) {
        item["apiVersion"] = page->api_version.empty() ? gvr.api_version() : page->api_version;
      }
      ++summary.items;
      auto delivered = on_item(std::move(item));
      if (!delivered) {
        co_return unexpected(delivered.error());
      }
    }
    summary.resource_version = page->resource_version;
    continue_token = std::move(page->continue_token);
    if (continue_token.empty()) {
      co_return summary;
    }
  }
}

asio::awaitable<core::Result<json>> RestClient::create(const GroupVersionResource& gvr,
                                                       std::string_view namespace_name,
                                                       const json& object) {
  const std::string what = describe("create", gvr, namespace_name, name_of(object));
  HttpRequest req;
  req.method = "POST";
  req.target = collection_path(gvr, namespace_name);
  req.content_type = kJson;
  req.body = core::go_json_dump(object);
  auto r = co_await http_->request(std::move(req));
  if (!r) {
    co_return unexpected(with_context(r.error(), what));
  }
  co_return parse_object(*r, what);
}

asio::awaitable<core::Result<json>> RestClient::update(const GroupVersionResource& gvr,
                                                       std::string_view namespace_name,
                                                       const json& object) {
  const std::string name = name_of(object);
  const std::string what = describe("update", gvr, namespace_name, name);
  if (name.empty()) {
    co_return unexpected(ErrorCode::InvalidArgument, what + ": the object has no metadata.name");
  }
  HttpRequest req;
  req.method = "PUT";
  req.target = object_path(gvr, namespace_name, name);
  req.content_type = kJson;
  req.body = core::go_json_dump(object);
  auto r = co_await http_->request(std::move(req));
  if (!r) {
    co_return unexpected(with_context(r.error(), what));
  }
  co_return parse_object(*r, what);
}

asio::awaitable<core::Result<json>> RestClient::patch(const GroupVersionResource& gvr,
                                                      std::string_view namespace_name,
                                                      std::string_view name,
                                                      PatchType type,
                                                      const json& patch) {
  const std::string what = describe("patch", gvr, namespace_name, name);
  HttpRequest req;
  req.method = "PATCH";
  req.target = object_path(gvr, namespace_name, name);
  req.content_type = content_type_for(type);
  req.body = core::go_json_dump(patch);
  auto r = co_await http_->request(std::move(req));
  if (!r) {
    co_return unexpected(with_context(r.error(), what));
  }
  co_return parse_object(*r, what);
}

asio::awaitable<core::Result<json>> RestClient::apply(const GroupVersionResource& gvr,
                                                      std::string_view namespace_name,
                                                      const json& object,
                                                      std::string_view field_manager,
                                                      bool force) {
  const std::string name = name_of(object);
  // The object's own namespace when the caller gave none: apply is usually fed whole objects.
  const std::string ns =
      namespace_name.empty() ? namespace_of(object) : std::string(namespace_name);
  const std::string what = describe("apply", gvr, ns, name);
  if (name.empty()) {
    co_return unexpected(ErrorCode::InvalidArgument, what + ": the object has no metadata.name");
  }
  if (field_manager.empty()) {
    // The server answers 422 too; saying so here names the real cause.
    co_return unexpected(ErrorCode::InvalidArgument,
                         what + ": server-side apply needs a field manager");
  }
  std::vector<std::pair<std::string, std::string>> params{
      {"fieldManager", std::string(field_manager)}};
  if (force) {
    params.emplace_back("force", "true");
  }
  HttpRequest req;
  req.method = "PATCH";
  req.target = object_path(gvr, ns, name) + query_string(params);
  // JSON is valid YAML, and the apply content type accepts it.
  req.content_type = "application/apply-patch+yaml";
  req.body = core::go_json_dump(object);
  auto r = co_await http_->request(std::move(req));
  if (!r) {
    co_return unexpected(with_context(r.error(), what));
  }
  co_return parse_object(*r, what);
}

asio::awaitable<core::Status> RestClient::remove(const GroupVersionResource& gvr,
                                                 std::string_view namespace_name,
                                                 std::string_view name,
                                                 std::string_view propagation) {
  const std::string what = describe("delete", gvr, namespace_name, name);
  json options = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (!propagation.empty()) {
    options["propagationPolicy"] = propagation;
  }
  HttpRequest req;
  req.method = "DELETE";
  req.target = object_path(gvr, namespace_name, name);
  req.content_type = kJson;
  req.body = core::go_json_dump(options);
  auto r = co_await http_->request(std::move(req));
  if (!r) {
    co_return unexpected(with_context(r.error(), what));
  }
  // 200 with the object (deletion pending) or a Success Status, or 202: all mean accepted.
  co_return core::ok();
}

}  // namespace stillpoint::kube
