// The backup sync and location validation in-process (FakeCluster, FakeClock, temporary
// directories as locations): a backup made in one cluster appears in another with its status,
// labels and hook results; nothing existing is recreated or overwritten; an object whose data
// vanished is removed only when it was finished; the cluster is listed before the location;
// read-only locations are synced but refuse backups; a location that cannot be listed is
// skipped and marked Unavailable; validation writes the location's health.
#include "server/backup_processor.h"
#include "server/backup_sync.h"
#include "server/location_resolver.h"
#include "server/location_validator.h"
#include "server/operation_status.h"
#include "unit/orchestration/harness.h"

namespace stillpoint::server {
namespace {

using nlohmann::json;
using testing::FakeCluster;
namespace fs = std::filesystem;

constexpr const char* kNs = "stillpoint";

// Forwards to a FakeCluster; after the items of a Backup list are delivered, runs
// `after_backup_list` once (a backup finishing between the sync's two lists).
class ListHookCluster : public kube::ClusterApi {
 public:
  explicit ListHookCluster(FakeCluster& inner) : inner_(inner) {}
  std::function<void()> after_backup_list;

  boost::asio::awaitable<core::Result<kube::DiscoveryResult>> discover() override {
    return inner_.discover();
  }
  boost::asio::awaitable<core::Result<json>> get(const kube::GroupVersionResource& gvr,
                                                 std::string_view ns,
                                                 std::string_view name) override {
    return inner_.get(gvr, ns, name);
  }
  boost::asio::awaitable<core::Result<kube::ListSummary>> list(const kube::GroupVersionResource& gvr,
                                                               kube::ListOptions options,
                                                               kube::ItemCallback on_item) override {
    auto r = co_await inner_.list(gvr, std::move(options), std::move(on_item));
    if (gvr.resource == "backups" && after_backup_list) {
      auto f = std::move(after_backup_list);
      after_backup_list = nullptr;
      f();
    }
    co_return r;
  }
  boost::asio::awaitable<core::Result<json>> create(const kube::GroupVersionResource& gvr,
                                                    std::string_view ns,
                                                    const json& object) override {
    return inner_.create(gvr, ns, object);
  }
  boost::asio::awaitable<core::Result<json>> patch(const kube::GroupVersionResource& gvr,
                                                   std::string_view ns,
                                                   std::string_view name,
                                                   kube::PatchType type,
                                                   const json& patch) override {
    return inner_.patch(gvr, ns, name, type, patch);
  }
  boost::asio::awaitable<core::Status> watch(const kube::GroupVersionResource& gvr,
                                             kube::WatchOptions options,
                                             kube::WatchCallback on_event) override {
    return inner_.watch(gvr, std::move(options), std::move(on_event));
  }
  boost::asio::awaitable<core::Status> remove(const kube::GroupVersionResource& gvr,
                                              std::string_view ns,
                                              std::string_view name,
                                              std::string_view propagation) override {
    return inner_.remove(gvr, ns, name, propagation);
  }

 private:
  FakeCluster& inner_;
};

// One cluster with a server's context; `location` is its own location (--storage).
struct SyncHarness : testing::Harness {
  explicit SyncHarness(fs::path location) : own_location(std::move(location)) {
    cluster.serve(FakeCluster::resource("stillpoint.io", "v1", "backups", "Backup", true));
    cluster.serve(FakeCluster::resource("stillpoint.io", "v1", "restores", "Restore", true));
    cluster.serve(FakeCluster::resource("stillpoint.io", "v1", "backupstoragelocations",
                                        "BackupStorageLocation", true));
    cluster.update("namespaces", testing::namespace_object(kNs));
    cluster.update("namespaces", testing::namespace_object("db"));
  }

  fs::path own_location;
  ListHookCluster hooked{cluster};
  NoObserver observer;
  std::vector<std::string> log;
  ServerContext ctx{hooked,
                    exec,
                    clock,
                    pool.get_executor(),
                    ApiResources(kStillpointGroup),
                    kNs,
                    DefaultLocation{own_location.string(), {}},
                    {},
                    {},
                    observer,
                    [this](const std::string& line) { log.push_back(line); }};
  bool leading = true;
  BackupSync sync{ctx, kDefaultBackupSyncPeriod, [this] { return leading; }};

