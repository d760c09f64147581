// discover() against kubesim: the resources kubectl would see, name resolution as a user types
// it, custom resources after their CRD is created, and a failing group version that becomes a
// warning instead of an error.
#include "kube/discovery.h"

#include <gtest/gtest.h>

#include "unit/kube/kubesim_harness.h"

namespace stillpoint::kube {
namespace {

using nlohmann::json;
using testing::KubesimEnv;

json widget_crd() {
  return json::parse(R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "widgets.example.com"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "widgets", "singular": "widget", "kind": "Widget",
                       "shortNames": ["wdg"], "listKind": "WidgetList"},
             "versions": [
               {"name": "v2", "served": true, "storage": true,
                "schema": {"openAPIV3Schema": {"type": "object",
                           "x-kubernetes-preserve-unknown-fields": true}}},
               {"name": "v1", "served": true, "storage": false,
                "schema": {"openAPIV3Schema": {"type": "object",
                           "x-kubernetes-preserve-unknown-fields": true}}}]}})");
}

// Built-in resources resolve by plural, singular, short name, kind and qualified forms; each
// is at its preferred version with its scope; subresources are not resources. The same from
// the aggregated and the legacy documents.
class DiscoveryBothProtocols : public ::testing::TestWithParam<bool> {};

TEST_P(DiscoveryBothProtocols, FindsBuiltinsByEveryName) {
  KubesimEnv env(false, /*aggregated_discovery=*/GetParam());
  ASSERT_TRUE(env.started());
  auto http = env.client();
  auto d = env.run(discover(*http));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->aggregated, GetParam());
  EXPECT_TRUE(d->warnings.empty());
  // "pods.v1." is kubectl's way to name the core group's version explicitly.
  for (const char* name : {"pods", "pod", "po", "Pod", "PODS", "pods.v1."}) {
    SCOPED_TRACE(name);
    const ApiResource* r = d->find(name);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->gvr.resource, "pods");
    EXPECT_EQ(r->gvr.api_version(), "v1");
    EXPECT_EQ(r->kind, "Pod");
    EXPECT_TRUE(r->namespaced);
    EXPECT_TRUE(r->has_verb("list"));
  }
  for (const char* name : {"deploy", "deployments", "Deployment", "deployments.apps",
                           "deployment.apps", "deployments.v1.apps"}) {
    SCOPED_TRACE(name);
    const ApiResource* r = d->find(name);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->group_resource(), "deployments.apps");
    EXPECT_EQ(r->gvr.api_version(), "apps/v1");
  }
  const ApiResource* ns = d->find("ns");
  ASSERT_NE(ns, nullptr);
  EXPECT_FALSE(ns->namespaced);
  EXPECT_EQ(d->find("deployments.v2.apps"), nullptr);
  EXPECT_EQ(d->find("pods/exec"), nullptr);
  EXPECT_EQ(d->find("pods.v2."), nullptr);
  EXPECT_EQ(d->find("pods.apps"), nullptr);
  EXPECT_EQ(d->find("nothing"), nullptr);
  for (const auto& r : d->resources) {
    EXPECT_EQ(r.gvr.resource.find('/'), std::string::npos) << r.gvr.resource;
  }
}

// Once a CRD exists its resource is discovered at the first (preferred) served version.
TEST_P(DiscoveryBothProtocols, FindsCustomResourcesAfterCrdCreation) {
  KubesimEnv env(false, /*aggregated_discovery=*/GetParam());
  ASSERT_TRUE(env.started());
  auto http = env.client();
  auto before = env.run(discover(*http));
  ASSERT_TRUE(before) << before.error().message;
  EXPECT_EQ(before->find("widgets"), nullptr);

  HttpRequest create;
  create.method = "POST";
  create.target = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  create.content_type = "application/json";
  create.body = widget_crd().dump();
  auto created = env.run(http->request(create));
  ASSERT_TRUE(created) << created.error().message;

  auto d = env.run(discover(*http));
  ASSERT_TRUE(d) << d.error().message;
  for (const char* name :
       {"widgets", "widget", "wdg", "Widget", "widgets.example.com", "widgets.v2.example.com"}) {
    SCOPED_TRACE(name);
    const ApiResource* r = d->find(name);
    ASSERT_NE(r, nullptr);
    EXPECT_EQ(r->gvr.group, "example.com");
    EXPECT_EQ(r->gvr.version, "v2");
    EXPECT_EQ(r->kind, "Widget");
    EXPECT_TRUE(r->namespaced);
  }
  EXPECT_EQ(d->find("widgets.v1.example.com"), nullptr);  // served, but not preferred
  ASSERT_NE(d->find("crd"), nullptr);
  EXPECT_EQ(d->find("crd")->group_resource(), "customresourcedefinitions.apiextensions.k8s.io");
}

INSTANTIATE_TEST_SUITE_P(Discovery,
                         DiscoveryBothProtocols,
                         ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Aggregated" : "Legacy"; });

// Legacy discovery: a group version whose document fails (an aggregated API server down:
// 503) is skipped with a warning naming it; everything else is still discovered.
TEST(Discovery, FailingGroupVersionIsAWarning) {
  KubesimEnv env(false, /*aggregated_discovery=*/false);
  ASSERT_TRUE(env.started());
  env.fault({{"path", "/apis/batch/v1"}, {"status", 503}, {"count", -1}});
  auto http = env.client();
  auto d = env.run(discover(*http));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_EQ(d->find("jobs"), nullptr);
  EXPECT_NE(d->find("deploy"), nullptr);
  ASSERT_EQ(d->warnings.size(), 1u);
  EXPECT_NE(d->warnings[0].find("batch/v1"), std::string::npos) << d->warnings[0];
}

// A server that answers aggregated needs two requests (/api, /apis); one that serves only
// the legacy documents is read through them, one request per group version.
TEST(Discovery, AggregatedWhenOfferedElseLegacyFallback) {
  KubesimEnv aggregated;
  ASSERT_TRUE(aggregated.started());
  auto http = aggregated.client();
  auto d = aggregated.run(discover(*http));
  ASSERT_TRUE(d) << d.error().message;
  EXPECT_TRUE(d->aggregated);
  EXPECT_EQ(http->stats().requests_sent, 2u);
  EXPECT_NE(d->find("pods"), nullptr);

  KubesimEnv legacy(false, /*aggregated_discovery=*/false);
  ASSERT_TRUE(legacy.started());
  auto legacy_http = legacy.client();
  auto l = legacy.run(discover(*legacy_http));
  ASSERT_TRUE(l) << l.error().message;
  EXPECT_FALSE(l->aggregated);
  EXPECT_GT(legacy_http->stats().requests_sent, 3u);  // /api, /api/v1, /apis, /apis/g/v...
  EXPECT_NE(l->find("pods"), nullptr);
  EXPECT_EQ(l->resources.size(), d->resources.size());
}

}  // namespace
}  // namespace stillpoint::kube
