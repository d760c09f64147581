// RestoreRunner in-process: a backup of one FakeCluster (made by BackupRunner into a
// MemoryStore) restored into another, with FakePodExec and FakeClock. The rules of a
// restore's orchestration that otherwise only the binary against kubesim covers.
#include <algorithm>

#include "unit/orchestration/harness.h"

namespace stillpoint::testing {
namespace {

using restore::RestoreOutcome;
using restore::RestoreRunner;

// Backs up everything in `h.cluster` as `name`.
void back_up(Harness& h, const std::string& name) {
  backup::BackupRunner runner(h.backup_env(), backup_request(name));
  auto result = h.run(runner.run());
  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  ASSERT_EQ((*result)->status.phase, catalog::Phase::Completed);
}

// Where `call` is in `calls`; calls.size() when absent.
size_t position(const std::vector<std::string>& calls, const std::string& call) {
  return std::find(calls.begin(), calls.end(), call) - calls.begin();
}

json widget_crd() {
  return {{"apiVersion", "apiextensions.k8s.io/v1"},
          {"kind", "CustomResourceDefinition"},
          {"metadata", {{"name", "widgets.example.com"}}},
          {"spec",
           {{"group", "example.com"},
            {"scope", "Namespaced"},
            {"names", {{"plural", "widgets"}, {"kind", "Widget"}}},
            {"versions", {{{"name", "v1"}, {"served", true}, {"storage", true}}}}}}};
}

// CRDs are created first, and their custom resources once the CRD is Established and served;
// the other types follow Velero's priority order (namespaces, service accounts, secrets,
// config maps, pods, then the rest).
TEST(RestoreOrchestration, CrdsComeBeforeTheirResourcesAndTypesInPriorityOrder) {
  Harness h;
  h.cluster.update("customresourcedefinitions", widget_crd());
  h.cluster.serve(FakeCluster::resource("example.com", "v1", "widgets", "Widget", true));
  h.cluster.update("namespaces", namespace_object("app"));
  h.cluster.update("widgets", {{"apiVersion", "example.com/v1"},
                               {"kind", "Widget"},
                               {"metadata", {{"name", "w1"}, {"namespace", "app"}}},
                               {"spec", {{"size", 3}}}});
  h.cluster.update("configmaps", config_map("app", "settings", {{"a", "1"}}));
  h.cluster.update("secrets", secret("app", "creds", {{"p", "cA=="}}));
  h.cluster.update("serviceaccounts", {{"apiVersion", "v1"},
                                       {"kind", "ServiceAccount"},
                                       {"metadata", {{"name", "runner"}, {"namespace", "app"}}}});
  h.cluster.update("pods", running_pod("app", "web"));
  back_up(h, "b1");

  FakeCluster target;  // serves no widgets until their CRD is created
  RestoreRunner runner(h.restore_env(target), restore_request("r1", "b1"));
  auto result = h.run(runner.run());

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->status.phase, catalog::Phase::Completed);
  EXPECT_EQ((*result)->status.items_failed, 0u);
  EXPECT_TRUE(target.object("example.com", "widgets", "app", "w1"));
  const auto& calls = target.calls;
  const std::vector<std::string> order = {"create customresourcedefinitions widgets.example.com",
                                          "create namespaces app",
                                          "create serviceaccounts app/runner",
                                          "create secrets app/creds",
                                          "create configmaps app/settings",
                                          "create pods app/web",
                                          "create widgets app/w1"};
  for (size_t i = 0; i < order.size(); ++i) {
    SCOPED_TRACE(order[i]);
    ASSERT_LT(position(calls, order[i]), calls.size());
    if (i > 0) {
      EXPECT_LT(position(calls, order[i - 1]), position(calls, order[i]));
    }
  }
}

// existing-resource-policy none leaves objects that exist as they are (skipped, a warning
// when they differ from the backup); update merge-patches those that differ.
TEST(RestoreOrchestration, ExistingObjectsAreSkippedOrUpdatedByPolicy) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("keep"));
  h.cluster.update("configmaps", config_map("keep", "settings", {{"currency", "EUR"}}));
  h.cluster.update("secrets", secret("keep", "creds", {{"password", "c2VjcmV0"}}));
  back_up(h, "b5");
  h.cluster.update("configmaps", config_map("keep", "settings", {{"currency", "USD"}}));

  RestoreRunner none(h.restore_env(h.cluster), restore_request("r5b", "b5"));
  auto skipped = h.run(none.run());
  ASSERT_TRUE(skipped);
  ASSERT_TRUE(*skipped) << skipped->error().message;
  EXPECT_EQ((*skipped)->status.phase, catalog::Phase::Completed);
  EXPECT_EQ((*skipped)->status.items_restored, 0u);
  EXPECT_EQ((*skipped)->status.items_skipped, 3u);
  EXPECT_EQ((*skipped)->status.warnings, 1);  // the config map differs; the secret does not
  EXPECT_EQ(h.cluster.object("", "configmaps", "keep", "settings")->at("data")["currency"], "USD");

  auto request = restore_request("r5c", "b5", {{"existingResourcePolicy", "update"}});
  request.existing_policy = restore::ExistingPolicy::Update;
  RestoreRunner update(h.restore_env(h.cluster), request);
  auto updated = h.run(update.run());
  ASSERT_TRUE(updated);
  ASSERT_TRUE(*updated) << updated->error().message;
  EXPECT_EQ((*updated)->status.phase, catalog::Phase::Completed);
  EXPECT_EQ((*updated)->status.items_restored, 1u);
  EXPECT_EQ(h.cluster.object("", "configmaps", "keep", "settings")->at("data")["currency"], "EUR");
}

