// RestClient against kubesim: paged lists (restart on an expired continue token, selectors),
// the write verbs and their errors, and watch resume / 410 handling.
#include "kube/rest_client.h"

#include <set>

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <gtest/gtest.h>

#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

using core::ErrorCode;
using nlohmann::json;
using testing::KubesimEnv;

const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

ListOptions in_namespace(std::string ns) {
  ListOptions o;
  o.namespace_name = std::move(ns);
  return o;
}
const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
const GroupVersionResource kDeployments{"apps", "v1", "deployments"};

json config_map(const std::string& name, json labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", std::move(labels)}}},
          {"data", {{"key", "value-" + name}}}};
}

class RestClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(env_.started());
    TransportOptions fast;
    fast.qps = 1e6;  // creating thousands of fixtures should not wait for the limiter
    fast.burst = 1000000;
    http_ = env_.client(env_.config(), fast);
    ASSERT_NE(http_, nullptr);
    rest_ = std::make_unique<RestClient>(http_);
  }

  void create_namespace(const std::string& name) {
    auto r = env_.run(rest_->create(kNamespaces, "", {{"metadata", {{"name", name}}}}));
    ASSERT_TRUE(r) << r.error().message;
  }

  void create_config_maps(const std::string& ns, int count) {
    for (int i = 0; i < count; ++i) {
      auto r = env_.run(rest_->create(kConfigMaps, ns, config_map("cm-" + std::to_string(i))));
      ASSERT_TRUE(r) << r.error().message;
    }
  }

  KubesimEnv env_;
  std::shared_ptr<HttpClient> http_;
  std::unique_ptr<RestClient> rest_;
};

// A list of more objects than a page holds arrives complete, each item exactly once, with
// kind and apiVersion filled in, over as many pages as the page size implies. (Every
// namespace also holds the kube-root-ca.crt ConfigMap, as on a real cluster.)
TEST_F(RestClientTest, ListPagesThroughTwoThousandObjects) {
  create_namespace("many");
  create_config_maps("many", 2000);
  std::set<std::string> names;
  bool all_typed = true;
  ListOptions options;
  options.namespace_name = "many";
  options.page_size = 150;
  auto summary = env_.run(rest_->list(kConfigMaps, options, [&](json item) -> core::Status {
    all_typed = all_typed && item["kind"] == "ConfigMap" && item["apiVersion"] == "v1";
    names.insert(item["metadata"]["name"].get<std::string>());
    return core::ok();
  }));
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->items, 2001u);
  EXPECT_EQ(names.size(), 2001u);
  EXPECT_EQ(summary->pages, 14u);  // ceil(2001 / 150)
  EXPECT_EQ(summary->restarts, 0u);
  EXPECT_FALSE(summary->resource_version.empty());
  EXPECT_TRUE(all_typed);
}

// A 410 Expired on a continue token starts the list over from the first page, and the
// restart is counted; the items of the final pass are all there.
TEST_F(RestClientTest, ExpiredContinueTokenRestartsTheList) {
  create_namespace("exp");
  create_config_maps("exp", 50);
  env_.fault({{"path", "/api/v1/namespaces/exp/configmaps"},
              {"query", "continue="},
              {"status", 410},
              {"count", 1}});
  std::vector<std::string> delivered;
  ListOptions options;
  options.namespace_name = "exp";
  options.page_size = 20;
  auto summary = env_.run(rest_->list(kConfigMaps, options, [&](json item) -> core::Status {
    delivered.push_back(item["metadata"]["name"].get<std::string>());
    return core::ok();
  }));
  ASSERT_TRUE(summary) << summary.error().message;
  EXPECT_EQ(summary->restarts, 1u);
  // First pass: page 1 (20 items), then 410. Second pass: all 50 and kube-root-ca.crt.
  EXPECT_EQ(delivered.size(), 71u);
  EXPECT_EQ(std::set<std::string>(delivered.begin(), delivered.end()).size(), 51u);
  EXPECT_EQ(summary->pages, 4u);
}

// A 410 on the first page (no continue token) is not a restartable expiry: it is returned.
TEST_F(RestClientTest, GoneWithoutContinueTokenIsAnError) {
  env_.fault({{"path", "/api/v1/namespaces/default/configmaps"}, {"status", 410}});
  auto r =
      env_.run(rest_->list(kConfigMaps, in_namespace("default"), [](json) { return core::ok(); }));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Gone);
  EXPECT_EQ(r.error().message.rfind("list configmaps in namespace default: ", 0), 0u)
      << r.error().message;
}

