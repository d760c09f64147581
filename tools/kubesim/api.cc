#include "api.h"

#include <algorithm>

#include "access_review.h"
#include "aggregated_discovery.h"
#include "continue_token.h"
#include "go_json.h"
#include "protobuf_body.h"
#include "table.h"

namespace stillpoint::kubesim {
namespace {

std::vector<std::string> split_path(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 1;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string part = path.substr(start, slash == std::string::npos ? slash : slash - start);
    if (!part.empty()) {
      out.push_back(part);
    }
    if (slash == std::string::npos) {
      break;
    }
    start = slash + 1;
  }
  return out;
}

Response plain_not_found() {
  // What a real server's mux says for paths outside any API group.
  return Response{404, "text/plain; charset=utf-8", "404 page not found\n", {}};
}

const nlohmann::json& labels_of(const nlohmann::json& obj) {
  static const nlohmann::json kNull;
  auto md = obj.find("metadata");
  if (md == obj.end()) {
    return kNull;
  }
  auto l = md->find("labels");
  return l == md->end() ? kNull : *l;
}

}  // namespace

Response json_response(int status, const nlohmann::json& body) {
  return Response{status, "application/json", go_dump(body), {}};
}

Response error_response(const ApiError& error) {
  Response r{error.code, "application/json", status_body(error), {}};
  return r;
}

std::variant<Target, Response> Api::resolve(const Request& req) const {
  std::vector<std::string> seg = split_path(req.path);
  Target t;
  std::string group;
  size_t i = 0;
  if (seg.size() >= 2 && seg[0] == "api") {
    t.version = seg[1];
    i = 2;
  } else if (seg.size() >= 3 && seg[0] == "apis") {
    group = seg[1];
    t.version = seg[2];
    i = 3;
  } else {
    return plain_not_found();
  }
  if (!registry_.group_version_exists(group, t.version)) {
    return plain_not_found();
  }
  std::vector<std::string> rest(seg.begin() + static_cast<long>(i), seg.end());
  if (rest.empty()) {
    return plain_not_found();
  }
  // "namespaces/{ns}/{resource}/…" unless it is the namespace object's own subresource.
  if (rest[0] == "namespaces" && rest.size() >= 3) {
    const ResourceType* inner = registry_.find(group, t.version, rest[2]);
    if (inner != nullptr && inner->namespaced) {
      t.ns = rest[1];
      rest.erase(rest.begin(), rest.begin() + 2);
    } else if (group.empty() && (rest[2] == "status" || rest[2] == "finalize") &&
               rest.size() == 3) {
      // namespaces/{name}/status
    } else {
      return error_response(resource_not_found());
    }
  }
  t.type = registry_.find(group, t.version, rest[0]);
  if (t.type == nullptr || rest.size() > 3) {
    return error_response(resource_not_found());
  }
  if (rest.size() >= 2) {
    t.name = rest[1];
  }
  if (rest.size() == 3) {
    t.sub = rest[2];
    if (std::find(t.type->subresources.begin(), t.type->subresources.end(), t.sub) ==
        t.type->subresources.end()) {
      return error_response(resource_not_found());
    }
  }
  if (!t.type->namespaced && !t.ns.empty()) {
    return error_response(resource_not_found());
  }
  if (t.type->namespaced && t.ns.empty() && !t.name.empty()) {
    // /api/v1/pods/{name} is not a thing: a name needs a namespace.
    return error_response(resource_not_found());
  }
  return t;
}

Response Api::handle(const Request& req) {
  Response r = handle_unflattened(req);
  r.flatten();
  return r;
}

Response Api::handle_unflattened(const Request& req) {
  try {
    return handle_unguarded(req);
  } catch (const nlohmann::json::exception& e) {
    // nlohmann throws on a field of the wrong type (`"name": 5`); that is the client's error.
    return error_response(bad_request(std::string("invalid object: ") + e.what()));
  } catch (const std::exception& e) {
    return error_response(internal_error(e.what()));
  }
}

