// REST semantics of the API layer, driven without sockets.
#include <gtest/gtest.h>

#include "api.h"
#include "continue_token.h"
#include "patch.h"
#include "selectors.h"

namespace stillpoint::kubesim {
namespace {

class ApiTest : public ::testing::Test {
 protected:
  ApiTest() {
    call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"default"}})");
  }
  Response call(const std::string& method, const std::string& target, const std::string& body = "",
                const std::string& content_type = "application/json") {
    Request r;
    r.method = method;
    size_t q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) {
      r.query = parse_query(target.substr(q + 1));
    }
    r.body = body;
    r.content_type = content_type;
    return api.handle(r);
  }
  static nlohmann::json json(const Response& r) { return nlohmann::json::parse(r.body); }

  Store store;
  Registry registry;
  Api api{store, registry};
};

// Creating an object sets uid, resourceVersion and creationTimestamp, and no generation on a
// ConfigMap (a real server keeps one only for kinds with a spec to track); a second create of
// the same name is 409 AlreadyExists.
TEST_F(ApiTest, CreateSetsServerFieldsAndRejectsDuplicates) {
  Response r = call("POST", "/api/v1/namespaces/default/configmaps",
                    R"({"metadata":{"name":"a"},"data":{"k":"v"}})");
  ASSERT_EQ(r.status, 201) << r.body;
  nlohmann::json o = json(r);
  EXPECT_FALSE(o["metadata"]["uid"].get<std::string>().empty());
  EXPECT_FALSE(o["metadata"]["resourceVersion"].get<std::string>().empty());
  EXPECT_FALSE(o["metadata"].contains("generation"));
  EXPECT_EQ(o["kind"], "ConfigMap");
  Response dup = call("POST", "/api/v1/namespaces/default/configmaps",
                      R"({"metadata":{"name":"a"}})");
  EXPECT_EQ(dup.status, 409);
  EXPECT_EQ(json(dup)["reason"], "AlreadyExists");
  EXPECT_EQ(json(dup)["message"], "configmaps \"a\" already exists");
}

// POST with metadata.resourceVersion is a 500, as on a real server.
TEST_F(ApiTest, CreateWithResourceVersionIsInternalError) {
  Response r = call("POST", "/api/v1/namespaces/default/configmaps",
                    R"({"metadata":{"name":"a","resourceVersion":"5"}})");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(json(r)["reason"], "InternalError");
}

// Pods need containers with a name and an image: 422 Invalid with field causes.
TEST_F(ApiTest, PodWithoutImageIsInvalid) {
  Response r = call("POST", "/api/v1/namespaces/default/pods",
                    R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":"c"}]}})");
  ASSERT_EQ(r.status, 422) << r.body;
  nlohmann::json s = json(r);
  EXPECT_EQ(s["reason"], "Invalid");
  EXPECT_EQ(s["details"]["causes"][0]["field"], "spec.containers[0].image");
  Response bad_name = call("POST", "/api/v1/namespaces/default/configmaps",
                           R"({"metadata":{"name":"Bad_Name"}})");
  EXPECT_EQ(bad_name.status, 422);
}

// Fields of the wrong JSON type are a 400, never an exception out of the server.
TEST_F(ApiTest, WrongFieldTypesAreBadRequests) {
  for (const char* body : {R"({"metadata":{"name":5}})", R"({"metadata":{"namespace":7,"name":"a"}})",
                           R"({"metadata":"x"})", R"([1,2])", R"({"metadata":{"name":"a","labels":[1]}})"}) {
    SCOPED_TRACE(body);
    Response r = call("POST", "/api/v1/namespaces/default/configmaps", body);
    EXPECT_GE(r.status, 400);
    EXPECT_LT(r.status, 500) << r.body;
  }
  Response pod = call("POST", "/api/v1/namespaces/default/pods",
                      R"({"metadata":{"name":"p"},"spec":{"containers":[{"name":1,"image":"x"}]}})");
  EXPECT_EQ(pod.status, 422) << pod.body;
}

