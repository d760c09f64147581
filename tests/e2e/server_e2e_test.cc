// `stillpoint server` end to end on kubesim (issue 18): the real binary as a background
// process, our CRDs (deploy/crds) applied with the real kubectl, Backup and Restore objects
// created with kubectl and their status read back with kubectl, hooks really running in pods.
#include <signal.h>

#include <chrono>
#include <fstream>

#include "server_fixture.h"

namespace stillpoint::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

// The Velero docs' Backup with spec hooks, apiVersion changed only; a pod with annotation
// hooks beside it. Then a Restore of it into another namespace.
TEST_F(ServerE2eTest, RunsABackupObjectAndARestoreObject) {
  const std::string m = markers_.string();
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" +
        pod_yaml("shop", "db", "app: db",
                 "pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"echo pre-db >> "
                 "/markers/log\"]', post.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", "
                 "\"echo post-db >> /markers/log\"]'",
                 m) +
        pod_yaml("shop", "cache", "app: cache", "", m));
  wait_ready("shop", "db");
  wait_ready("shop", "cache");
  auto server = start_server("server.log");

  apply(R"(apiVersion: stillpoint.io/v1
kind: Backup
metadata:
  name: nightly
  namespace: stillpoint
spec:
  includedNamespaces: [shop]
  ttl: 24h0m0s
  hooks:
    resources:
    - name: cache-hooks
      includedNamespaces: [shop]
      labelSelector:
        matchLabels: {app: cache}
      pre:
      - exec:
          container: app
          command: [/bin/sh, -c, "echo pre-cache >> /markers/log"]
          onError: Fail
          timeout: 30s
      post:
      - exec:
          container: app
          command: [/bin/sh, -c, "echo post-cache >> /markers/log"]
)");
  ASSERT_EQ(wait_final("backups", "nightly"), "Completed") << server->log();
  const json b = get("backups", "nightly");
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 4) << b.dump(2);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksFailed"], 0);
  EXPECT_TRUE(b["status"].contains("startTimestamp"));
  EXPECT_TRUE(b["status"].contains("completionTimestamp"));
  EXPECT_GT(b["status"]["progress"].value("itemsBackedUp", 0), 2);
  const std::string log = read_file(markers_ / "log");
  for (const char* line : {"pre-db", "post-db", "pre-cache", "post-cache"}) {
    EXPECT_NE(log.find(line), std::string::npos) << line << " in " << log;
  }
  // kubectl's table shows the printer columns.
  const CommandResult table = sim_.kubectl({"get", "backups", "-n", "stillpoint"});
  EXPECT_NE(table.out.find("Completed"), std::string::npos) << table.describe();
  // The CLI reads the same backup from the location.
  const CommandResult described = stillpoint({"backup", "describe", "nightly"}, false);
  ASSERT_EQ(described.exit_code, 0) << described.describe();
  EXPECT_NE(described.out.find("Completed"), std::string::npos) << described.out;

  apply(R"(apiVersion: stillpoint.io/v1
kind: Restore
metadata:
  name: nightly-copy
  namespace: stillpoint
spec:
  backupName: nightly
  namespaceMapping: {shop: shop-copy}
)");
  ASSERT_EQ(wait_final("restores", "nightly-copy"), "Completed") << server->log();
  const CommandResult pod = sim_.kubectl({"get", "pod", "db", "-n", "shop-copy"});
  EXPECT_EQ(pod.exit_code, 0) << pod.describe();
  EXPECT_GT(get("restores", "nightly-copy")["status"]["progress"].value("itemsRestored", 0), 2);
  // --via-server: the CLI creates the object and follows it; the server runs it.
  const CommandResult via = stillpoint(
      {"backup", "create", "via-cli", "--via-server", "--include-namespaces", "shop"});
  EXPECT_EQ(via.exit_code, 0) << via.describe() << server->log();
  EXPECT_NE(via.out.find("Backup \"via-cli\": Completed (hooks: 2 attempted, 0 failed"),
            std::string::npos)
      << via.out;
  EXPECT_TRUE(fs::exists(storage_ / "backups" / "via-cli" / "velero-backup.json"));
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->log();
}