Response Api::handle_unguarded(const Request& req) {
  bool handled = false;
  Response d = discovery(req, &handled);
  if (handled) {
    return d;
  }
  auto resolved = resolve(req);
  if (auto* r = std::get_if<Response>(&resolved)) {
    return std::move(*r);
  }
  const Target& t = std::get<Target>(resolved);
  if (req.content_type.starts_with("application/vnd.kubernetes.protobuf") && !req.body.empty()) {
    // kubectl's typed commands (create namespace/configmap/secret) send protobuf and do not
    // fall back to JSON; the few kinds they create are decoded, the rest get 415.
    auto decoded = decode_protobuf_object(req.body);
    if (!decoded) {
      return error_response(ApiError{415, "UnsupportedMediaType", decoded.error().message,
                                     nlohmann::json::object()});
    }
    Request json_req = req;
    json_req.content_type = "application/json";
    json_req.body = decoded->dump();
    return handle_unguarded(json_req);
  }
  if (t.type->key() == kSelfSubjectAccessReviewKey) {
    return self_subject_access_review(req, t.name);
  }
  if (t.sub == "log") {
    return req.method == "GET" ? log(t, req) : error_response(method_not_allowed("log is read-only"));
  }
  if (t.sub == "exec") {
    std::string container;
    if (auto e = exec_precheck(t, req, &container)) {
      return error_response(*e);
    }
    return error_response(bad_request(
        "exec needs a WebSocket upgrade (GET with Upgrade: websocket); SPDY is not supported"));
  }
  if (t.sub == "scale" && !t.name.empty()) {
    return scale(t, req);
  }
  if (req.method == "GET") {
    return t.name.empty() ? list(t, req) : get(t, req);
  }
  if (req.method == "POST" && t.name.empty()) {
    if (t.type->namespaced && t.ns.empty()) {
      return error_response(method_not_allowed("POST to all namespaces is not supported"));
    }
    return create(t, req);
  }
  if (req.method == "PUT" && !t.name.empty()) {
    nlohmann::json body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return error_response(bad_request("the request body is not a JSON object"));
    }
    return update(t, req, std::move(body), false);
  }
  if (req.method == "PATCH" && !t.name.empty()) {
    return patch(t, req);
  }
  if (req.method == "DELETE") {
    return t.name.empty() ? remove_collection(t, req) : remove(t, req);
  }
  return error_response(method_not_allowed(req.method + " is not supported on resources of kind " +
                                            t.type->kind));
}

Response Api::discovery(const Request& req, bool* handled) const {
  *handled = true;
  std::vector<std::string> seg = split_path(req.path);
  if (req.method != "GET") {
    *handled = !seg.empty() && (seg[0] != "api" && seg[0] != "apis");
    return plain_not_found();
  }
  if (req.path == "/version" || req.path == "/version/") {
    return json_response(200, {{"major", "1"},
                               {"minor", "32"},
                               {"gitVersion", "v1.32.0-kubesim"},
                               {"gitCommit", "kubesim"},
                               {"gitTreeState", "clean"},
                               {"buildDate", "2026-01-01T00:00:00Z"},
                               {"goVersion", "go1.23"},
                               {"compiler", "gc"},
                               {"platform", "linux/amd64"}});
  }
  if (req.path == "/healthz" || req.path == "/readyz" || req.path == "/livez") {
    return Response{200, "text/plain; charset=utf-8", "ok", {}};
  }
  if (req.path == "/openapi/v3") {
    return json_response(200, registry_.openapi_v3_index());
  }
  if (seg.size() >= 3 && seg[0] == "openapi" && seg[1] == "v3") {
    nlohmann::json doc =
        seg[2] == "api" && seg.size() == 4   ? registry_.openapi_v3_group_version("", seg[3])
        : seg[2] == "apis" && seg.size() == 5 ? registry_.openapi_v3_group_version(seg[3], seg[4])
                                              : nlohmann::json();
    return doc.is_null() ? plain_not_found() : json_response(200, doc);
  }
  if (seg.size() == 1 && (seg[0] == "api" || seg[0] == "apis") && aggregated_discovery_) {
    // The Accept header picks the aggregated list or the legacy document (wire reference
    // §4.2); Vary tells caches that the answer depends on it.
    if (std::string v = negotiate_aggregated_discovery(req.accept); !v.empty()) {
      Response r = json_response(200, aggregated_discovery(registry_, seg[0] == "api", v));
      r.content_type = aggregated_content_type(v);
      r.headers.emplace_back("Vary", "Accept");
      return r;
    }
  }
  if (seg.size() == 1 && seg[0] == "api") {
    return json_response(200, registry_.api_versions());
  }
  if (seg.size() == 1 && seg[0] == "apis") {
    return json_response(200, registry_.api_group_list());
  }
  if (seg.size() == 2 && seg[0] == "api") {
    nlohmann::json l = registry_.resource_list("", seg[1]);
    return l.is_null() ? plain_not_found() : json_response(200, l);
  }
  if (seg.size() == 2 && seg[0] == "apis") {
    nlohmann::json g = registry_.api_group(seg[1]);
    return g.is_null() ? plain_not_found() : json_response(200, g);
  }
  if (seg.size() == 3 && seg[0] == "apis") {
    nlohmann::json l = registry_.resource_list(seg[1], seg[2]);
    return l.is_null() ? plain_not_found() : json_response(200, l);
  }
  if (seg.empty() || (seg[0] != "api" && seg[0] != "apis")) {
    return plain_not_found();
  }
  *handled = false;
  return {};
}