  SyncCounts sync_once() {
    auto counts = run(sync.sync_once());
    EXPECT_TRUE(counts) << log_text();
    return counts.value_or(SyncCounts{});
  }
  json backup(const std::string& name) const {
    return cluster.object("stillpoint.io", "backups", kNs, name).value_or(json());
  }
  json location(const std::string& name) const {
    return cluster.object("stillpoint.io", "backupstoragelocations", kNs, name).value_or(json());
  }
  void add_location(const std::string& name, const fs::path& path, json extra_spec = {}) {
    json spec = {{"provider", "stillpoint.io/local"},
                 {"objectStorage", {{"bucket", "unused"}}},
                 {"config", {{"path", path.string()}}}};
    if (extra_spec.is_object()) spec.merge_patch(extra_spec);
    cluster.update("backupstoragelocations",
                   {{"apiVersion", "stillpoint.io/v1"},
                    {"kind", "BackupStorageLocation"},
                    {"metadata", {{"name", name}, {"namespace", kNs}}},
                    {"spec", spec}});
  }
  void add_backup(const std::string& name, json spec, const std::string& phase = "") {
    json o = {{"apiVersion", "stillpoint.io/v1"},
              {"kind", "Backup"},
              {"metadata", {{"name", name}, {"namespace", kNs}}},
              {"spec", std::move(spec)}};
    if (!phase.empty()) o["status"] = {{"phase", phase}};
    cluster.update("backups", o);
  }
  std::string log_text() const {
    std::string all;
    for (const auto& l : log) all += l + "\n";
    return all;
  }
};

// A velero-backup.json as another cluster's server stored it.
json stored_backup(const std::string& name, const std::string& phase) {
  return {{"apiVersion", "velero.io/v1"},
          {"kind", "Backup"},
          {"metadata",
           {{"name", name},
            {"namespace", "velero"},
            {"uid", "uid-of-the-old-cluster"},
            {"resourceVersion", "4711"},
            {"creationTimestamp", "2026-12-01T10:00:00Z"},
            {"labels", {{"velero.io/storage-location", "default"}, {"team", "shop"}}},
            {"annotations", {{"note", "nightly"}}}}},
          {"spec", {{"includedNamespaces", {"db"}}, {"storageLocation", "primary"}}},
          {"status",
           {{"phase", phase},
            {"startTimestamp", "2026-12-01T10:00:00Z"},
            {"completionTimestamp", "2026-12-01T10:00:05Z"},
            {"hookStatus", {{"hooksAttempted", 2}, {"hooksFailed", 0}}},
            {"hookResults",
             {{{"pod", "db/db-0"}, {"container", "app"}, {"phase", "pre"}, {"result", "Succeeded"}},
              {{"pod", "db/db-0"}, {"container", "app"}, {"phase", "post"}, {"result", "Succeeded"}}}}}}};
}

void store_backup(const fs::path& location, const json& object) {
  const std::string name = object["metadata"]["name"];
  fs::create_directories(location / "backups" / name);
  std::ofstream(location / "backups" / name / "velero-backup.json") << object.dump(2);
}

// Velero's sync: a backup in the location that the cluster lacks becomes an object with the
// stored status, labels and annotations; server-set metadata of the old cluster is dropped;
// from the server's own location it names no BSL. It is not recreated within the period, and
// it is never taken for new by a controller.
TEST(BackupSync, CreatesMissingObjectsWithTheirStatusLabelsAndHookResults) {
  testing::TempDir dir;
  SyncHarness h(dir.path());
  store_backup(dir.path(), stored_backup("nightly", "Completed"));

  const SyncCounts counts = h.sync_once();
  EXPECT_EQ(counts.created, 1u) << h.log_text();
  EXPECT_EQ(counts.locations, 1u);
  const json b = h.backup("nightly");
  ASSERT_TRUE(b.is_object()) << h.log_text();
  EXPECT_EQ(b["apiVersion"], "stillpoint.io/v1");
  EXPECT_EQ(b["status"]["phase"], "Completed") << b.dump(2);
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 2);
  EXPECT_EQ(b["status"]["hookResults"].size(), 2u);
  EXPECT_EQ(b["status"]["completionTimestamp"], "2026-12-01T10:00:05Z");
  EXPECT_EQ(b["metadata"]["labels"]["team"], "shop");
  EXPECT_FALSE(b["metadata"]["labels"].contains(kStorageLocationLabel)) << b.dump(2);
  EXPECT_EQ(b["metadata"]["annotations"]["note"], "nightly");
  EXPECT_NE(b["metadata"]["uid"], "uid-of-the-old-cluster");
  EXPECT_NE(b["metadata"].value("creationTimestamp", ""), "2026-12-01T10:00:00Z");
  EXPECT_FALSE(b["spec"].contains("storageLocation")) << b.dump(2);
  EXPECT_EQ(b["spec"]["includedNamespaces"], json({"db"}));
  EXPECT_FALSE(is_new(b));
  EXPECT_NE(h.log_text().find("created Backup stillpoint/nightly from the server's location"),
            std::string::npos)
      << h.log_text();