// Label selectors (set-based, with spaces and parentheses) are percent-encoded and applied by
// the server; an empty namespace lists across namespaces.
TEST_F(RestClientTest, LabelSelectorAcrossNamespaces) {
  create_namespace("a");
  create_namespace("b");
  for (const auto& ns : {"a", "b"}) {
    ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, ns, config_map("db", {{"tier", "db"}}))));
    ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, ns, config_map("web", {{"tier", "web"}}))));
    ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, ns, config_map("none"))));
  }
  std::set<std::string> got;
  ListOptions options;
  options.label_selector = "tier in (db, cache)";
  auto r = env_.run(rest_->list(kConfigMaps, options, [&](json item) -> core::Status {
    got.insert(item["metadata"]["namespace"].get<std::string>() + "/" +
               item["metadata"]["name"].get<std::string>());
    return core::ok();
  }));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(got, (std::set<std::string>{"a/db", "b/db"}));

  got.clear();
  options.label_selector = "!tier";
  options.field_selector = "metadata.namespace=b";
  r = env_.run(rest_->list(kConfigMaps, options, [&](json item) -> core::Status {
    got.insert(item["metadata"]["namespace"].get<std::string>() + "/" +
               item["metadata"]["name"].get<std::string>());
    return core::ok();
  }));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(got, (std::set<std::string>{"b/kube-root-ca.crt", "b/none"}));
}

// An error from the item callback stops the list and is returned unchanged.
TEST_F(RestClientTest, CallbackErrorStopsTheList) {
  create_namespace("stop");
  create_config_maps("stop", 10);
  int seen = 0;
  ListOptions options;
  options.namespace_name = "stop";
  options.page_size = 3;
  auto r = env_.run(rest_->list(kConfigMaps, options, [&](json) -> core::Status {
    if (++seen == 4) {
      return core::unexpected(ErrorCode::Io, "disk full");
    }
    return core::ok();
  }));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::Io);
  EXPECT_EQ(r.error().message, "disk full");
  EXPECT_EQ(seen, 4);
}

// get of a missing object is NotFound with the server's message and what was being done.
TEST_F(RestClientTest, GetMissingIsNotFound) {
  auto r = env_.run(rest_->get(kConfigMaps, "default", "nope"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("get configmaps nope in namespace default: "), std::string::npos)
      << r.error().message;
  EXPECT_NE(r.error().message.find("configmaps \"nope\" not found"), std::string::npos)
      << r.error().message;

  auto d = env_.run(rest_->get(kDeployments, "default", "nope"));
  ASSERT_FALSE(d);
  EXPECT_NE(d.error().message.find("get deployments.apps nope"), std::string::npos)
      << d.error().message;
}

// create returns the stored object; creating it again is a Conflict (AlreadyExists).
TEST_F(RestClientTest, CreateThenAlreadyExists) {
  auto r = env_.run(rest_->create(kConfigMaps, "default", config_map("twice")));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_FALSE((*r)["metadata"]["uid"].get<std::string>().empty());
  EXPECT_EQ((*r)["metadata"]["namespace"], "default");
  auto again = env_.run(rest_->create(kConfigMaps, "default", config_map("twice")));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  EXPECT_NE(again.error().message.find("AlreadyExists"), std::string::npos)
      << again.error().message;
}

// update with the current resourceVersion succeeds; with a stale one it is a Conflict.
TEST_F(RestClientTest, UpdateWithStaleResourceVersionConflicts) {
  auto created = env_.run(rest_->create(kConfigMaps, "default", config_map("upd")));
  ASSERT_TRUE(created) << created.error().message;
  json next = *created;
  next["data"]["key"] = "v2";
  auto updated = env_.run(rest_->update(kConfigMaps, "default", next));
  ASSERT_TRUE(updated) << updated.error().message;
  EXPECT_EQ((*updated)["data"]["key"], "v2");
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], (*created)["metadata"]["resourceVersion"]);

  next["data"]["key"] = "v3";  // still carries the first resourceVersion
  auto stale = env_.run(rest_->update(kConfigMaps, "default", next));
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::Conflict);
  EXPECT_NE(stale.error().message.find("the object has been modified"), std::string::npos)
      << stale.error().message;
}