Response Api::get(const Target& t, const Request& req) {
  const Stored* s = store_.get(t.type->key(), t.ns, t.name);
  if (s == nullptr) {
    return error_response(not_found(t.type->plural, t.type->group, t.name));
  }
  if (t.sub == "scale") {
    return error_response(resource_not_found());
  }
  if (t.sub.empty() && wants_table(req.accept)) {
    return Response{200, "application/json",
                    table_json(*t.type, {s->object}, std::to_string(store_.revision()), ""), {}};
  }
  return Response{200, "application/json", *s->text, {}};
}

Response Api::list(const Target& t, const Request& req) {
  auto labels = LabelQuery::parse(req.param("labelSelector"));
  if (!labels) {
    return error_response(bad_request(labels.error().message));
  }
  auto fields = FieldQuery::parse(req.param("fieldSelector"));
  if (!fields) {
    return error_response(bad_request(fields.error().message));
  }
  long limit = 0;
  if (req.has("limit")) {
    try {
      limit = std::stol(req.param("limit"));
    } catch (...) {
      return error_response(bad_request("invalid limit: " + req.param("limit")));
    }
  }
  std::string start;
  if (req.has("continue") && !req.param("continue").empty()) {
    auto token = decode_continue(req.param("continue"));
    if (!token) {
      return error_response(bad_request("invalid continue token: " + token.error().message));
    }
    if (token->rv < store_.oldest_resumable()) {
      return error_response(expired(
          "The provided continue parameter is too old to display a consistent list result. You "
          "can start a new list without the continue parameter."));
    }
    start = token->start;
  }
  const Store::Bucket& bucket = store_.bucket(t.type->key());
  std::string prefix = t.ns.empty() ? std::string() : t.ns + "/";
  auto it = start.empty() ? bucket.lower_bound(prefix) : bucket.lower_bound(start);
  // metadata.name / metadata.namespace equality terms narrow the scan (kubectl wait uses it).
  bool table = wants_table(req.accept);
  // The body is the list's head, the cached text of every item, and its tail, handed out as
  // shared pieces (Response::pieces): the server writes them without assembling a copy. Building
  // a 25 MB string per list cost more than sending it, mostly in page faults of the fresh memory
  // (docs/performance.md, kubesim).
  std::vector<const Stored*> picked;
  long count = 0;
  std::string next_key;
  long remaining = 0;
  bool filtered = !labels->empty() || !fields->empty();
  for (; it != bucket.end(); ++it) {
    if (!prefix.empty() && !it->first.starts_with(prefix)) {
      break;
    }
    const nlohmann::json& obj = *it->second.object;
    if (filtered && (!labels->matches(labels_of(obj)) || !fields->matches(obj))) {
      continue;
    }
    if (limit > 0 && count >= limit) {
      if (next_key.empty()) {
        next_key = it->first;
      }
      ++remaining;
      continue;
    }
    picked.push_back(&it->second);
    ++count;
  }
  std::string token;
  if (!next_key.empty()) {
    token = encode_continue(ContinueToken{store_.revision(), next_key});
  }
  if (table) {
    std::vector<std::shared_ptr<const nlohmann::json>> table_objects;
    table_objects.reserve(picked.size());
    for (const Stored* s : picked) {
      table_objects.push_back(s->object);
    }
    return Response{200, "application/json",
                    table_json(*t.type, table_objects, std::to_string(store_.revision()), token),
                    {}};
  }
  std::string head = "{\"kind\":\"" + t.type->kind + "List\",\"apiVersion\":\"" +
                     t.type->api_version(t.version) + "\",\"metadata\":{\"resourceVersion\":\"" +
                     std::to_string(store_.revision()) + "\"";
  if (!next_key.empty()) {
    head += ",\"continue\":\"" + token + "\"";
    if (!filtered) {
      head += ",\"remainingItemCount\":" + std::to_string(remaining);
    }
  }
  head += "},\"items\":[";
  static const auto kComma = std::make_shared<const std::string>(",");
  static const auto kTail = std::make_shared<const std::string>("]}");
  Response r{200, "application/json", {}, {}};
  r.pieces.reserve(2 * picked.size() + 2);
  r.pieces.push_back(std::make_shared<const std::string>(std::move(head)));
  for (size_t i = 0; i < picked.size(); ++i) {
    if (i > 0) {
      r.pieces.push_back(kComma);
    }
    r.pieces.push_back(picked[i]->item_text);
  }
  r.pieces.push_back(kTail);
  return r;
}

