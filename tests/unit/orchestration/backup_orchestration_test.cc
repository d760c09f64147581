// BackupRunner in-process, on FakeCluster, FakePodExec, FakeClock and MemoryStore: the rules
// of a backup's orchestration that otherwise only the binary against kubesim covers.
#include <algorithm>

#include "catalog/backup_keys.h"
#include "catalog/volume_manifest.h"
#include "unit/orchestration/harness.h"

namespace stillpoint::testing {
namespace {

using backup::BackupOutcome;
using backup::BackupRunner;

bool contains(const json& list, const std::string& kind, const std::string& item) {
  if (!list.contains(kind))
    return false;
  const auto& items = list[kind];
  return std::find(items.begin(), items.end(), item) != items.end();
}

// A backup location that fails while pod volume data is written publishes nothing (no
// velero-backup.json, nothing left under the backup's prefix), and the pod's post hook still
// runs: the application is never left frozen.
TEST(BackupOrchestration, StorageFailureMidRunPublishesNothingButPostHooksRun) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("db"));
  auto annotations = backup_hooks("/freeze", "/unfreeze");
  annotations["backup.velero.io/backup-volumes"] = "data";
  h.cluster.update("pods", running_pod("db", "db-0", annotations));
  h.cluster.update("configmaps", config_map("db", "settings", {{"a", "1"}}));
  h.exec.script("tar", prints(std::string(4096, 'x')));
  h.store.fail_writes("/volumes/", 0, {core::ErrorCode::Io, "no space left on device"});

  BackupRunner runner(h.backup_env(), backup_request("b1"));
  auto result = h.run(runner.run());

  ASSERT_TRUE(result);
  ASSERT_FALSE(*result);
  EXPECT_EQ(result->error().code, core::ErrorCode::Io) << result->error().message;
  EXPECT_FALSE(h.store.has(catalog::backup_object_key("b1")));
  auto left = h.store.list(catalog::backup_prefix("b1"));
  ASSERT_TRUE(left);
  EXPECT_TRUE(left->empty()) << left->front();
  EXPECT_TRUE(ran(h.exec, "db/db-0/app:/freeze"));
  EXPECT_TRUE(ran(h.exec, "db/db-0/app:/unfreeze"));
}

// A Fail-mode pre hook failing in one ItemBlock while another block is still in its pre hook:
// that pod is kept out of the backup and its post hook runs; the other block completes (its
// pod is backed up, its post hook runs); the backup is PartiallyFailed.
TEST(BackupOrchestration, PreHookFailureInOneBlockLeavesOtherBlocksRunning) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("f"));
  h.cluster.update("pods", running_pod("f", "frozen", backup_hooks("/pre-fails", "/post-frozen")));
  auto slow = backup_hooks("/pre-slow", "/post-slow");
  slow["pre.hook.backup.velero.io/on-error"] = "Continue";
  slow["pre.hook.backup.velero.io/timeout"] = "10s";
  h.cluster.update("pods", running_pod("f", "slow", slow));
  h.exec.script("/pre-fails", exits(3));
  h.exec.script("/pre-slow", hangs());

  BackupRunner runner(h.backup_env(), backup_request("b2"));
  bool slow_in_flight_after_failure = false;
  auto result = h.run(runner.run(), {{[&] { return ran(h.exec, "f/frozen/app:/post-frozen"); },
                                      [&] {
                                        // The failed block ran its post hook while the other
                                        // block's pre hook runs.
                                        slow_in_flight_after_failure =
                                            ran(h.exec, "f/slow/app:/pre-slow") &&
                                            !ran(h.exec, "f/slow/app:/post-slow");
                                        // The slow pre hook times out (onError Continue).
                                        h.clock.advance(std::chrono::seconds(11));
                                      }}});

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_TRUE(slow_in_flight_after_failure);
  EXPECT_TRUE(ran(h.exec, "f/slow/app:/post-slow"));
  const BackupOutcome& outcome = **result;
  EXPECT_EQ(outcome.status.phase, catalog::Phase::PartiallyFailed);
  EXPECT_EQ(outcome.status.hook_status.hooks_attempted, 4);
  EXPECT_EQ(outcome.status.hook_status.hooks_failed, 2);  // the failed pre, the timed-out pre
  const json list = resource_list(h.store, "b2");
  EXPECT_FALSE(contains(list, "v1/Pod", "f/frozen")) << list.dump();
  EXPECT_TRUE(contains(list, "v1/Pod", "f/slow")) << list.dump();
}

