// What a restore records: the results file (warnings and errors by where they happened), the
// velero.io/v1 Restore object, and reading them back from a location — where a restore
// without its velero-restore.json (an attempt that died) is never listed.
#include <filesystem>

#include <gtest/gtest.h>

#include "catalog/gzip_object_writer.h"
#include "catalog/restore_catalog.h"
#include "catalog/restore_keys.h"
#include "restore/restore_results.h"
#include "restore/restore_status.h"
#include "storage/local_store.h"

namespace stillpoint::restore {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

TEST(RestoreResults, GroupsMessagesLikeVeleroResultsFile) {
  RestoreResults r;
  r.warning("shop", "pods shop/db: already exists");
  r.warning("", "persistentvolumes pv1: exists");
  r.error("shop", "configmaps shop/x: invalid");
  r.error("shop", "secrets shop/y: invalid");
  r.restore_error("CRD z not Established");
  EXPECT_EQ(r.warnings(), 2);
  EXPECT_EQ(r.errors(), 3);
  const json j = r.to_json();
  EXPECT_EQ(j["warnings"]["namespaces"]["shop"], json({"pods shop/db: already exists"}));
  EXPECT_EQ(j["warnings"]["cluster"], json({"persistentvolumes pv1: exists"}));
  EXPECT_FALSE(j["warnings"].contains("velero"));
  EXPECT_EQ(j["errors"]["namespaces"]["shop"].size(), 2u);
  EXPECT_EQ(j["errors"]["velero"], json({"CRD z not Established"}));
  EXPECT_EQ(RestoreResults().to_json(),
            json({{"warnings", json::object()}, {"errors", json::object()}}));
}

TEST(RestoreObject, CarriesVelerosFieldsAndStillpointsCounts) {
  RestoreRequest request;
  request.name = "r1";
  request.backup_name = "nightly";
  request.spec = {{"namespaceMapping", {{"a", "b"}}}};
  RestoreStatus s;
  s.phase = Phase::PartiallyFailed;
  s.start = std::chrono::system_clock::from_time_t(1700000000);
  s.completion = s.start + std::chrono::seconds(5);
  s.total_items = 10;
  s.items_restored = 7;
  s.items_skipped = 2;
  s.items_failed = 1;
  s.errors = 2;
  s.warnings = 1;
  s.hook_status = {3, 1, 0};
  hooks::HookRecord h;
  h.namespace_name = "b";
  h.pod = "db";
  h.container = "c";
  h.phase = "post";
  h.name = "check";
  h.result = hooks::HookResult::NotExecuted;
  h.error = "hook check in container c in pod b/db not executed: container did not become "
            "running within 5s";
  s.hook_results.push_back(h);
  const json o = restore_object(request, s);
  EXPECT_EQ(o["apiVersion"], "velero.io/v1");
  EXPECT_EQ(o["kind"], "Restore");
  EXPECT_EQ(o["metadata"]["name"], "r1");
  EXPECT_EQ(o["spec"]["backupName"], "nightly");
  EXPECT_EQ(o["spec"]["namespaceMapping"]["a"], "b");
  EXPECT_EQ(o["status"]["phase"], "PartiallyFailed");
  EXPECT_EQ(o["status"]["startTimestamp"], "2023-11-14T22:13:20Z");
  EXPECT_EQ(o["status"]["completionTimestamp"], "2023-11-14T22:13:25Z");
  EXPECT_EQ(o["status"]["progress"],
            json({{"totalItems", 10}, {"itemsRestored", 7}, {"itemsSkipped", 2},
                  {"itemsFailed", 1}}));
  EXPECT_EQ(o["status"]["hookStatus"]["hooksAttempted"], 3);
  EXPECT_EQ(o["status"]["hookStatus"]["hooksFailed"], 1);
  ASSERT_EQ(o["status"]["hookResults"].size(), 1u);
  EXPECT_EQ(o["status"]["hookResults"][0]["result"], "NotExecuted");
  EXPECT_EQ(o["status"]["hookResults"][0]["error"], h.error);
}

class RestoreCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("restore-catalog-" + std::to_string(::getpid()));
    fs::remove_all(root_);
    fs::create_directories(root_);
    store_ = std::make_unique<storage::LocalDirStore>(root_);
  }
  void TearDown() override { fs::remove_all(root_); }
  void record(const std::string& name, const std::string& phase) {
    ASSERT_TRUE(storage::write_all(*store_, catalog::restore_object_key(name),
                                   json({{"kind", "Restore"},
                                         {"metadata", {{"name", name}}},
                                         {"status", {{"phase", phase}}}})
                                       .dump()));
  }
  fs::path root_;
  std::unique_ptr<storage::LocalDirStore> store_;
};

TEST_F(RestoreCatalogTest, ListsOnlyPublishedRestoresSortedByName) {
  record("zeta", "Completed");
  record("alpha", "PartiallyFailed");
  // An attempt that died before publishing: a log but no velero-restore.json.
  ASSERT_TRUE(storage::write_all(*store_, catalog::restore_log_key("dead"), "x"));
  auto list = catalog::list_restores(*store_);
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0]["metadata"]["name"], "alpha");
  EXPECT_EQ((*list)[1]["metadata"]["name"], "zeta");
}

TEST_F(RestoreCatalogTest, MissingRestoreIsNotFoundNamingTheLocation) {
  auto r = catalog::read_restore(*store_, "nope");
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::ErrorCode::NotFound);
  EXPECT_NE(r.error().message.find("restore \"nope\" not found in "), std::string::npos);
  EXPECT_NE(r.error().message.find(root_.string()), std::string::npos);
  auto log = catalog::read_restore_log(*store_, "nope", [](std::string_view) {});
  ASSERT_FALSE(log.has_value());
  EXPECT_EQ(log.error().code, core::ErrorCode::NotFound);
}

TEST_F(RestoreCatalogTest, ReadsLogAndResultsBack) {
  ASSERT_TRUE(catalog::write_gzip(*store_, catalog::restore_log_key("r"), "{\"msg\":\"a\"}\n"));
  RestoreResults results;
  results.error("ns", "boom");
  ASSERT_TRUE(catalog::write_gzip(*store_, catalog::restore_results_key("r"), results.to_json().dump()));
  std::string log;
  ASSERT_TRUE(catalog::read_restore_log(*store_, "r", [&](std::string_view p) { log.append(p); }));
  EXPECT_EQ(log, "{\"msg\":\"a\"}\n");
  auto back = catalog::read_restore_results(*store_, "r");
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ((*back)["errors"]["namespaces"]["ns"], json({"boom"}));
}

TEST_F(RestoreCatalogTest, CorruptObjectsAreErrorsNotCrashes) {
  ASSERT_TRUE(storage::write_all(*store_, catalog::restore_object_key("bad"), "{not json"));
  auto r = catalog::read_restore(*store_, "bad");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("is not a JSON object"), std::string::npos);
  ASSERT_TRUE(storage::write_all(*store_, catalog::restore_results_key("bad"), "not gzip at all"));
  EXPECT_FALSE(catalog::read_restore_results(*store_, "bad").has_value());
}

}  // namespace
}  // namespace stillpoint::restore