// A spec that does not decode is FailedValidation with the reason, and the server goes on; a
// location that cannot be opened fails its backup and is marked Unavailable; a backup naming
// a location that does not exist fails with the name.
TEST_F(ServerE2eTest, BadInputFailsItsObjectAndTheServerGoesOn) {
  auto server = start_server("server.log");
  apply(R"(apiVersion: stillpoint.io/v1
kind: Backup
metadata: {name: bad-timeout, namespace: stillpoint}
spec:
  hooks:
    resources:
    - name: h
      pre:
      - exec: {command: [/bin/true], timeout: "300"}
---
apiVersion: stillpoint.io/v1
kind: BackupStorageLocation
metadata: {name: relative, namespace: stillpoint}
spec:
  provider: stillpoint.io/local
  objectStorage: {bucket: unused}
  config: {path: not/absolute}
---
apiVersion: stillpoint.io/v1
kind: Backup
metadata: {name: to-relative, namespace: stillpoint}
spec:
  storageLocation: relative
---
apiVersion: stillpoint.io/v1
kind: Backup
metadata: {name: to-missing, namespace: stillpoint}
spec:
  storageLocation: nowhere
)");
  ASSERT_EQ(wait_final("backups", "bad-timeout"), "FailedValidation") << server->log();
  const json bad = get("backups", "bad-timeout");
  ASSERT_TRUE(bad["status"]["validationErrors"].is_array()) << bad.dump(2);
  EXPECT_NE(bad["status"]["validationErrors"][0].get<std::string>().find("timeout"),
            std::string::npos)
      << bad.dump(2);
  ASSERT_EQ(wait_final("backups", "to-relative"), "Failed") << server->log();
  EXPECT_NE(get("backups", "to-relative")["status"].value("failureReason", "").find("not/absolute"),
            std::string::npos);
  EXPECT_EQ(phase_of("backupstoragelocations", "relative"), "Unavailable");
  ASSERT_EQ(wait_final("backups", "to-missing"), "Failed") << server->log();
  EXPECT_NE(get("backups", "to-missing")["status"].value("failureReason", "").find("nowhere"),
            std::string::npos);
  // Still serving: a good one completes, and nothing of the failed ones was published.
  apply("apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: good, namespace: "
        "stillpoint}\nspec: {includedNamespaces: [stillpoint]}\n");
  ASSERT_EQ(wait_final("backups", "good"), "Completed") << server->log();
  EXPECT_TRUE(fs::exists(storage_ / "backups" / "good" / "velero-backup.json"));
  EXPECT_FALSE(fs::exists(storage_ / "backups" / "bad-timeout" / "velero-backup.json"));
  EXPECT_FALSE(fs::exists(storage_ / "backups" / "to-missing" / "velero-backup.json"));
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// Two replicas: one leads and runs every one of 50 Backups created at once exactly once. Then
// the leader is SIGKILLed while a pod sits between its pre and post hooks: the other replica
// takes the Lease, runs that pod's post hook, marks the backup Failed with the reason,
// publishes nothing of it, and runs what was queued behind it.
TEST_F(ServerE2eTest, OneLeaderRunsEachObjectOnceAndASuccessorThawsAfterAKill) {
  const std::vector<std::string> fast_election{"--leader-elect-lease-duration=3s",
                                               "--leader-elect-renew-deadline=2s",
                                               "--leader-elect-retry-period=500ms"};
  auto a = start_server("a.log", fast_election);
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return a->log().find("leading (Lease") != std::string::npos; },
      std::chrono::seconds(30)))
      << a->log();
  auto b = start_server("b.log", fast_election);
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: empty}\n");
  std::string many;
  for (int i = 0; i < 50; ++i) {
    many += "apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: b" + std::to_string(i) +
            ", namespace: stillpoint}\nspec: {includedNamespaces: [empty]}\n---\n";
  }
  apply(many);
  for (int i = 0; i < 50; ++i) {
    ASSERT_EQ(wait_final("backups", "b" + std::to_string(i)), "Completed")
        << a->log() << b->log();
  }
  for (int i = 0; i < 50; ++i) {
    const std::string started = "Backup stillpoint/b" + std::to_string(i) + ": InProgress\n";
    EXPECT_EQ(count(a->log(), started) + count(b->log(), started), 1u) << started;
    EXPECT_EQ(count(b->log(), started), 0u) << "the standby ran " << started;
  }

  // A pod whose first pre hook leaves a marker and whose second keeps it frozen for a while.
  const std::string m = markers_.string();
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" +
        pod_yaml("shop", "db", "app: db", "", m));
  wait_ready("shop", "db");
  apply(R"(apiVersion: stillpoint.io/v1
kind: Backup
metadata: {name: frozen, namespace: stillpoint}
spec:
  includedNamespaces: [shop]
  hooks:
    resources:
    - name: freeze
      includedNamespaces: [shop]
      pre:
      - exec: {container: app, command: [/bin/sh, -c, "touch /markers/frozen"]}
      - exec: {container: app, command: [/bin/sleep, "60"], timeout: 2m}
      post:
      - exec: {container: app, command: [/bin/sh, -c, "rm /markers/frozen"]}
---
apiVersion: stillpoint.io/v1
kind: Backup
metadata: {name: after-1, namespace: stillpoint}
spec: {includedNamespaces: [empty]}
---
apiVersion: stillpoint.io/v1
kind: Backup
metadata: {name: after-2, namespace: stillpoint}
spec: {includedNamespaces: [empty]}
)");
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return fs::exists(markers_ / "frozen"); }, std::chrono::seconds(60)))
      << a->log();
  // The object names the pod as between its pre and post hooks before the hooks run.
  const json frozen = get("backups", "frozen");
  EXPECT_EQ(frozen["metadata"]["annotations"].value("stillpoint.io/hook-window-pods", ""),
            "shop/db")
      << frozen.dump(2);
  const auto killed = std::chrono::steady_clock::now();
  EXPECT_EQ(a->stop(SIGKILL), -SIGKILL);

  ASSERT_EQ(wait_final("backups", "frozen", std::chrono::seconds(60)), "Failed") << b->log();
  const auto settled = std::chrono::steady_clock::now();
  EXPECT_LT(settled - killed, std::chrono::seconds(20)) << b->log();
  EXPECT_FALSE(fs::exists(markers_ / "frozen")) << "the post hook did not run\n" << b->log();
  const json failed = get("backups", "frozen");
  const std::string reason = failed["status"].value("failureReason", "");
  EXPECT_NE(reason.find("shop/db"), std::string::npos) << reason;
  EXPECT_FALSE(fs::exists(storage_ / "backups" / "frozen" / "velero-backup.json"));
  EXPECT_EQ(wait_final("backups", "after-1"), "Completed") << b->log();
  EXPECT_EQ(wait_final("backups", "after-2"), "Completed") << b->log();
  EXPECT_NE(b->log().find("leading (Lease"), std::string::npos) << b->log();
}