// interrupt() (SIGINT/SIGTERM) while a pre hook runs: the hook's stream is closed, the started
// post hook still runs, and the backup is published as Failed without the pod.
TEST(BackupOrchestration, InterruptWhileHooksRunStillRunsStartedPostHooks) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("s"));
  h.cluster.update("pods", running_pod("s", "busy", backup_hooks("/pre-sleeps", "/post")));
  h.cluster.update("configmaps", config_map("s", "settings", {{"a", "1"}}));
  h.exec.script("/pre-sleeps", hangs());

  BackupRunner runner(h.backup_env(), backup_request("b5"));
  auto result =
      h.run(runner.run(),
            {{[&] { return ran(h.exec, "s/busy/app:/pre-sleeps"); }, [&] { runner.interrupt(); }}});

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_TRUE((*result)->interrupted);
  EXPECT_EQ((*result)->status.phase, catalog::Phase::Failed);
  EXPECT_EQ(h.exec.streams_closed_by_cancel, 1);
  EXPECT_TRUE(ran(h.exec, "s/busy/app:/post"));
  EXPECT_TRUE(h.store.has(catalog::backup_object_key("b5")));
  EXPECT_FALSE(contains(resource_list(h.store, "b5"), "v1/Pod", "s/busy"));
}

// The backup object is what publishes a backup: it is committed last, after the tarball, the
// log, the resource list, the volume manifest and the checksums of all of them.
TEST(BackupOrchestration, BackupObjectIsWrittenLast) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("a"));
  h.cluster.update("pods", running_pod("a", "web", {{"backup.velero.io/backup-volumes", "data"}}));
  h.cluster.update("configmaps", config_map("a", "settings", {{"a", "1"}}));
  h.exec.script("tar", prints("tar bytes"));

  BackupRunner runner(h.backup_env(), backup_request("b3"));
  auto result = h.run(runner.run());

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->status.phase, catalog::Phase::Completed);
  const auto commits = h.store.commits();
  ASSERT_FALSE(commits.empty());
  EXPECT_EQ(commits.back(), catalog::backup_object_key("b3"));
  EXPECT_EQ(std::count(commits.begin(), commits.end(), catalog::backup_object_key("b3")), 1);
  for (const std::string& key :
       {catalog::backup_tarball_key("b3"), catalog::backup_log_key("b3"),
        catalog::backup_resource_list_key("b3"), catalog::volume_manifest_key("b3"),
        catalog::backup_checksums_key("b3"), catalog::volume_data_key("b3", "a", "web", "data")}) {
    EXPECT_NE(std::find(commits.begin(), commits.end(), key), commits.end()) << key;
  }
}

// A list that fails for one resource type is an error of the backup (PartiallyFailed), not
// the end of it: the other types are backed up.
TEST(BackupOrchestration, FailedListOfOneTypeDoesNotStopTheOthers) {
  Harness h;
  h.cluster.update("namespaces", namespace_object("a"));
  h.cluster.update("configmaps", config_map("a", "settings", {{"a", "1"}}));
  h.cluster.update("secrets", secret("a", "creds", {{"p", "cA=="}}));
  // Discovery lists config maps before secrets: the failure comes first.
  h.cluster.fail(FakeCluster::Call::List, "configmaps", "",
                 {core::ErrorCode::Forbidden, "configmaps is forbidden"});

  BackupRunner runner(h.backup_env(), backup_request("b4"));
  auto result = h.run(runner.run());

  ASSERT_TRUE(result);
  ASSERT_TRUE(*result) << result->error().message;
  EXPECT_EQ((*result)->status.phase, catalog::Phase::PartiallyFailed);
  const json list = resource_list(h.store, "b4");
  EXPECT_TRUE(contains(list, "v1/Secret", "a/creds")) << list.dump();
  EXPECT_FALSE(list.contains("v1/ConfigMap")) << list.dump();
}

}  // namespace
}  // namespace stillpoint::testing