  // Deleted in the cluster by hand: back at the next period, not before.
  h.cluster.erase("stillpoint.io", "backups", kNs, "nightly");
  EXPECT_EQ(h.sync_once().created, 0u);
  h.clock.advance(kDefaultBackupSyncPeriod);
  EXPECT_EQ(h.sync_once().created, 1u);
  EXPECT_EQ(h.backup("nightly")["status"]["phase"], "Completed");
}

// An object the cluster has is left as it is, even when the location says otherwise.
TEST(BackupSync, DoesNotRecreateOrOverwriteAnObjectThatExists) {
  testing::TempDir dir;
  SyncHarness h(dir.path());
  store_backup(dir.path(), stored_backup("nightly", "Completed"));
  h.add_backup("nightly", {{"includedNamespaces", {"other"}}}, "InProgress");
  const size_t calls = h.cluster.calls.size();
  const SyncCounts counts = h.sync_once();
  EXPECT_EQ(counts.created, 0u);
  EXPECT_EQ(h.backup("nightly")["status"]["phase"], "InProgress");
  EXPECT_EQ(h.backup("nightly")["spec"]["includedNamespaces"], json({"other"}));
  for (size_t i = calls; i < h.cluster.calls.size(); ++i) {
    EXPECT_EQ(h.cluster.calls[i].rfind("create", 0), std::string::npos) << h.cluster.calls[i];
    EXPECT_EQ(h.cluster.calls[i].rfind("patch backups", 0), std::string::npos) << h.cluster.calls[i];
  }
}

// Velero removes Completed objects whose backup left the location; PartiallyFailed ones are
// published too and go the same way. New, InProgress, Failed and FailedValidation objects have
// nothing in the location and stay; so do objects of another location.
TEST(BackupSync, RemovesFinishedObjectsWhoseDataVanishedAndKeepsTheRest) {
  testing::TempDir dir, other;
  SyncHarness h(dir.path());
  store_backup(dir.path(), stored_backup("kept", "Completed"));
  h.add_location("elsewhere", other.path());  // not default: the server's location is synced
  h.add_backup("kept", json::object(), "Completed");
  h.add_backup("gone", json::object(), "Completed");
  h.add_backup("gone-partly", json::object(), "PartiallyFailed");
  h.add_backup("new", json::object());
  h.add_backup("running", json::object(), "InProgress");
  h.add_backup("failed", json::object(), "Failed");
  h.add_backup("invalid", json::object(), "FailedValidation");
  h.add_backup("other-location", {{"storageLocation", "nowhere"}}, "Completed");

  const SyncCounts counts = h.sync_once();
  EXPECT_EQ(counts.removed, 2u) << h.log_text();
  EXPECT_TRUE(h.backup("gone").is_null());
  EXPECT_TRUE(h.backup("gone-partly").is_null());
  for (const char* kept : {"kept", "new", "running", "failed", "invalid", "other-location"}) {
    EXPECT_TRUE(h.backup(kept).is_object()) << kept;
  }
  EXPECT_NE(h.log_text().find("removed Backup stillpoint/gone: Completed, but its data is no "
                              "longer in the server's location"),
            std::string::npos)
      << h.log_text();
}

// The race rule: the cluster is listed before the location. A backup that completes between
// the two lists (its data published, then its status) is InProgress in the first list and in
// the location by the second: never taken for vanished.
TEST(BackupSync, ABackupCompletingBetweenTheTwoListsIsNotRemoved) {
  testing::TempDir dir;
  SyncHarness h(dir.path());
  h.add_backup("racing", json::object(), "InProgress");
  h.hooked.after_backup_list = [&] {
    store_backup(dir.path(), stored_backup("racing", "Completed"));
    h.add_backup("racing", json::object(), "Completed");
  };
  const SyncCounts counts = h.sync_once();
  EXPECT_EQ(counts.removed, 0u) << h.log_text();
  EXPECT_EQ(h.backup("racing")["status"]["phase"], "Completed");
  EXPECT_FALSE(h.hooked.after_backup_list);  // the moment came
}

// A BSL's backups are synced naming it (spec and label), and its lastSyncedTime is written;
// spec.backupSyncPeriod "0s" leaves a BSL out. With a default BSL, the server's own location
// is not synced (no Backup goes there).
TEST(BackupSync, SyncsEachLocationUnderItsOwnName) {
  testing::TempDir own, primary, quiet;
  SyncHarness h(own.path());
  store_backup(own.path(), stored_backup("own", "Completed"));
  store_backup(primary.path(), stored_backup("from-primary", "PartiallyFailed"));
  store_backup(quiet.path(), stored_backup("from-quiet", "Completed"));
  h.add_location("primary", primary.path(), {{"default", true}});
  h.add_location("quiet", quiet.path(), {{"backupSyncPeriod", "0s"}});

  const SyncCounts counts = h.sync_once();
  EXPECT_EQ(counts.created, 1u) << h.log_text();
  const json b = h.backup("from-primary");
  EXPECT_EQ(b["spec"]["storageLocation"], "primary") << b.dump(2);
  EXPECT_EQ(b["metadata"]["labels"][kStorageLocationLabel], "primary");
  EXPECT_EQ(b["metadata"]["annotations"][kSyncedFromAnnotation], "primary");
  EXPECT_EQ(b["status"]["phase"], "PartiallyFailed");
  EXPECT_TRUE(h.backup("own").is_null());
  EXPECT_TRUE(h.backup("from-quiet").is_null());
  EXPECT_TRUE(h.location("primary")["status"].contains("lastSyncedTime"));
}

// A location that cannot be opened or listed is skipped and marked Unavailable; the others
// are synced.
TEST(BackupSync, ALocationThatCannotBeListedIsSkippedAndMarkedUnavailable) {
  testing::TempDir own, good;
  SyncHarness h(own.path());
  const std::string not_a_dir = own.write("a-file", "x");
  store_backup(good.path(), stored_backup("from-good", "Completed"));
  h.add_location("broken", not_a_dir);
  h.add_location("good", good.path());
  const SyncCounts counts = h.sync_once();
  EXPECT_EQ(counts.failed, 1u) << h.log_text();
  EXPECT_EQ(counts.created, 1u);
  EXPECT_EQ(h.location("broken")["status"]["phase"], "Unavailable");
  EXPECT_NE(h.location("broken")["status"].value("message", "").find("not a directory"),
            std::string::npos)
      << h.location("broken").dump(2);
  EXPECT_TRUE(h.backup("from-good").is_object());
}

// Read-only (spec.accessMode: ReadOnly): its backups are synced, and a backup to it ends
// FailedValidation in Velero's words with nothing written there.
TEST(BackupSync, AReadOnlyLocationIsSyncedButRefusesBackups) {
  testing::TempDir own, archive;
  SyncHarness h(own.path());
  store_backup(archive.path(), stored_backup("old", "Completed"));
  h.add_location("archive", archive.path(), {{"accessMode", "ReadOnly"}, {"default", true}});
  EXPECT_EQ(h.sync_once().created, 1u) << h.log_text();
  EXPECT_EQ(h.backup("old")["status"]["phase"], "Completed");

  h.add_backup("to-archive", {{"storageLocation", "archive"}});
  h.add_backup("to-default", json::object());
  auto done = h.run([&]() -> boost::asio::awaitable<bool> {
    co_await process_backup(h.ctx, h.backup("to-archive"));
    co_await process_backup(h.ctx, h.backup("to-default"));
    co_return true;
  }());
  ASSERT_TRUE(done);
  for (const char* name : {"to-archive", "to-default"}) {
    const json b = h.backup(name);
    EXPECT_EQ(b["status"]["phase"], "FailedValidation") << b.dump(2);
    EXPECT_EQ(b["status"]["validationErrors"][0],
              "backup can't be created because backup storage location archive is currently in "
              "read-only mode");
    EXPECT_FALSE(fs::exists(archive.path() / "backups" / name));
  }
}

// The DR story in-process: a Backup object run in cluster A (labels, hooks) is synced into
// cluster B sharing the location, with its status, hook results and labels.
TEST(BackupSync, ABackupMadeInOneClusterAppearsInAnotherSharingTheLocation) {
  testing::TempDir dir;
  SyncHarness a(dir.path());
  SyncHarness b(dir.path());
  a.cluster.update("pods", testing::running_pod("db", "db-0",
                                                testing::backup_hooks("/freeze", "/unfreeze")));
  json object = {{"apiVersion", "stillpoint.io/v1"},
                 {"kind", "Backup"},
                 {"metadata",
                  {{"name", "nightly"},
                   {"namespace", kNs},
                   {"labels", {{"team", "shop"}}},
                   {"annotations", {{"kubectl.kubernetes.io/last-applied-configuration", "{}"}}}}},
                 {"spec", {{"includedNamespaces", {"db"}}}}};
  a.cluster.update("backups", object);
  auto done = a.run([&]() -> boost::asio::awaitable<bool> {
    co_await process_backup(a.ctx, a.backup("nightly"));
    co_return true;
  }());
  ASSERT_TRUE(done);
  ASSERT_EQ(a.backup("nightly")["status"]["phase"], "Completed") << a.log_text();

  EXPECT_EQ(b.sync_once().created, 1u) << b.log_text();
  const json synced = b.backup("nightly");
  const json original = a.backup("nightly");
  EXPECT_EQ(synced["status"]["phase"], "Completed") << synced.dump(2);
  EXPECT_EQ(synced["status"]["hookStatus"], original["status"]["hookStatus"]);
  EXPECT_EQ(synced["status"]["hookResults"], original["status"]["hookResults"]);
  EXPECT_EQ(synced["status"]["hookResults"].size(), 2u);
  EXPECT_EQ(synced["metadata"]["labels"], json({{"team", "shop"}}));
  EXPECT_FALSE(synced["metadata"]["annotations"].contains(
      "kubectl.kubernetes.io/last-applied-configuration"));
}

// An object created by an earlier pass whose status could not be written (the API server
// refused the patch) gets it at the next pass, and no controller ever took it for new.
TEST(BackupSync, AStatusNotWrittenAtCreateIsWrittenAtTheNextPass) {
  testing::TempDir dir;
  SyncHarness h(dir.path());
  store_backup(dir.path(), stored_backup("nightly", "Completed"));
  h.cluster.fail(FakeCluster::Call::Patch, "backups", "nightly",
                 core::Error{core::ErrorCode::Unavailable, "etcd is busy"}, 1);
  EXPECT_EQ(h.sync_once().created, 1u);
  EXPECT_FALSE(h.backup("nightly").contains("status"));
  EXPECT_FALSE(is_new(h.backup("nightly")));
  h.clock.advance(kDefaultBackupSyncPeriod);
  EXPECT_EQ(h.sync_once().created, 0u);
  EXPECT_EQ(h.backup("nightly")["status"]["phase"], "Completed") << h.log_text();
}

// Runs `sync` until `stop` is emitted. A named coroutine with named arguments: GCC 12 destroys
// temporaries of co_await expressions twice.
boost::asio::awaitable<bool> run_sync(BackupSync& sync, boost::asio::cancellation_signal& stop) {
  bool finished = false;
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer ended(executor, boost::asio::steady_timer::time_point::max());
  boost::asio::co_spawn(executor, sync.run(),
                        boost::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr) {
                          finished = true;
                          ended.cancel();
                        }));
  while (!finished) co_await ended.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return true;
}