// PUT with a stale resourceVersion is 409 Conflict; with the current one it succeeds and a
// spec change bumps generation.
TEST_F(ApiTest, UpdateIsOptimisticallyConcurrent) {
  nlohmann::json o = json(call("POST", "/apis/apps/v1/namespaces/default/deployments",
                               R"({"metadata":{"name":"d"},"spec":{"replicas":1}})"));
  nlohmann::json stale = o;
  o["spec"]["replicas"] = 2;
  Response ok = call("PUT", "/apis/apps/v1/namespaces/default/deployments/d", o.dump());
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json(ok)["metadata"]["generation"], 2);
  stale["spec"]["replicas"] = 3;
  Response c = call("PUT", "/apis/apps/v1/namespaces/default/deployments/d", stale.dump());
  EXPECT_EQ(c.status, 409);
  EXPECT_EQ(json(c)["reason"], "Conflict");
}

// Merge patch, JSON patch and strategic merge patch (containers merge by name).
TEST_F(ApiTest, PatchKinds) {
  call("POST", "/api/v1/namespaces/default/configmaps",
       R"({"metadata":{"name":"a"},"data":{"x":"1","y":"2"}})");
  Response m = call("PATCH", "/api/v1/namespaces/default/configmaps/a",
                    R"({"data":{"x":null,"z":"3"}})", "application/merge-patch+json");
  ASSERT_EQ(m.status, 200) << m.body;
  EXPECT_EQ(json(m)["data"], (nlohmann::json{{"y", "2"}, {"z", "3"}}));
  Response j = call("PATCH", "/api/v1/namespaces/default/configmaps/a",
                    R"([{"op":"replace","path":"/data/y","value":"9"}])",
                    "application/json-patch+json");
  ASSERT_EQ(j.status, 200) << j.body;
  EXPECT_EQ(json(j)["data"]["y"], "9");
  nlohmann::json target = {{"containers", {{{"name", "a"}, {"image", "x"}}, {{"name", "b"}}}}};
  nlohmann::json patched = strategic_merge_patch(
      target, {{"containers", {{{"name", "b"}, {"image", "y"}}}}});
  EXPECT_EQ(patched["containers"].size(), 2u);
  EXPECT_EQ(patched["containers"][1]["image"], "y");
}