// An object the server rejects fails alone: it is counted and reported, the restore is
// PartiallyFailed, and every other object (of its type and of later types) is restored.
TEST(RestoreOrchestration, RejectedObjectFailsAloneAndTheRestAreRestored) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("a"));
  h.cluster.update("configmaps", config_map("a", "bad", {{"x", "1"}}));
  h.cluster.update("configmaps", config_map("a", "good", {{"x", "2"}}));
  h.cluster.update("configmaps", config_map("a", "other", {{"x", "3"}}));
  h.cluster.update("pods", running_pod("a", "web"));
  back_up(h, "b6");

  FakeCluster target;
  target.fail(FakeCluster::Call::Create, "configmaps", "bad",
              {core::ErrorCode::InvalidArgument, "admission webhook \"deny\" denied the request"});
  auto request = restore_request("r6", "b6");
  request.workers = 1;  // the rejected object comes first in its type: the others after it
  RestoreRunner runner(h.restore_env(target), request);
  auto result = h.run(runner.run());

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->status.phase, catalog::Phase::PartiallyFailed);
  EXPECT_EQ((*result)->status.items_failed, 1u);
  EXPECT_EQ((*result)->status.items_restored, 4u);  // the namespace, two config maps, the pod
  EXPECT_FALSE(target.object("", "configmaps", "a", "bad"));
  EXPECT_TRUE(target.object("", "configmaps", "a", "good"));
  EXPECT_TRUE(target.object("", "configmaps", "a", "other"));
  EXPECT_TRUE(target.object("", "pods", "a", "web"));
}

// interrupt() while a restored pod's exec hook waits for its container: the wait is given up
// at once (the hook is recorded NotExecuted, it never runs), and the restore is recorded as
// Failed, with what was created kept.
TEST(RestoreOrchestration, InterruptDuringExecHookWaitsRecordsTheRestoreAndGivesUpTheWaits) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("w"));
  h.cluster.update("pods", running_pod("w", "web",
                                       {{"post.hook.restore.velero.io/container", "app"},
                                        {"post.hook.restore.velero.io/command", "[\"/hook\"]"}}));
  back_up(h, "b7");

  FakeCluster target;  // the created pod never starts: no kubelet
  RestoreRunner runner(h.restore_env(target), restore_request("r7", "b7"));
  auto result =
      h.run(runner.run(), {{[&] { return target.watchers() > 0; }, [&] { runner.interrupt(); }}});

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  const RestoreOutcome& outcome = **result;
  EXPECT_TRUE(outcome.interrupted);
  EXPECT_EQ(outcome.status.phase, catalog::Phase::Failed);
  EXPECT_TRUE(target.object("", "pods", "w", "web"));
  ASSERT_EQ(outcome.status.hook_results.size(), 1u);
  EXPECT_EQ(outcome.status.hook_results[0].result, hooks::HookResult::NotExecuted);
  EXPECT_NE(outcome.status.hook_results[0].error.find("interrupted"), std::string::npos)
      << outcome.status.hook_results[0].error;
  EXPECT_FALSE(ran(h.exec, "w/web/app:/hook"));
  EXPECT_EQ(target.watchers(), 0u);
  EXPECT_TRUE(h.store.has("restores/r7/velero-restore.json"));
}

// The waits of exec hooks are on the restore's clock: a pod whose container comes up (seen by
// the watch) gets its hook run; one that does not within --hook-wait-timeout gets it recorded
// NotExecuted, and the restore is PartiallyFailed.
TEST(RestoreOrchestration, ExecHookRunsOnceTheContainerIsUpOrIsGivenUpAtItsWait) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("w"));
  const std::map<std::string, std::string> hook = {
      {"post.hook.restore.velero.io/container", "app"},
      {"post.hook.restore.velero.io/command", "[\"/hook\"]"}};
  h.cluster.update("pods", running_pod("w", "starts", hook));
  h.cluster.update("pods", running_pod("w", "stuck", hook));
  back_up(h, "b8");

  FakeCluster target;
  auto request = restore_request("r8", "b8");
  request.hook_wait_limit = std::chrono::minutes(1);
  RestoreRunner runner(h.restore_env(target), request);
  auto result = h.run(runner.run(), {{[&] { return target.watchers() == 2; },
                                      [&] {
                                        // The kubelet starts one of them.
                                        json up = *target.object("", "pods", "w", "starts");
                                        up["status"] = running_pod("w", "starts")["status"];
                                        target.update("pods", up);
                                      }},
                                     {[&] { return ran(h.exec, "w/starts/app:/hook"); },
                                      // The other one's wait runs out.
                                      [&] { h.clock.advance(std::chrono::minutes(2)); }}});

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->status.phase, catalog::Phase::PartiallyFailed);
  EXPECT_TRUE(ran(h.exec, "w/starts/app:/hook"));
  EXPECT_FALSE(ran(h.exec, "w/stuck/app:/hook"));
  ASSERT_EQ((*result)->status.hook_results.size(), 2u);
  for (const auto& r : (*result)->status.hook_results) {
    SCOPED_TRACE(r.pod);
    EXPECT_EQ(r.result,
              r.pod == "starts" ? hooks::HookResult::Succeeded : hooks::HookResult::NotExecuted);
  }
}

}  // namespace
}  // namespace stillpoint::testing
