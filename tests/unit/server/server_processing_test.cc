// A Backup object run by the server's code in-process (FakeCluster, FakePodExec, a temporary
// directory as the default location): status written back, the pods between pre and post
// hooks recorded on the object while their hooks run; a predecessor's InProgress backup
// settled (post hooks run, Failed with the reason); the controller dropping an object deleted
// while queued and starting the rest oldest first.
#include "server/backup_processor.h"
#include "server/hook_window_recorder.h"
#include "server/interrupted_operations.h"
#include "server/operation_controller.h"
#include "unit/server/server_harness.h"

namespace stillpoint::server {
namespace {

using nlohmann::json;
using testing::FakeCluster;
using testing::Harness;


TEST(ServerProcessing, ABackupObjectRunsToCompletedWithItsHookWindowRecorded) {
  ServerHarness h;
  h.cluster.update("pods", testing::running_pod("db", "db-0",
                                                testing::backup_hooks("/freeze", "/unfreeze")));
  h.cluster.update("backups", backup_object("b1", {{"includedNamespaces", {"db"}}}));
  // While the pre hook runs, the object names the pod as between pre and post hooks.
  std::vector<std::string> recorded_during_hook;
  testing::FakePodExec::Script freeze;
  freeze.on_start = [&] { recorded_during_hook = pods_in_hook_window(h.backup("b1")); };
  h.exec.script("/freeze", freeze);

  auto done = h.run([&]() -> boost::asio::awaitable<bool> {
    co_await process_backup(h.ctx, h.backup("b1"));
    co_return true;
  }());
  ASSERT_TRUE(done) << h.log_text();
  const json b = h.backup("b1");
  EXPECT_EQ(b["status"]["phase"], "Completed") << b.dump(2) << h.log_text();
  EXPECT_EQ(b["status"]["hookStatus"]["hooksAttempted"], 2);
  EXPECT_TRUE(b["status"].contains("startTimestamp"));
  EXPECT_TRUE(b["status"].contains("completionTimestamp"));
  std::string calls;
  for (const auto& c : h.cluster.calls) calls += c + "\n";
  EXPECT_EQ(recorded_during_hook, std::vector<std::string>{"db/db-0"}) << h.log_text() << calls;
  EXPECT_TRUE(pods_in_hook_window(b).empty()) << b.dump(2);  // closed after the post hook
  EXPECT_TRUE(testing::ran(h.exec, "db/db-0/app:/freeze"));
  EXPECT_TRUE(testing::ran(h.exec, "db/db-0/app:/unfreeze"));
  EXPECT_TRUE(std::filesystem::exists(h.location.path() / "backups" / "b1" / "velero-backup.json"));
}

TEST(ServerProcessing, AnInvalidSpecIsFailedValidationWithTheField) {
  ServerHarness h;
  json spec = {{"hooks",
                {{"resources",
                  {{{"name", "h"}, {"pre", {{{"exec", {{"command", {"/x"}}, {"timeout", "300"}}}}}}}}}}}};
  h.cluster.update("backups", backup_object("bad", spec));
  auto done = h.run([&]() -> boost::asio::awaitable<bool> {
    co_await process_backup(h.ctx, h.backup("bad"));
    co_return true;
  }());
  ASSERT_TRUE(done);
  const json b = h.backup("bad");
  EXPECT_EQ(b["status"]["phase"], "FailedValidation") << b.dump(2);
  const std::string why = b["status"]["validationErrors"][0];
  EXPECT_NE(why.find("timeout"), std::string::npos) << why;
  EXPECT_NE(why.find("\"300\""), std::string::npos) << why;
  EXPECT_NE(why.find("Backup stillpoint/bad"), std::string::npos) << why;
}

TEST(ServerProcessing, AClaimOnAStaleObjectIsRefusedAndNothingRuns) {
  ServerHarness h;
  h.cluster.update("backups", backup_object("b1", json::object()));
  const json stale = h.backup("b1");
  h.cluster.update("backups", backup_object("b1", json::object()));  // changed since read
  auto done = h.run([&]() -> boost::asio::awaitable<bool> {
    co_await process_backup(h.ctx, stale);
    co_return true;
  }());
  ASSERT_TRUE(done);
  EXPECT_FALSE(h.backup("b1").contains("status")) << h.backup("b1").dump(2);
  EXPECT_FALSE(std::filesystem::exists(h.location.path() / "backups" / "b1"));
}

TEST(ServerProcessing, APredecessorsBackupIsSettledPostHooksFirst) {
  ServerHarness h;
  h.cluster.update("pods", testing::running_pod("db", "db-0",
                                                testing::backup_hooks("/freeze", "/unfreeze")));
  json b = backup_object("b1", {{"includedNamespaces", {"db"}}});
  b["metadata"]["annotations"] = {{kHookWindowAnnotation, "db/db-0,db/gone"}};
  b["status"] = {{"phase", "InProgress"}};
  h.cluster.update("backups", b);
  json done_one = backup_object("done", json::object());
  done_one["status"] = {{"phase", "Completed"}};
  h.cluster.update("backups", done_one);

  auto counts = h.run(recover_interrupted_operations(h.ctx));
  ASSERT_TRUE(counts);
  EXPECT_EQ(counts->backups_failed, 1u);
  EXPECT_TRUE(testing::ran(h.exec, "db/db-0/app:/unfreeze"));
  EXPECT_FALSE(testing::ran(h.exec, "db/db-0/app:/freeze"));
  const json after = h.backup("b1");
  EXPECT_EQ(after["status"]["phase"], "Failed");
  const std::string reason = after["status"]["failureReason"];
  EXPECT_NE(reason.find("db/db-0"), std::string::npos) << reason;
  EXPECT_TRUE(pods_in_hook_window(after).empty());
  EXPECT_EQ(h.backup("done")["status"]["phase"], "Completed");
}

// Runs `controller` until `stop` is emitted. A named coroutine with named arguments: GCC 12
// destroys temporaries of co_await expressions twice.
boost::asio::awaitable<bool> run_controller(OperationController& controller,
                                            boost::asio::cancellation_signal& stop) {
  bool finished = false;
  auto executor = co_await boost::asio::this_coro::executor;
  boost::asio::steady_timer ended(executor, boost::asio::steady_timer::time_point::max());
  boost::asio::co_spawn(executor, controller.run(),
                        boost::asio::bind_cancellation_slot(stop.slot(), [&](std::exception_ptr) {
                          finished = true;
                          ended.cancel();
                        }));
  while (!finished) co_await ended.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
  co_return true;
}

TEST(ServerProcessing, TheControllerDropsAnObjectDeletedWhileQueuedAndStartsOldestFirst) {
  ServerHarness h;
  h.cluster.update("backups", backup_object("late", json::object(), "2026-12-07T10:00:03Z"));
  h.cluster.update("backups", backup_object("early", json::object(), "2026-12-07T10:00:01Z"));
  h.cluster.update("backups", backup_object("deleted", json::object(), "2026-12-07T10:00:02Z"));
  bool leading = false;
  std::vector<std::string> started;
  boost::asio::cancellation_signal stop;
  OperationController::Process process = [&](json o) -> boost::asio::awaitable<void> {
    started.push_back(o["metadata"]["name"]);
    if (started.size() == 2) stop.emit(boost::asio::cancellation_type::terminal);
    co_return;
  };
  OperationController controller(h.cluster, h.clock, h.io.get_executor(),
                                 h.ctx.resources.backups, ControllerOptions{"stillpoint", 1, {}},
                                 process, [&] { return leading; });
  auto done = h.run(run_controller(controller, stop),
                    {{[&] { return controller.queued() == 3; },
                      [&] {
                        // Deleted while queued and not leading; then this replica leads.
                        h.cluster.erase("stillpoint.io", "backups", "stillpoint", "deleted");
                      }},
                     {[&] { return controller.queued() == 2; },
                      [&] {
                        leading = true;
                        controller.wake();
                      }}});
  ASSERT_TRUE(done);
  EXPECT_EQ(started, (std::vector<std::string>{"early", "late"}));
}

}  // namespace
}  // namespace stillpoint::server