// Lists page with limit/continue and filter with label and field selectors. Every namespace
// also holds the kube-root-ca.crt ConfigMap, as on a real cluster.
TEST_F(ApiTest, ListPagesAndSelects) {
  for (int i = 0; i < 5; ++i) {
    std::string body = R"({"metadata":{"name":"c)" + std::to_string(i) +
                       R"(","labels":{"app":")" + (i % 2 ? "odd" : "even") + R"("}}})";
    ASSERT_EQ(call("POST", "/api/v1/namespaces/default/configmaps", body).status, 201);
  }
  nlohmann::json page = json(call("GET", "/api/v1/namespaces/default/configmaps?limit=2"));
  EXPECT_EQ(page["kind"], "ConfigMapList");
  EXPECT_EQ(page["items"].size(), 2u);
  EXPECT_FALSE(page["items"][0].contains("kind"));  // built-in list items carry no kind
  EXPECT_EQ(page["metadata"]["remainingItemCount"], 4);
  std::vector<std::string> names;
  for (;;) {
    for (const auto& i : page["items"]) {
      names.push_back(i["metadata"]["name"]);
    }
    std::string cont = page["metadata"].value("continue", "");
    if (cont.empty()) break;
    page = json(call("GET", "/api/v1/namespaces/default/configmaps?limit=2&continue=" + cont));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4", "kube-root-ca.crt"}));
  nlohmann::json odd = json(call("GET", "/api/v1/configmaps?labelSelector=app%3Dodd"));
  EXPECT_EQ(odd["items"].size(), 2u);
  nlohmann::json notin = json(call("GET", "/api/v1/configmaps?labelSelector=app+notin+(odd)"));
  EXPECT_EQ(notin["items"].size(), 4u);  // c0, c2, c4 and kube-root-ca.crt
  nlohmann::json byname = json(call("GET", "/api/v1/configmaps?fieldSelector=metadata.name%3Dc3"));
  ASSERT_EQ(byname["items"].size(), 1u);
  EXPECT_EQ(byname["items"][0]["metadata"]["name"], "c3");
  EXPECT_EQ(call("GET", "/api/v1/configmaps?continue=garbage!").status, 400);
  // What the server sends: the list as shared pieces (head, cached item texts, tail), the same
  // bytes as the flattened body.
  Request r;
  r.method = "GET";
  r.path = "/api/v1/namespaces/default/configmaps";
  r.query = parse_query("limit=2");
  Response pieces = api.handle_unflattened(r);
  EXPECT_TRUE(pieces.body.empty());
  ASSERT_EQ(pieces.pieces.size(), 5u);  // head, c0, ",", c1, tail
  EXPECT_EQ(pieces.pieces[1], store.get("configmaps", "default", "c0")->item_text);
  std::string expected = api.handle(r).body;
  EXPECT_EQ(pieces.body_size(), expected.size());
  pieces.flatten();
  EXPECT_EQ(pieces.body, expected);
  EXPECT_EQ(expected.substr(expected.size() - 2), "]}");
}

// Watch from a resourceVersion replays later events; a too-old one yields an ERROR 410 event.
TEST_F(ApiTest, WatchResumesAndExpires) {
  Store small(3);
  Registry reg;
  Api a{small, reg};
  auto req = [&](const std::string& m, const std::string& p, const std::string& b) {
    Request r;
    r.method = m;
    r.path = p;
    r.body = b;
    return a.handle(r);
  };
  req("POST", "/api/v1/namespaces", R"({"metadata":{"name":"default"}})");
  std::string rv = nlohmann::json::parse(req("POST", "/api/v1/namespaces/default/configmaps",
                                             R"({"metadata":{"name":"a"}})")
                                             .body)["metadata"]["resourceVersion"];
  req("POST", "/api/v1/namespaces/default/configmaps", R"({"metadata":{"name":"b"}})");
  Request w;
  w.method = "GET";
  w.path = "/api/v1/namespaces/default/configmaps";
  w.query = {{"watch", "1"}, {"resourceVersion", rv}};
  auto t = std::get<Target>(a.resolve(w));
  auto start = std::get<WatchStart>(a.start_watch(w, t));
  EXPECT_NE(start.initial.find("\"ADDED\""), std::string::npos);
  EXPECT_NE(start.initial.find("\"b\""), std::string::npos);
  EXPECT_EQ(start.initial.find("\"name\":\"a\""), std::string::npos);
  for (int i = 0; i < 5; ++i) {
    req("POST", "/api/v1/namespaces/default/configmaps",
        R"({"metadata":{"name":"x)" + std::to_string(i) + R"("}})");
  }
  auto old = std::get<WatchStart>(a.start_watch(w, t));
  EXPECT_TRUE(old.end_after_initial);
  EXPECT_NE(old.initial.find("\"ERROR\""), std::string::npos);
  EXPECT_NE(old.initial.find("\"code\":410"), std::string::npos);
}

// Deleting a namespace removes the objects in it.
TEST_F(ApiTest, NamespaceDeletionCascades) {
  call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"team"}})");
  call("POST", "/api/v1/namespaces/team/configmaps", R"({"metadata":{"name":"a"}})");
  EXPECT_EQ(call("DELETE", "/api/v1/namespaces/team").status, 200);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/team/configmaps/a").status, 404);
  EXPECT_EQ(call("GET", "/api/v1/namespaces/team").status, 404);
  EXPECT_EQ(call("POST", "/api/v1/namespaces/team/configmaps", R"({"metadata":{"name":"a"}})")
                .status,
            404);
}