std::variant<WatchStart, Response> Api::start_watch(const Request& req, const Target& t) {
  const auto& verbs = t.type->served_verbs();
  if (std::find(verbs.begin(), verbs.end(), "watch") == verbs.end()) {
    return error_response(
        method_not_allowed("the server does not allow this method on the requested resource"));
  }
  auto labels = LabelQuery::parse(req.param("labelSelector"));
  if (!labels) {
    return error_response(bad_request(labels.error().message));
  }
  auto fields = FieldQuery::parse(req.param("fieldSelector"));
  if (!fields) {
    return error_response(bad_request(fields.error().message));
  }
  WatchStart w;
  w.watcher = std::make_shared<Watcher>();
  w.watcher->resource = t.type->key();
  w.watcher->ns = t.ns;
  w.watcher->labels = std::move(*labels);
  w.watcher->fields = std::move(*fields);
  if (!t.name.empty()) {
    // GET …/pods/x?watch=1 is the old form of fieldSelector=metadata.name=x.
    auto f = FieldQuery::parse("metadata.name=" + t.name);
    w.watcher->fields = std::move(*f);
  }
  if (wants_table(req.accept)) {
    // kubectl get -w: every event's object is a one-row Table, as the real server sends.
    const ResourceType* type = t.type;
    Store* store = &store_;
    w.watcher->render = [type, store](const Stored& s) {
      return table_json(*type, {s.object}, std::to_string(store->revision()), "");
    };
  }
  if (req.has("timeoutSeconds")) {
    try {
      w.timeout_seconds = std::stoi(req.param("timeoutSeconds"));
    } catch (...) {
      return error_response(bad_request("invalid timeoutSeconds"));
    }
  }
  std::string rv_text = req.param("resourceVersion");
  if (rv_text.empty() || rv_text == "0") {
    // No resourceVersion: synthetic ADDED for everything that exists now, then live events.
    const Store::Bucket& bucket = store_.bucket(t.type->key());
    for (const auto& [key, s] : bucket) {
      Event e{0, "ADDED", w.watcher->resource, (*s.object)["metadata"].value("namespace", ""), s};
      if (w.watcher->matches(e)) {
        w.initial += watch_line("ADDED", w.watcher->render ? w.watcher->render(s) : *s.text);
      }
    }
  } else {
    int64_t rv = 0;
    try {
      rv = std::stoll(rv_text);
    } catch (...) {
      return error_response(bad_request("invalid resourceVersion: " + rv_text));
    }
    auto events = store_.events_after(rv);
    if (!events) {
      // Too old: HTTP 200 and one ERROR event carrying a 410 Status (wire reference §3.6).
      ApiError e = expired("too old resource version: " + rv_text + " (" +
                           std::to_string(store_.oldest_resumable()) + ")");
      w.initial = watch_line("ERROR", status_body(e));
      w.end_after_initial = true;
      return w;
    }
    for (const Event* e : *events) {
      if (w.watcher->matches(*e)) {
        w.initial += watch_line(e->type,
                                w.watcher->render ? w.watcher->render(e->item) : *e->item.text);
      }
    }
  }
  return w;
}

