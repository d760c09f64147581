// coordination.k8s.io/v1 Leases, the lock of leader election: served as a real 1.20 server
// serves them (discovery, CRUD, watch) with optimistic concurrency on PUT and on a patch that
// carries metadata.resourceVersion, which is what two candidates racing for a lease rely on.
#include <gtest/gtest.h>

#include "api.h"

namespace stillpoint::kubesim {
namespace {

const std::string kLeases = "/apis/coordination.k8s.io/v1/namespaces/default/leases";

class LeaseTest : public ::testing::Test {
 protected:
  LeaseTest() { call("POST", "/api/v1/namespaces", R"({"metadata":{"name":"default"}})"); }
  Response call(const std::string& method,
                const std::string& path,
                const std::string& body = "",
                const std::string& content_type = "application/json") {
    Request r;
    r.method = method;
    r.path = path;
    r.body = body;
    r.content_type = content_type;
    return api.handle(r);
  }
  static nlohmann::json json(const Response& r) { return nlohmann::json::parse(r.body); }

  Store store;
  Registry registry;
  Api api{store, registry};
};

// Discovery lists leases in coordination.k8s.io/v1, namespaced, with every verb.
TEST_F(LeaseTest, DiscoveryServesLeases) {
  Response r = call("GET", "/apis/coordination.k8s.io/v1");
  ASSERT_EQ(r.status, 200) << r.body;
  const nlohmann::json list = json(r);
  nlohmann::json lease;
  for (const auto& res : list["resources"]) {
    if (res["name"] == "leases")
      lease = res;
  }
  ASSERT_TRUE(lease.is_object()) << r.body;
  EXPECT_EQ(lease["kind"], "Lease");
  EXPECT_EQ(lease["namespaced"], true);
  EXPECT_EQ(lease["verbs"].size(), 8u);
  bool grouped = false;
  const nlohmann::json groups = json(call("GET", "/apis"));
  for (const auto& g : groups["groups"]) {
    grouped =
        grouped || (g["name"] == "coordination.k8s.io" && g["preferredVersion"]["version"] == "v1");
  }
  EXPECT_TRUE(grouped);
}

// Create, get, PUT and merge patch with a stale resourceVersion are 409 Conflict; with the
// current one they apply; delete removes the lease.
TEST_F(LeaseTest, WritesAreOptimisticallyConcurrent) {
  Response created = call("POST", kLeases,
                          R"({"metadata":{"name":"lock"},"spec":{"holderIdentity":"a",
                              "leaseDurationSeconds":15,"leaseTransitions":0}})");
  ASSERT_EQ(created.status, 201) << created.body;
  nlohmann::json lease = json(created);
  EXPECT_EQ(lease["kind"], "Lease");
  EXPECT_EQ(lease["apiVersion"], "coordination.k8s.io/v1");
  const std::string rv0 = lease["metadata"]["resourceVersion"];
  EXPECT_EQ(call("POST", kLeases, R"({"metadata":{"name":"lock"}})").status, 409);

  nlohmann::json put = lease;
  put["spec"]["holderIdentity"] = "b";
  Response updated = call("PUT", kLeases + "/lock", put.dump());
  ASSERT_EQ(updated.status, 200) << updated.body;
  const std::string rv1 = json(updated)["metadata"]["resourceVersion"];
  EXPECT_NE(rv1, rv0);
  Response stale_put = call("PUT", kLeases + "/lock", put.dump());  // still carries rv0
  EXPECT_EQ(stale_put.status, 409);
  EXPECT_EQ(json(stale_put)["reason"], "Conflict");

  const std::string stale_patch =
      R"({"metadata":{"resourceVersion":")" + rv0 + R"("},"spec":{"holderIdentity":"c"}})";
  Response p = call("PATCH", kLeases + "/lock", stale_patch, "application/merge-patch+json");
  EXPECT_EQ(p.status, 409) << p.body;
  EXPECT_EQ(json(p)["reason"], "Conflict");
  EXPECT_EQ(json(call("GET", kLeases + "/lock"))["spec"]["holderIdentity"], "b");

  const std::string fresh_patch =
      R"({"metadata":{"resourceVersion":")" + rv1 + R"("},"spec":{"holderIdentity":"c"}})";
  Response ok = call("PATCH", kLeases + "/lock", fresh_patch, "application/merge-patch+json");
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(json(ok)["spec"]["holderIdentity"], "c");
  EXPECT_EQ(json(ok)["spec"]["leaseDurationSeconds"], 15);

  EXPECT_EQ(call("DELETE", kLeases + "/lock").status, 200);
  EXPECT_EQ(call("GET", kLeases + "/lock").status, 404);
}

// A watch on leases delivers their changes.
TEST_F(LeaseTest, WatchDeliversLeaseChanges) {
  Response created = call("POST", kLeases, R"({"metadata":{"name":"lock"},"spec":{}})");
  ASSERT_EQ(created.status, 201);
  const std::string rv = json(created)["metadata"]["resourceVersion"];
  call("PATCH", kLeases + "/lock", R"({"spec":{"holderIdentity":"a"}})",
       "application/merge-patch+json");
  Request w;
  w.method = "GET";
  w.path = kLeases;
  w.query = {{"watch", "1"}, {"resourceVersion", rv}};
  auto t = std::get<Target>(api.resolve(w));
  auto start = std::get<WatchStart>(api.start_watch(w, t));
  EXPECT_NE(start.initial.find("\"MODIFIED\""), std::string::npos) << start.initial;
  EXPECT_NE(start.initial.find("\"holderIdentity\":\"a\""), std::string::npos);
}

// `kubectl get leases` (a Table) shows the holder, as a real server's Lease table does.
TEST_F(LeaseTest, TableShowsTheHolder) {
  call("POST", kLeases, R"({"metadata":{"name":"lock"},"spec":{"holderIdentity":"host_1"}})");
  Request r;
  r.method = "GET";
  r.path = kLeases;
  r.accept = "application/json;as=Table;v=v1;g=meta.k8s.io";
  const nlohmann::json table = json(api.handle(r));
  ASSERT_EQ(table["kind"], "Table") << table.dump();
  EXPECT_EQ(table["columnDefinitions"][1]["name"], "Holder");
  EXPECT_EQ(table["rows"][0]["cells"][0], "lock");
  EXPECT_EQ(table["rows"][0]["cells"][1], "host_1");
}

}  // namespace
}  // namespace stillpoint::kubesim