// Merge patch (null deletes a key) and JSON patch (with ~1 escapes) each take effect; a
// strategic patch on a built-in merges containers by name.
TEST_F(RestClientTest, MergeJsonAndStrategicPatches) {
  ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, "default", config_map("p"))));
  auto merged = env_.run(rest_->patch(kConfigMaps, "default", "p", PatchType::Merge,
                                      {{"data", {{"key", nullptr}, {"added", "1"}}}}));
  ASSERT_TRUE(merged) << merged.error().message;
  EXPECT_EQ((*merged)["data"], (json{{"added", "1"}}));

  auto patched = env_.run(rest_->patch(
      kConfigMaps, "default", "p", PatchType::Json,
      json::array(
          {{{"op", "add"}, {"path", "/metadata/annotations"}, {"value", {{"example.com/x", "y"}}}},
           {{"op", "replace"},
            {"path", "/metadata/annotations/example.com~1x"},
            {"value", "z"}}})));
  ASSERT_TRUE(patched) << patched.error().message;
  EXPECT_EQ((*patched)["metadata"]["annotations"]["example.com/x"], "z");

  auto bad = env_.run(rest_->patch(kConfigMaps, "default", "p", PatchType::Json,
                                   json::array({{{"op", "remove"}, {"path", "/nothing/here"}}})));
  EXPECT_FALSE(bad);

  // Strategic: containers merge by name (a merge patch would replace the whole list).
  json deployment = {
      {"metadata", {{"name", "sp"}}},
      {"spec",
       {{"selector", {{"matchLabels", {{"app", "sp"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "sp"}}}}},
          {"spec",
           {{"containers", json::array({{{"name", "app"}, {"image", "debian"}},
                                        {{"name", "sidecar"}, {"image", "busybox"}}})}}}}}}}};
  ASSERT_TRUE(env_.run(rest_->create(kDeployments, "default", deployment)));
  auto strategic = env_.run(rest_->patch(
      kDeployments, "default", "sp", PatchType::Strategic,
      {{"spec",
        {{"template",
          {{"spec",
            {{"containers", json::array({{{"name", "app"}, {"image", "debian:12"}}})}}}}}}}}));
  ASSERT_TRUE(strategic) << strategic.error().message;
  const json& containers = (*strategic)["spec"]["template"]["spec"]["containers"];
  ASSERT_EQ(containers.size(), 2u) << containers;
  EXPECT_EQ(containers[0]["image"], "debian:12");
  EXPECT_EQ(containers[1]["name"], "sidecar");
}

// Server-side apply creates the object when absent and changes it when present.
TEST_F(RestClientTest, ApplyCreatesThenUpdates) {
  json object = config_map("applied");
  object["metadata"]["namespace"] = "default";
  auto first = env_.run(rest_->apply(kConfigMaps, "", object, "stillpoint-test"));
  ASSERT_TRUE(first) << first.error().message;
  object["data"]["key"] = "second";
  auto second = env_.run(rest_->apply(kConfigMaps, "default", object, "stillpoint-test", true));
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ((*second)["data"]["key"], "second");
  auto no_manager = env_.run(rest_->apply(kConfigMaps, "default", object, ""));
  ASSERT_FALSE(no_manager);
  EXPECT_EQ(no_manager.error().code, ErrorCode::InvalidArgument);
}

// delete succeeds (whichever shape the server answers with); a later get is NotFound and a
// second delete is NotFound.
TEST_F(RestClientTest, DeleteThenGetIsNotFound) {
  ASSERT_TRUE(env_.run(rest_->create(kConfigMaps, "default", config_map("gone"))));
  auto removed = env_.run(rest_->remove(kConfigMaps, "default", "gone"));
  ASSERT_TRUE(removed) << removed.error().message;
  auto r = env_.run(rest_->get(kConfigMaps, "default", "gone"));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, ErrorCode::NotFound);
  auto again = env_.run(rest_->remove(kConfigMaps, "default", "gone", "Foreground"));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
  EXPECT_NE(again.error().message.find("delete configmaps gone in namespace default"),
            std::string::npos)
      << again.error().message;
}

}  // namespace
}  // namespace stillpoint::kube
