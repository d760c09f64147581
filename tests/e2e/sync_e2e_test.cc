// The backup sync end to end (issue 19): two kubesims, a `stillpoint server` on each, one
// location (--storage) shared. A backup made in the first cluster appears in the second within
// a sync period with its status, hook results and labels, and restores there; deleted from the
// location by hand, its objects go at the next sync and both servers run on. A read-only
// location: synced, validated, refusing backups.
#include <signal.h>

#include <chrono>

#include "server_fixture.h"

namespace stillpoint::e2e {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;
using kubesim::testing::KubesimFixture;

class SyncE2eTest : public ServerE2eTest {
 protected:
  // The second cluster, with our CRDs and namespace stillpoint.
  void SetUp() override {
    ServerE2eTest::SetUp();
    ASSERT_EQ(b_.kubectl({"apply", "-f", "-"}, read_crds()).exit_code, 0);
    ASSERT_EQ(b_.kubectl({"create", "namespace", "stillpoint"}).exit_code, 0);
  }

  std::unique_ptr<ServerProcess> start_server_b(const std::string& log_name,
                                                std::vector<std::string> extra) {
    std::vector<std::string> args{STILLPOINT_BINARY, "server",
                                  "--kubeconfig=" + b_.server().kubeconfig_path().string(),
                                  "--storage=" + storage_.string(), "--namespace=stillpoint",
                                  "--metrics-address=127.0.0.1:0"};
    args.insert(args.end(), extra.begin(), extra.end());
    return std::make_unique<ServerProcess>(args, b_.dir() / log_name);
  }

  json get_b(const std::string& resource, const std::string& name) {
    const CommandResult r = b_.kubectl({"get", resource, name, "-n", "stillpoint", "-o", "json"});
    if (r.exit_code != 0) return json();
    return json::parse(r.out, nullptr, false);
  }
  std::string phase_b(const std::string& resource, const std::string& name) {
    const json o = get_b(resource, name);
    return o.is_object() && o.contains("status") ? o["status"].value("phase", "") : "";
  }