// The loop syncs only while this replica leads, once a period, and ends when cancelled.
TEST(BackupSync, TheLoopSyncsOnlyWhileLeadingAndStopsWhenCancelled) {
  testing::TempDir dir;
  SyncHarness h(dir.path());
  store_backup(dir.path(), stored_backup("nightly", "Completed"));
  h.leading = false;
  boost::asio::cancellation_signal stop;
  size_t lists_while_standby = 0;
  auto done = h.run(run_sync(h.sync, stop),
                    {{[&] { return h.clock.sleepers() == 1; },
                      [&] {
                        for (const auto& c : h.cluster.calls) lists_while_standby += c == "list backups";
                        h.leading = true;
                        h.clock.advance(kDefaultBackupSyncPeriod);
                      }},
                     {[&] { return h.backup("nightly").contains("status"); },
                      [&] { stop.emit(boost::asio::cancellation_type::terminal); }}});
  ASSERT_TRUE(done) << h.log_text();
  EXPECT_EQ(lists_while_standby, 0u);
  EXPECT_EQ(h.backup("nightly")["status"]["phase"], "Completed");
}

// Validation: each BSL listed, its status phase, lastValidationTime, message and accessMode
// written; validationFrequency "0s" leaves one alone; a repaired location becomes Available.
TEST(LocationValidator, MarksLocationsAvailableOrUnavailable) {
  testing::TempDir own, good, archive;
  SyncHarness h(own.path());
  const std::string not_a_dir = own.write("a-file", "x");
  h.add_location("good", good.path());
  h.add_location("archive", archive.path(), {{"accessMode", "ReadOnly"}});
  h.add_location("broken", not_a_dir);
  h.add_location("unchecked", not_a_dir, {{"validationFrequency", "0s"}});
  LocationValidator validator(h.ctx, kDefaultValidationFrequency, [] { return true; });
  auto validated = h.run(validator.validate_once());
  ASSERT_TRUE(validated);
  EXPECT_EQ(*validated, 3u);
  const json g = h.location("good")["status"];
  EXPECT_EQ(g["phase"], "Available") << g.dump(2);
  EXPECT_EQ(g["accessMode"], "ReadWrite");
  EXPECT_TRUE(g.contains("lastValidationTime"));
  EXPECT_FALSE(g.contains("message"));
  EXPECT_EQ(h.location("archive")["status"]["phase"], "Available");
  EXPECT_EQ(h.location("archive")["status"]["accessMode"], "ReadOnly");
  const json broken = h.location("broken")["status"];
  EXPECT_EQ(broken["phase"], "Unavailable");
  EXPECT_NE(broken.value("message", "").find("not a directory"), std::string::npos)
      << broken.dump(2);
  EXPECT_FALSE(h.location("unchecked").contains("status"));

  // Repaired: Available at the next validation, once the frequency has passed.
  fs::remove(not_a_dir);
  h.add_location("broken", own.path() / "a-file");
  validated = h.run(validator.validate_once());
  EXPECT_EQ(*validated, 0u);
  h.clock.advance(kDefaultValidationFrequency);
  validated = h.run(validator.validate_once());
  EXPECT_EQ(*validated, 3u);
  EXPECT_EQ(h.location("broken")["status"]["phase"], "Available") << h.log_text();
  EXPECT_FALSE(h.location("broken")["status"].contains("message"));
}

}  // namespace
}  // namespace stillpoint::server