// A CRD makes its resource servable; deleting it removes the resource and its objects.
TEST_F(ApiTest, CustomResourcesFollowTheirDefinition) {
  const char* crd = R"({"metadata":{"name":"widgets.example.com"},"spec":{"group":"example.com",
    "scope":"Namespaced","names":{"plural":"widgets","singular":"widget","kind":"Widget"},
    "versions":[{"name":"v1","served":true,"storage":true}]}})";
  EXPECT_EQ(call("GET", "/apis/example.com/v1/namespaces/default/widgets").status, 404);
  ASSERT_EQ(call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status,
            201);
  Response c = call("POST", "/apis/example.com/v1/namespaces/default/widgets",
                    R"({"metadata":{"name":"w"},"spec":{"size":3}})");
  ASSERT_EQ(c.status, 201) << c.body;
  nlohmann::json list = json(call("GET", "/apis/example.com/v1/widgets"));
  EXPECT_EQ(list["items"][0]["kind"], "Widget");  // CR list items keep kind
  EXPECT_EQ(call("PATCH", "/apis/example.com/v1/namespaces/default/widgets/w", "{}",
                 "application/strategic-merge-patch+json")
                .status,
            415);
  EXPECT_EQ(call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/"
                           "widgets.example.com")
                .status,
            200);
  EXPECT_EQ(call("GET", "/apis/example.com/v1/namespaces/default/widgets").status, 404);
}

