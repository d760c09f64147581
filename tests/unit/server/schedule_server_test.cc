// Schedules, expiry and deletion in a whole Server in-process (FakeCluster, FakeClock, a
// temporary directory as the location): a day of five-minute backups with a one-hour ttl, one
// catch-up backup after three hours down, pausing, invalid schedules, a run skipped while the
// previous backup runs, garbage collection losing to a restore and keeping read-only
// locations' backups, and DeleteBackupRequests.
#include <filesystem>
#include <fstream>

#include "catalog/status_schema.h"
#include "core/json_fields.h"
#include "schedule/due_run.h"
#include "unit/server/running_server.h"

namespace stillpoint::server {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

class CountingObserver : public NoObserver {
 public:
  void backup_deleted(const std::string& schedule, bool succeeded) override {
    (succeeded ? deleted : refused)++;
  }
  void schedule_interval(const std::string& schedule, double seconds) override {
    intervals[schedule] = seconds;
  }
  int deleted = 0;
  int refused = 0;
  std::map<std::string, double> intervals;
};

json schedule_object(const std::string& name, const std::string& cron, json tmpl) {
  return {{"apiVersion", "stillpoint.io/v1"},
          {"kind", "Schedule"},
          {"metadata", {{"name", name}, {"namespace", "stillpoint"}, {"uid", "uid-" + name}}},
          {"spec", {{"schedule", cron}, {"template", std::move(tmpl)}}}};
}

struct ScheduleTest : ::testing::Test {
  CountingObserver observer;
  ServerHarness h{&observer};