// --api-group velero.io: Velero's own objects, served while Velero's server is absent; with a
// Velero deployment in the cluster the server refuses to start (two controllers would both
// run every Backup) unless forced.
TEST_F(ServerE2eTest, ServesVeleroObjectsAndRefusesBesideVelero) {
  apply(read_crds("crds-velero"));
  auto server = start_server("velero.log", {"--api-group=velero.io"});
  apply("apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: from-velero, namespace: "
        "stillpoint}\nspec: {includedNamespaces: [stillpoint]}\n");
  ASSERT_EQ(wait_final("backups.velero.io", "from-velero"), "Completed") << server->log();
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->log();

  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: velero}\n---\n"
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: velero\n  namespace: velero\n"
        "  labels: {component: velero}\nspec:\n  replicas: 0\n  selector:\n    matchLabels: "
        "{app: velero}\n  template:\n    metadata:\n      labels: {app: velero}\n    spec:\n"
        "      containers:\n      - {name: velero, image: velero/velero}\n");
  auto refused = start_server("refused.log", {"--api-group=velero.io"});
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return refused->log().find("error:") != std::string::npos; },
      std::chrono::seconds(30)))
      << refused->log();
  EXPECT_EQ(refused->stop(SIGTERM), 1) << refused->log();
  EXPECT_NE(refused->log().find("velero/velero"), std::string::npos) << refused->log();
  auto forced = start_server("forced.log", {"--api-group=velero.io", "--force"});
  apply("apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: forced, namespace: "
        "stillpoint}\nspec: {includedNamespaces: [stillpoint]}\n");
  EXPECT_EQ(wait_final("backups.velero.io", "forced"), "Completed") << forced->log();
}

// The API server cuts the server's watch mid-event, then answers its resume with 410 Gone
// (kubesim faults): the server lists again and every Backup is run, each exactly once.
TEST_F(ServerE2eTest, ADroppedWatchIsResumedWithoutLosingOrRepeatingAnObject) {
  const std::string path = "/apis/stillpoint.io/v1/namespaces/stillpoint/backups";
  for (const std::string& rule :
       {R"({"path":")" + path + R"(","query":"watch=1","action":"cut","cutAfterBytes":300})",
        R"({"path":")" + path + R"(","query":"watch=1","status":410})"}) {
    const CommandResult r = sim_.kubectl({"create", "--raw", "/kubesim/v1/faults", "-f", "-"}, rule);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  auto server = start_server("watch.log");
  ASSERT_TRUE(kubesim::testing::KubesimFixture::eventually(
      [&] { return server->log().find("leading (Lease") != std::string::npos; },
      std::chrono::seconds(30)))
      << server->log();
  std::string five;
  for (int i = 0; i < 5; ++i) {
    five += "apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: w" + std::to_string(i) +
            ", namespace: stillpoint}\nspec: {includedNamespaces: [stillpoint]}\n---\n";
  }
  apply(five);
  for (int i = 0; i < 5; ++i) {
    const std::string name = "w" + std::to_string(i);
    ASSERT_EQ(wait_final("backups", name), "Completed") << server->log();
    EXPECT_EQ(count(server->log(), "Backup stillpoint/" + name + ": InProgress\n"), 1u)
        << server->log();
  }
  // Both faults were used: nothing is left of them.
  const CommandResult left = sim_.kubectl({"get", "--raw", "/kubesim/v1/faults"});
  EXPECT_EQ(left.out.find("watch=1"), std::string::npos) << left.out;
}

}  // namespace
}  // namespace stillpoint::e2e