// A CRD's structural schema prunes what it does not declare, on create and on a status
// update (preserve-unknown-fields keeps a subtree); with the status subresource a create
// drops status; and its additionalPrinterColumns are the
// Table's columns: Name plus the declared ones, dates as ages, absent values null.
TEST_F(ApiTest, CustomResourcesArePrunedAndPrintedByTheirSchema) {
  const char* crd = R"({"metadata":{"name":"gadgets.example.com"},"spec":{"group":"example.com",
    "scope":"Namespaced","names":{"plural":"gadgets","singular":"gadget","kind":"Gadget"},
    "versions":[{"name":"v1","served":true,"storage":true,"subresources":{"status":{}},
      "additionalPrinterColumns":[
        {"name":"Phase","type":"string","jsonPath":".status.phase"},
        {"name":"Count","type":"integer","jsonPath":".status.counts.done"},
        {"name":"Age","type":"date","jsonPath":".metadata.creationTimestamp"}],
      "schema":{"openAPIV3Schema":{"type":"object","properties":{
        "spec":{"type":"object","properties":{
          "size":{"type":"integer"},
          "labels":{"type":"object","additionalProperties":{"type":"string"}},
          "raw":{"type":"array","items":{"type":"object","x-kubernetes-preserve-unknown-fields":true}},
          "parts":{"type":"array","items":{"type":"object","properties":{"name":{"type":"string"}}}}}},
        "status":{"type":"object","properties":{"phase":{"type":"string"},
          "counts":{"type":"object","properties":{"done":{"type":"integer"}}}}}}}}}]}})";
  ASSERT_EQ(call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd).status,
            201);
  Response c = call("POST", "/apis/example.com/v1/namespaces/default/gadgets",
                    R"({"metadata":{"name":"g","labels":{"a":"b"}},"spec":{"size":3,"color":"red",
                        "labels":{"x":"y"},"raw":[{"any":{"thing":1}}],
                        "parts":[{"name":"p","weight":2}]},"extra":true,
                        "status":{"phase":"Done"}})");
  ASSERT_EQ(c.status, 201) << c.body;
  nlohmann::json g = json(c);
  EXPECT_EQ(g["spec"], nlohmann::json::parse(
      R"({"size":3,"labels":{"x":"y"},"raw":[{"any":{"thing":1}}],"parts":[{"name":"p"}]})"));
  EXPECT_FALSE(g.contains("extra"));
  EXPECT_FALSE(g.contains("status"));  // only /status writes status
  EXPECT_EQ(g["metadata"]["labels"]["a"], "b");  // metadata is the server's, never pruned

  nlohmann::json with_status = g;
  with_status["status"] = {{"phase", "Done"}, {"counts", {{"done", 4}, {"undone", 1}}}, {"x", 1}};
  Response u = call("PUT", "/apis/example.com/v1/namespaces/default/gadgets/g/status",
                    with_status.dump());
  ASSERT_EQ(u.status, 200) << u.body;
  EXPECT_EQ(json(u)["status"], nlohmann::json::parse(R"({"phase":"Done","counts":{"done":4}})"));
  ASSERT_EQ(call("POST", "/apis/example.com/v1/namespaces/default/gadgets",
                 R"({"metadata":{"name":"h"}})").status, 201);

  Request r;
  r.method = "GET";
  r.path = "/apis/example.com/v1/namespaces/default/gadgets";
  r.accept = "application/json;as=Table;v=v1;g=meta.k8s.io";
  nlohmann::json table = json(api.handle(r));
  ASSERT_EQ(table["kind"], "Table") << table.dump();
  std::vector<std::string> names;
  for (const auto& col : table["columnDefinitions"]) names.push_back(col["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"Name", "Phase", "Count", "Age"}));
  ASSERT_EQ(table["rows"].size(), 2u);
  const nlohmann::json& cells = table["rows"][0]["cells"];
  EXPECT_EQ(cells[0], "g");
  EXPECT_EQ(cells[1], "Done");
  EXPECT_EQ(cells[2], 4);
  EXPECT_TRUE(cells[3].is_string() && cells[3].get<std::string>().back() == 's') << cells;
  EXPECT_TRUE(table["rows"][1]["cells"][1].is_null());
}

// Aggregated discovery (wire reference §4.2): chosen by Accept (first acceptable wins), the
// core group alone on /api without a name, other groups on /apis with versions in preference
// order and subresources nested; plain JSON still gets the legacy documents.
TEST_F(ApiTest, AggregatedDiscoveryByAccept) {
  Request r;
  r.method = "GET";
  r.path = "/apis";
  r.accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
  Response apis = api.handle(r);
  ASSERT_EQ(apis.status, 200);
  EXPECT_EQ(apis.content_type, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  nlohmann::json doc = json(apis);
  EXPECT_EQ(doc["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(doc["apiVersion"], "apidiscovery.k8s.io/v2");
  nlohmann::json apps;
  for (const auto& item : doc["items"]) {
    EXPECT_TRUE(item["metadata"].contains("name"));
    if (item["metadata"]["name"] == "apps") {
      apps = item;
    }
  }
  ASSERT_TRUE(apps.is_object()) << doc.dump();
  EXPECT_EQ(apps["versions"][0]["version"], "v1");
  EXPECT_EQ(apps["versions"][0]["freshness"], "Current");
  nlohmann::json deploy;
  for (const auto& res : apps["versions"][0]["resources"]) {
    if (res["resource"] == "deployments") {
      deploy = res;
    }
  }
  ASSERT_TRUE(deploy.is_object());
  EXPECT_EQ(deploy["responseKind"], (nlohmann::json{{"group", "apps"}, {"version", "v1"},
                                                    {"kind", "Deployment"}}));
  EXPECT_EQ(deploy["scope"], "Namespaced");
  EXPECT_EQ(deploy["singularResource"], "deployment");
  EXPECT_EQ(deploy["shortNames"], nlohmann::json::array({"deploy"}));

  r.path = "/api";
  r.accept = "application/json;as=APIGroupDiscoveryList;v=v2beta1;g=apidiscovery.k8s.io";
  Response core = api.handle(r);
  EXPECT_EQ(core.content_type,
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
  doc = json(core);
  ASSERT_EQ(doc["items"].size(), 1u);
  EXPECT_FALSE(doc["items"][0]["metadata"].contains("name"));
  bool exec_nested = false;
  for (const auto& res : doc["items"][0]["versions"][0]["resources"]) {
    EXPECT_EQ(res["resource"].get<std::string>().find('/'), std::string::npos);
    if (res["resource"] == "pods") {
      for (const auto& sub : res["subresources"]) {
        exec_nested = exec_nested || (sub["subresource"] == "exec" &&
                                      sub["responseKind"]["kind"] == "PodExecOptions");
      }
    }
  }
  EXPECT_TRUE(exec_nested);

  for (const char* legacy : {"application/json", "application/json, application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList", "*/*", ""}) {
    SCOPED_TRACE(legacy);
    r.accept = legacy;
    Response l = api.handle(r);
    EXPECT_EQ(l.content_type, "application/json");
    EXPECT_EQ(json(l)["kind"], "APIVersions");
  }
  api.set_aggregated_discovery(false);
  r.accept = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";
  EXPECT_EQ(json(api.handle(r))["kind"], "APIVersions");
}

// SelfSubjectAccessReview: kubesim's one user may do everything, so a well-formed review is
// allowed (201, the spec echoed, nothing stored); a review naming neither attribute kind is
// 422 as on a real server; the resource is create-only in discovery and on the wire.
TEST_F(ApiTest, SelfSubjectAccessReviewAllowsTheOneUser) {
  const std::string path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews";
  Response r = call("POST", path,
                    R"({"apiVersion":"authorization.k8s.io/v1","kind":"SelfSubjectAccessReview",)"
                    R"("spec":{"resourceAttributes":{"verb":"create","resource":"pods",)"
                    R"("subresource":"exec","namespace":"default"}}})");
  ASSERT_EQ(r.status, 201) << r.body;
  nlohmann::json o = json(r);
  EXPECT_EQ(o["kind"], "SelfSubjectAccessReview");
  EXPECT_EQ(o["apiVersion"], "authorization.k8s.io/v1");
  EXPECT_EQ(o["status"]["allowed"], true);
  EXPECT_EQ(o["spec"]["resourceAttributes"]["subresource"], "exec");

  Response non_resource = call(
      "POST", path, R"({"spec":{"nonResourceAttributes":{"path":"/version","verb":"get"}}})");
  ASSERT_EQ(non_resource.status, 201) << non_resource.body;
  EXPECT_EQ(json(non_resource)["status"]["allowed"], true);

  Response empty = call("POST", path, R"({"spec":{}})");
  ASSERT_EQ(empty.status, 422) << empty.body;
  EXPECT_EQ(json(empty)["reason"], "Invalid");
  EXPECT_EQ(json(empty)["message"],
            "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: "
            "spec.resourceAttributes: Invalid value: \"null\": exactly one of "
            "nonResourceAttributes or resourceAttributes must be specified");

  EXPECT_EQ(call("GET", path).status, 405);
  nlohmann::json resources = json(call("GET", "/apis/authorization.k8s.io/v1"))["resources"];
  ASSERT_EQ(resources.size(), 1u) << resources.dump();
  EXPECT_EQ(resources[0]["name"], "selfsubjectaccessreviews");
  EXPECT_EQ(resources[0]["namespaced"], false);
  EXPECT_EQ(resources[0]["verbs"], nlohmann::json::array({"create"}));
}

TEST(ContinueToken, RoundTripsAndRejectsGarbage) {
  auto t = decode_continue(encode_continue({42, "ns/name"}));
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->rv, 42);
  EXPECT_EQ(t->start, "ns/name");
  EXPECT_FALSE(decode_continue("bm90IGpzb24").has_value());
}

}  // namespace
}  // namespace stillpoint::kubesim