  std::string phase(const std::string& plural, const std::string& name) {
    return core::string_at(h.object(plural, name), json::json_pointer("/status/phase"));
  }
  std::string name_at(const std::string& schedule, core::Clock::TimePoint t) {
    return schedule::backup_name_for(schedule, t);
  }
  std::set<std::string> stored_backups() {
    std::set<std::string> out;
    if (!fs::exists(h.location.path() / "backups")) return out;
    for (const auto& e : fs::directory_iterator(h.location.path() / "backups")) {
      out.insert(e.path().filename().string());
    }
    return out;
  }
  std::set<std::string> backup_objects() {
    const auto names = h.names("backups");
    return {names.begin(), names.end()};
  }
  // A Completed backup with data in the location, expired an hour ago.
  void expired_backup(const std::string& name, const std::string& location = "") {
    fs::create_directories(h.location.path() / "backups" / name);
    std::ofstream(h.location.path() / "backups" / name / "velero-backup.json") << "{}";
    std::ofstream(h.location.path() / "backups" / name / (name + ".tar.gz")) << "data";
    json b = backup_object(name, json::object());
    if (!location.empty()) b["spec"]["storageLocation"] = location;
    b["status"] = {{"phase", "Completed"},
                   {"expiration", catalog::rfc3339(h.clock.now() - 1h)}};
    h.cluster.update("backups", b);
  }
  json restore_of(const std::string& name, const std::string& backup, const std::string& phase) {
    json r = {{"apiVersion", "stillpoint.io/v1"},
              {"kind", "Restore"},
              {"metadata", {{"name", name}, {"namespace", "stillpoint"}}},
              {"spec", {{"backupName", backup}}}};
    if (!phase.empty()) r["status"] = {{"phase", phase}};
    return r;
  }
  std::vector<json> events(const std::string& reason) {
    std::vector<json> out;
    for (const auto& n : h.cluster.names("", "events", "stillpoint")) {
      json e = h.cluster.object("", "events", "stillpoint", n).value_or(json());
      if (e.value("reason", "") == reason) out.push_back(e);
    }
    return out;
  }
};

// Every five minutes for a simulated day with a one-hour ttl: 288 backups, each labelled with
// its schedule and named for its minute; collection every five minutes keeps the last twelve,
// and the location holds exactly the backups that exist as objects.
TEST_F(ScheduleTest, ADayOfFiveMinuteBackupsKeepsTheLastHour) {
  ServerOptions options;
  options.gc_frequency = 5min;
  RunningServer s(h, options);
  h.cluster.update("schedules", schedule_object("every5", "*/5 * * * *",
                                                {{"includedNamespaces", {"db"}}, {"ttl", "1h"}}));
  const auto start = h.clock.now();
  size_t made = 0;
  for (int step = 0; step < 288; ++step) {
    const std::string name = name_at("every5", h.clock.now());
    const size_t live = std::min(step + 1, 12);
    ASSERT_TRUE(s.run_until([&] {
      return phase("backups", name) == "Completed" && backup_objects().size() == live &&
             stored_backups() == backup_objects();
    })) << "step " << step << ": " << name << " " << phase("backups", name) << "; "
        << backup_objects().size() << " objects\n"
        << h.log_text();
    const json b = h.backup(name);
    EXPECT_EQ(b["metadata"]["labels"]["velero.io/schedule-name"], "every5");
    ++made;
    h.clock.advance(5min);
  }
  EXPECT_EQ(made, 288u);
  EXPECT_EQ(h.clock.now() - start, 24h);
  EXPECT_EQ(observer.deleted, 288 - 12);
  EXPECT_EQ(observer.refused, 0);
  EXPECT_EQ(observer.intervals["every5"], 300);
  EXPECT_EQ(core::string_at(h.object("schedules", "every5"), json::json_pointer("/status/lastBackup")),
            catalog::rfc3339(h.clock.now() - 5min));
}

// A server down for three hours makes one catch-up backup when it comes back, not 36, and the
// schedule goes on from there; pausing stops new backups, unpausing catches up once.
TEST_F(ScheduleTest, DowntimeAndPauseGiveOneCatchUpBackupEach) {
  ServerOptions options;
  options.gc_frequency = 0s;
  h.cluster.update("schedules",
                   schedule_object("every5", "*/5 * * * *", {{"includedNamespaces", {"db"}}}));
  {
    RunningServer s(h, options);
    const std::string first = name_at("every5", h.clock.now());
    ASSERT_TRUE(s.run_until([&] { return phase("backups", first) == "Completed"; })) << h.log_text();
    s.stop();
  }
  h.clock.advance(3h + 2min);
  {
    RunningServer s(h, options);
    const std::string catch_up = name_at("every5", h.clock.now());
    ASSERT_TRUE(s.run_until([&] { return phase("backups", catch_up) == "Completed"; }))
        << h.log_text();
    s.settle();
    EXPECT_EQ(backup_objects().size(), 2u);
    // The next one comes at the next activation (3 minutes on), not five minutes after.
    h.clock.advance(3min);
    const std::string next = name_at("every5", h.clock.now());
    ASSERT_TRUE(s.run_until([&] { return phase("backups", next) == "Completed"; })) << h.log_text();
    EXPECT_EQ(backup_objects().size(), 3u);

    json paused = h.object("schedules", "every5");
    paused["spec"]["paused"] = true;
    h.cluster.update("schedules", paused);
    for (int i = 0; i < 6; ++i) {
      s.settle();
      h.clock.advance(5min);
    }
    s.settle();
    EXPECT_EQ(backup_objects().size(), 3u) << h.log_text();
    EXPECT_EQ(observer.intervals["every5"], 0);  // no expected interval while paused

    json unpaused = h.object("schedules", "every5");
    unpaused["spec"]["paused"] = false;
    h.cluster.update("schedules", unpaused);
    const std::string resumed = name_at("every5", h.clock.now());
    ASSERT_TRUE(s.run_until([&] { return phase("backups", resumed) == "Completed"; }))
        << h.log_text();
    s.settle();
    EXPECT_EQ(backup_objects().size(), 4u);
  }
}

// An invalid cron expression, an unknown time zone or a template the backup would refuse:
// FailedValidation with the reason, and no backup.
TEST_F(ScheduleTest, InvalidSchedulesFailValidationWithTheReason) {
  RunningServer s(h, ServerOptions{});
  h.cluster.update("schedules", schedule_object("bad-hour", "0 25 * * *", json::object()));
  h.cluster.update("schedules",
                   schedule_object("bad-zone", "CRON_TZ=Mars/Base 0 1 * * *", json::object()));
  json bad_hook = {{"hooks",
                    {{"resources",
                      {{{"name", "h"}, {"pre", {{{"exec", {{"command", {"/x"}}, {"timeout", "300"}}}}}}}}}}}};
  h.cluster.update("schedules", schedule_object("bad-template", "@daily", bad_hook));
  ASSERT_TRUE(s.run_until([&] {
    return phase("schedules", "bad-hour") == "FailedValidation" &&
           phase("schedules", "bad-zone") == "FailedValidation" &&
           phase("schedules", "bad-template") == "FailedValidation";
  })) << h.log_text();
  auto why = [&](const std::string& name) {
    return h.object("schedules", name)["status"]["validationErrors"][0].get<std::string>();
  };
  EXPECT_NE(why("bad-hour").find("hour 25 is out of range 0-23"), std::string::npos)
      << why("bad-hour");
  EXPECT_NE(why("bad-hour").find("Schedule stillpoint/bad-hour: spec.schedule"), std::string::npos)
      << why("bad-hour");
  EXPECT_NE(why("bad-zone").find("unknown time zone \"Mars/Base\""), std::string::npos)
      << why("bad-zone");
  EXPECT_NE(why("bad-template").find("spec.template"), std::string::npos) << why("bad-template");
  EXPECT_NE(why("bad-template").find("\"300\""), std::string::npos) << why("bad-template");
  s.settle();
  EXPECT_TRUE(backup_objects().empty());
}

// A run that comes while the schedule's previous backup has not ended is skipped: lastSkipped
// and a BackupSkipped event, no second backup.
TEST_F(ScheduleTest, ARunIsSkippedWhileThePreviousBackupRuns) {
  h.cluster.update("pods", testing::running_pod("db", "db-0",
                                                testing::backup_hooks("/freeze", "/unfreeze")));
  testing::FakePodExec::Script freeze;
  freeze.hang = true;  // the first backup stays InProgress in its pre hook
  h.exec.script("/freeze", freeze);
  h.cluster.update("schedules",
                   schedule_object("hourly", "@hourly", {{"includedNamespaces", {"db"}}}));
  RunningServer s(h, ServerOptions{});
  const std::string first = name_at("hourly", h.clock.now());
  ASSERT_TRUE(s.run_until([&] { return testing::ran(h.exec, "db/db-0/app:/freeze"); }))
      << h.log_text();
  EXPECT_EQ(phase("backups", first), "InProgress");
  h.clock.advance(1h);
  ASSERT_TRUE(s.run_until([&] { return !events("BackupSkipped").empty(); })) << h.log_text();
  s.settle();
  EXPECT_EQ(backup_objects(), std::set<std::string>{first});
  EXPECT_EQ(core::string_at(h.object("schedules", "hourly"), json::json_pointer("/status/lastSkipped")),
            catalog::rfc3339(h.clock.now()));
  const json event = events("BackupSkipped").front();
  EXPECT_EQ(event["involvedObject"]["name"], "hourly");
  EXPECT_EQ(event["type"], "Warning");
  EXPECT_NE(event["message"].get<std::string>().find(first), std::string::npos);
}

// Garbage collection never deletes a backup a restore is reading: it keeps it with a
// DeletionFailed event and deletes it (and the restore made from it) at a later pass.
TEST_F(ScheduleTest, CollectionWaitsForARestoreOfTheBackup) {
  // The first pass (at start, after a predecessor's InProgress restores were failed) takes
  // this one; the restore below is started after it, as a live one would be.
  expired_backup("warm-up");
  ServerOptions options;
  options.gc_frequency = 1h;
  RunningServer s(h, options);
  ASSERT_TRUE(s.run_until([&] { return h.backup("warm-up").is_null(); })) << h.log_text();
  expired_backup("old");
  h.cluster.update("restores", restore_of("from-old", "old", "InProgress"));
  h.clock.advance(1h);
  ASSERT_TRUE(s.run_until([&] { return !events("DeletionFailed").empty(); })) << h.log_text();
  EXPECT_NE(events("DeletionFailed").front()["message"].get<std::string>().find("from-old"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(h.location.path() / "backups" / "old" / "old.tar.gz"));
  EXPECT_FALSE(h.backup("old").is_null());

  h.cluster.update("restores", restore_of("from-old", "old", "Completed"));
  h.clock.advance(1h);
  ASSERT_TRUE(s.run_until([&] { return h.backup("old").is_null(); })) << h.log_text();
  EXPECT_FALSE(fs::exists(h.location.path() / "backups" / "old"));
  EXPECT_TRUE(h.object("restores", "from-old").is_null());
  EXPECT_EQ(observer.deleted, 2);
  EXPECT_EQ(observer.refused, 1);
}

// A read-only location's backups are never deleted, however expired.
TEST_F(ScheduleTest, CollectionKeepsTheBackupsOfAReadOnlyLocation) {
  h.cluster.update("backupstoragelocations",
                   {{"apiVersion", "stillpoint.io/v1"},
                    {"kind", "BackupStorageLocation"},
                    {"metadata", {{"name", "archive"}, {"namespace", "stillpoint"}}},
                    {"spec",
                     {{"provider", "stillpoint.io/local"},
                      {"accessMode", "ReadOnly"},
                      {"objectStorage", {{"bucket", "unused"}}},
                      {"config", {{"path", h.location.path().string()}}}}}});
  expired_backup("kept", "archive");
  ServerOptions options;
  options.gc_frequency = 1h;
  RunningServer s(h, options);
  ASSERT_TRUE(s.run_until([&] { return !events("DeletionFailed").empty(); })) << h.log_text();
  EXPECT_NE(events("DeletionFailed").front()["message"].get<std::string>().find("read-only"),
            std::string::npos);
  EXPECT_TRUE(fs::exists(h.location.path() / "backups" / "kept" / "kept.tar.gz"));
  EXPECT_FALSE(h.backup("kept").is_null());
}

// A DeleteBackupRequest deletes the data and then the object; refused (Processed with the
// reason) while a restore from the backup runs; a backup already gone is no error.
TEST_F(ScheduleTest, DeleteBackupRequestsDeleteDataAndObjectOnce) {
  expired_backup("b1");
  auto request = [](const std::string& name, const std::string& backup) {
    return json{{"apiVersion", "stillpoint.io/v1"},
                {"kind", "DeleteBackupRequest"},
                {"metadata", {{"name", name}, {"namespace", "stillpoint"}}},
                {"spec", {{"backupName", backup}}}};
  };
  ServerOptions options;
  options.gc_frequency = 0s;
  RunningServer s(h, options);
  // A backup that does not exist: Processed without errors (and the server is past its
  // start-up, which fails a predecessor's InProgress restores).
  h.cluster.update("deletebackuprequests", request("d0", "never-was"));
  ASSERT_TRUE(s.run_until([&] { return phase("deletebackuprequests", "d0") == "Processed"; }))
      << h.log_text();
  EXPECT_TRUE(h.object("deletebackuprequests", "d0")["status"]["errors"].empty());
  h.cluster.update("restores", restore_of("r1", "b1", "InProgress"));
  h.cluster.update("deletebackuprequests", request("d1", "b1"));
  ASSERT_TRUE(s.run_until([&] { return phase("deletebackuprequests", "d1") == "Processed"; }))
      << h.log_text();
  const json refused = h.object("deletebackuprequests", "d1");
  ASSERT_EQ(refused["status"]["errors"].size(), 1u) << refused.dump(2);
  EXPECT_NE(refused["status"]["errors"][0].get<std::string>().find("restore \"r1\""),
            std::string::npos);
  EXPECT_TRUE(fs::exists(h.location.path() / "backups" / "b1" / "b1.tar.gz"));

  h.cluster.update("restores", restore_of("r1", "b1", "Completed"));
  h.cluster.update("deletebackuprequests", request("d2", "b1"));
  ASSERT_TRUE(s.run_until([&] { return phase("deletebackuprequests", "d2") == "Processed"; }))
      << h.log_text();
  EXPECT_TRUE(h.object("deletebackuprequests", "d2")["status"]["errors"].empty());
  EXPECT_FALSE(fs::exists(h.location.path() / "backups" / "b1"));
  EXPECT_TRUE(h.backup("b1").is_null());

  h.cluster.update("deletebackuprequests", request("d3", "b1"));
  ASSERT_TRUE(s.run_until([&] { return phase("deletebackuprequests", "d3") == "Processed"; }))
      << h.log_text();
  EXPECT_TRUE(h.object("deletebackuprequests", "d3")["status"]["errors"].empty());
  EXPECT_EQ(observer.deleted, 1);
  EXPECT_EQ(observer.refused, 1);
}

}  // namespace
}  // namespace stillpoint::server