  KubesimFixture b_;
};

// The DR story: cluster A backs up (hooks run), cluster B sees the backup within a sync period
// and restores it; the backup's folder deleted by hand, the objects go and the servers run on.
TEST_F(SyncE2eTest, ABackupMadeInOneClusterIsSyncedRestoredAndRemovedInAnother) {
  const std::string m = markers_.string();
  apply("apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n---\n" +
        pod_yaml("shop", "db", "app: db",
                 "pre.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", \"echo pre-db >> "
                 "/markers/log\"]', post.hook.backup.velero.io/command: '[\"/bin/sh\", \"-c\", "
                 "\"echo post-db >> /markers/log\"]'",
                 m));
  wait_ready("shop", "db");
  const std::vector<std::string> fast{"--backup-sync-period=1s",
                                      "--store-validation-frequency=1s"};
  auto a = start_server("a.log", fast);
  auto b = start_server_b("b.log", fast);

  apply(R"(apiVersion: stillpoint.io/v1
kind: Backup
metadata:
  name: nightly
  namespace: stillpoint
  labels: {team: shop, tier: gold}
spec:
  includedNamespaces: [shop]
)");
  ASSERT_EQ(wait_final("backups", "nightly"), "Completed") << a->log();
  const json original = get("backups", "nightly");
  ASSERT_EQ(original["status"]["hookStatus"]["hooksAttempted"], 2) << original.dump(2);

  // In B within a sync period (and some slack for a loaded machine), as it was in A.
  ASSERT_TRUE(KubesimFixture::eventually([&] { return phase_b("backups", "nightly") == "Completed"; },
                                         std::chrono::seconds(20)))
      << b->log();
  const json synced = get_b("backups", "nightly");
  EXPECT_EQ(synced["status"]["hookStatus"], original["status"]["hookStatus"]) << synced.dump(2);
  EXPECT_EQ(synced["status"]["hookResults"], original["status"]["hookResults"]);
  EXPECT_EQ(synced["status"]["completionTimestamp"], original["status"]["completionTimestamp"]);
  EXPECT_EQ(synced["metadata"]["labels"]["team"], "shop");
  EXPECT_EQ(synced["metadata"]["labels"]["tier"], "gold");
  EXPECT_NE(b->log().find("backup sync: created Backup stillpoint/nightly"), std::string::npos)
      << b->log();
  // B's controller never ran it: A's server wrote it and B only synced it.
  EXPECT_EQ(b->log().find("Backup stillpoint/nightly: InProgress"), std::string::npos) << b->log();

  // Restored in B.
  ASSERT_EQ(b_.kubectl({"apply", "-f", "-"},
                       "apiVersion: stillpoint.io/v1\nkind: Restore\nmetadata: {name: dr, "
                       "namespace: stillpoint}\nspec: {backupName: nightly}\n")
                .exit_code,
            0);
  ASSERT_TRUE(KubesimFixture::eventually(
      [&] {
        const std::string p = phase_b("restores", "dr");
        return p == "Completed" || p == "PartiallyFailed" || p == "Failed" ||
               p == "FailedValidation";
      },
      std::chrono::seconds(90)));
  ASSERT_EQ(phase_b("restores", "dr"), "Completed") << get_b("restores", "dr").dump(2) << b->log();
  const CommandResult pod = b_.kubectl({"get", "pod", "db", "-n", "shop"});
  EXPECT_EQ(pod.exit_code, 0) << pod.describe();

  // Deleted from the location by hand: gone from both clusters at the next syncs.
  fs::remove_all(storage_ / "backups" / "nightly");
  EXPECT_TRUE(KubesimFixture::eventually([&] { return get_b("backups", "nightly").is_null(); },
                                         std::chrono::seconds(15)))
      << b->log();
  EXPECT_TRUE(KubesimFixture::eventually([&] { return get("backups", "nightly").is_null(); },
                                         std::chrono::seconds(15)))
      << a->log();
  EXPECT_NE(b->log().find("removed Backup stillpoint/nightly"), std::string::npos) << b->log();
  EXPECT_EQ(a->stop(SIGTERM), 0) << a->log();
  EXPECT_EQ(b->stop(SIGTERM), 0) << b->log();
}

// A read-only BackupStorageLocation, the default: its backups are synced naming it, its health
// is written (Available, accessMode ReadOnly), and a backup to it is FailedValidation with
// nothing written; a BSL that cannot be opened is marked Unavailable without any backup.
TEST_F(SyncE2eTest, AReadOnlyLocationIsSyncedAndValidatedAndRefusesBackups) {
  const CommandResult made = stillpoint({"backup", "create", "old", "--include-namespaces",
                                         "stillpoint"});
  ASSERT_EQ(made.exit_code, 0) << made.describe();
  apply("apiVersion: stillpoint.io/v1\nkind: BackupStorageLocation\nmetadata: {name: archive, "
        "namespace: stillpoint}\nspec:\n  provider: stillpoint.io/local\n  default: true\n"
        "  accessMode: ReadOnly\n  objectStorage: {bucket: unused}\n  config: {path: " +
        storage_.string() +
        "}\n---\napiVersion: stillpoint.io/v1\nkind: BackupStorageLocation\nmetadata: {name: "
        "broken, namespace: stillpoint}\nspec:\n  provider: stillpoint.io/local\n"
        "  objectStorage: {bucket: unused}\n  config: {path: not/absolute}\n");
  auto server = start_server("server.log", {"--backup-sync-period=1s",
                                            "--store-validation-frequency=1s"});
  ASSERT_TRUE(KubesimFixture::eventually([&] { return phase_of("backups", "old") == "Completed"; },
                                         std::chrono::seconds(20)))
      << server->log();
  const json old = get("backups", "old");
  EXPECT_EQ(old["spec"]["storageLocation"], "archive") << old.dump(2);
  EXPECT_EQ(old["metadata"]["labels"]["velero.io/storage-location"], "archive");
  ASSERT_TRUE(KubesimFixture::eventually(
      [&] { return phase_of("backupstoragelocations", "broken") == "Unavailable"; },
      std::chrono::seconds(20)))
      << server->log();
  const json archive = get("backupstoragelocations", "archive");
  EXPECT_EQ(archive["status"]["phase"], "Available") << archive.dump(2);
  EXPECT_EQ(archive["status"]["accessMode"], "ReadOnly");
  EXPECT_TRUE(archive["status"].contains("lastValidationTime"));
  EXPECT_TRUE(archive["status"].contains("lastSyncedTime"));
  EXPECT_NE(get("backupstoragelocations", "broken")["status"].value("message", "").find(
                "not/absolute"),
            std::string::npos);

  apply("apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: refused, namespace: "
        "stillpoint}\nspec: {includedNamespaces: [stillpoint]}\n");
  ASSERT_EQ(wait_final("backups", "refused"), "FailedValidation") << server->log();
  EXPECT_EQ(get("backups", "refused")["status"]["validationErrors"][0],
            "backup can't be created because backup storage location archive is currently in "
            "read-only mode");
  EXPECT_FALSE(fs::exists(storage_ / "backups" / "refused"));
  EXPECT_EQ(server->stop(SIGTERM), 0) << server->log();
}

}  // namespace
}  // namespace stillpoint::e2e