std::optional<ApiError> Api::exec_precheck(const Target& t, const Request& req,
                                           std::string* container) const {
  const Stored* pod = store_.get("pods", t.ns, t.name);
  if (pod == nullptr) {
    return not_found("pods", "", t.name);
  }
  const nlohmann::json& spec = (*pod->object)["spec"];
  *container = req.param("container");
  std::vector<std::string> declared;
  for (const char* list : {"containers", "initContainers", "ephemeralContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (const auto& c : spec[list]) {
        declared.push_back(c.value("name", ""));
      }
    }
  }
  if (container->empty()) {
    const nlohmann::json& cs = spec["containers"];
    if (cs.size() != 1) {
      std::string names;
      for (const auto& c : cs) {
        names += (names.empty() ? "" : " ") + c.value("name", "");
      }
      return bad_request("a container name must be specified for pod " + t.name +
                         ", choose one of: [" + names + "]");
    }
    *container = cs[0].value("name", "");
  } else if (std::find(declared.begin(), declared.end(), *container) == declared.end()) {
    return bad_request("container " + *container + " is not valid for pod " + t.name);
  }
  if (spec.value("nodeName", "").empty()) {
    return bad_request("pod " + t.name + " does not have a host assigned");
  }
  if (!req.flag("stdin") && !req.flag("stdout") && !req.flag("stderr")) {
    return bad_request("you must specify at least 1 of stdin, stdout, stderr");
  }
  if (req.params("command").empty()) {
    return bad_request("you must specify at least one command for the container");
  }
  return std::nullopt;
}

Response Api::log(const Target& t, const Request& req) {
  const Stored* s = store_.get("pods", t.ns, t.name);
  if (s == nullptr) {
    return error_response(not_found("pods", "", t.name));
  }
  const nlohmann::json& spec = (*s->object)["spec"];
  std::string container = req.param("container");
  if (container.empty()) {
    const nlohmann::json& cs = spec["containers"];
    if (cs.size() != 1) {
      std::string names;
      for (const auto& c : cs) {
        names += (names.empty() ? "" : " ") + c.value("name", "");
      }
      return error_response(bad_request("a container name must be specified for pod " + t.name +
                                        ", choose one of: [" + names + "]"));
    }
    container = cs[0].value("name", "");
  }
  if (lifecycle_ == nullptr) {
    return Response{200, "text/plain", "", {}};
  }
  long tail = -1;
  if (req.has("tailLines")) {
    try {
      tail = std::stol(req.param("tailLines"));
    } catch (...) {
      return error_response(bad_request("invalid tailLines"));
    }
  }
  auto out = lifecycle_->pod_log(t.ns, t.name, container, tail);
  if (auto* e = std::get_if<ApiError>(&out)) {
    return error_response(*e);
  }
  return Response{200, "text/plain", std::move(std::get<std::string>(out)), {}};
}

}  // namespace stillpoint::kubesim
