// Discovery documents as a real API server sends them (wire reference §4, canned), parsed
// without a network: content-type detection, aggregated and legacy shapes, name resolution.
#include "kube/discovery_documents.h"

#include <gtest/gtest.h>

namespace stillpoint::kube {
namespace {

using nlohmann::json;

// §4.2: the apps group, v1 preferred over a hypothetical v1beta2 listed after it.
const char* kAggregatedApis =
    R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},
 "items":[{"metadata":{"name":"apps","creationTimestamp":null},
   "versions":[{"version":"v1","freshness":"Current","resources":[
     {"resource":"deployments","responseKind":{"group":"apps","version":"v1","kind":"Deployment"},
      "scope":"Namespaced","singularResource":"deployment",
      "verbs":["create","delete","deletecollection","get","list","patch","update","watch"],
      "shortNames":["deploy"],"categories":["all"],
      "subresources":[{"subresource":"scale","responseKind":{"group":"autoscaling","version":"v1","kind":"Scale"},"verbs":["get","patch","update"]},
                      {"subresource":"status","responseKind":{"group":"apps","version":"v1","kind":"Deployment"},"verbs":["get","patch","update"]}]}]},
     {"version":"v1beta2","freshness":"Current","resources":[
     {"resource":"deployments","responseKind":{"group":"apps","version":"v1beta2","kind":"Deployment"},
      "scope":"Namespaced","singularResource":"deployment","verbs":["get"]}]}]},
  {"metadata":{"name":"metrics.k8s.io"},
   "versions":[{"version":"v1beta1","freshness":"Stale","resources":[]}]}]})";

const char* kAggregatedCore =
    R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2","metadata":{},
 "items":[{"metadata":{"creationTimestamp":null},"versions":[{"version":"v1","resources":[
   {"resource":"pods","responseKind":{"group":"","version":"v1","kind":"Pod"},"scope":"Namespaced",
    "singularResource":"pod","verbs":["create","delete","get","list","watch"],"shortNames":["po"],
    "subresources":[{"subresource":"exec","responseKind":{"group":"","version":"v1","kind":"PodExecOptions"},"verbs":["create","get"]}]},
   {"resource":"namespaces","responseKind":{"group":"","version":"v1","kind":"Namespace"},"scope":"Cluster",
    "singularResource":"namespace","verbs":["get","list"],"shortNames":["ns"]}]}]}]})";

// The server's Content-Type decides the parser: parameters in any order, extras tolerated.
TEST(DiscoveryDocuments, AggregatedContentTypeDetection) {
  EXPECT_TRUE(is_aggregated_discovery(
      "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"));
  EXPECT_TRUE(
      is_aggregated_discovery("application/json; as=APIGroupDiscoveryList; charset=utf-8; "
                              "v=v2beta1; g=apidiscovery.k8s.io"));
  EXPECT_FALSE(is_aggregated_discovery("application/json"));
  EXPECT_FALSE(is_aggregated_discovery(
      "application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList"));
  EXPECT_FALSE(is_aggregated_discovery("application/json;g=apidiscovery.k8s.io;v=v2;as=Table"));
  EXPECT_FALSE(
      is_aggregated_discovery("text/plain;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"));
}

// Preferred (first) version only, subresources dropped, stale versions become warnings.
TEST(DiscoveryDocuments, AggregatedPreferredVersionsOnly) {
  DiscoveryResult d;
  ASSERT_TRUE(parse_aggregated(json::parse(kAggregatedCore), &d));
  ASSERT_TRUE(parse_aggregated(json::parse(kAggregatedApis), &d));
  ASSERT_EQ(d.resources.size(), 3u);
  EXPECT_EQ(d.resources[0].gvr.resource, "pods");
  EXPECT_EQ(d.resources[0].gvr.group, "");
  EXPECT_EQ(d.resources[1].gvr.resource, "namespaces");
  EXPECT_FALSE(d.resources[1].namespaced);
  const ApiResource* deploy = d.find("deploy");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ(deploy->gvr.version, "v1");
  EXPECT_EQ(deploy->kind, "Deployment");
  EXPECT_EQ(deploy->singular, "deployment");
  EXPECT_TRUE(deploy->has_verb("deletecollection"));
  EXPECT_EQ(d.find("pods/exec"), nullptr);
  EXPECT_EQ(d.find("deployments.v1beta2.apps"), nullptr);
  ASSERT_EQ(d.warnings.size(), 1u);
  EXPECT_NE(d.warnings[0].find("metrics.k8s.io/v1beta1"), std::string::npos);
  DiscoveryResult bad;
  EXPECT_FALSE(parse_aggregated(json::parse(R"({"kind":"APIGroupList","groups":[]})"), &bad));
}

// §4.1: APIVersions without apiVersion, an APIGroupList, resource lists with subresources.
TEST(DiscoveryDocuments, LegacyDocuments) {
  auto versions = parse_api_versions(json::parse(
      R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":"10.0.0.1:6443"}]})"));
  ASSERT_TRUE(versions);
  EXPECT_EQ(*versions, std::vector<std::string>{"v1"});

  auto groups = parse_api_group_list(json::parse(
      R"({"kind":"APIGroupList","apiVersion":"v1","groups":[
        {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
        {"name":"example.com","versions":[{"groupVersion":"example.com/v2","version":"v2"},{"groupVersion":"example.com/v1","version":"v1"}]}]})"));
  ASSERT_TRUE(groups);
  ASSERT_EQ(groups->size(), 2u);
  EXPECT_EQ((*groups)[0].group, "apps");
  EXPECT_EQ((*groups)[1].version, "v2");  // no preferredVersion: the first listed

  DiscoveryResult d;
  ASSERT_TRUE(
      parse_resource_list(json::parse(R"({"kind":"APIResourceList","groupVersion":"v1","resources":[
      {"name":"pods","singularName":"pod","namespaced":true,"kind":"Pod","verbs":["create","delete","get","list"],"shortNames":["po"]},
      {"name":"pods/exec","singularName":"","namespaced":true,"kind":"PodExecOptions","verbs":["create","get"]},
      {"name":"nodes","singularName":"","namespaced":false,"kind":"Node","verbs":["get","list"],"shortNames":["no"]}]})"),
                          "", "v1", &d));
  ASSERT_EQ(d.resources.size(), 2u);
  EXPECT_NE(d.find("po"), nullptr);
  ASSERT_NE(d.find("node"), nullptr);  // empty singularName: the kind still resolves
  EXPECT_FALSE(d.find("Node")->namespaced);
  EXPECT_FALSE(parse_resource_list(json::parse("{}"), "apps", "v1", &d));
  EXPECT_FALSE(parse_api_group_list(json::parse("[]")));
}

// A core resource wins over a same-named group resource unless the group is given.
TEST(DiscoveryDocuments, FindPrefersCoreAndHonoursGroups) {
  DiscoveryResult d;
  d.resources.push_back({{"", "v1", "events"}, "Event", "event", true, {"get"}, {"ev"}});
  d.resources.push_back(
      {{"events.k8s.io", "v1", "events"}, "Event", "event", true, {"get"}, {"ev"}});
  ASSERT_NE(d.find("events"), nullptr);
  EXPECT_EQ(d.find("events")->gvr.group, "");
  ASSERT_NE(d.find("events.events.k8s.io"), nullptr);
  EXPECT_EQ(d.find("events.events.k8s.io")->gvr.group, "events.k8s.io");
  EXPECT_EQ(d.find("ev.v1.events.k8s.io")->group_resource(), "events.events.k8s.io");
}

}  // namespace
}  // namespace stillpoint::kube
