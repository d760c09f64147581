// The `schedule` commands, `backup create --from-schedule` and `backup delete` through the
// server (issue 19), end to end on kubesim with our CRDs: the real binary writes the objects,
// the real kubectl reads them back. No server runs: the tests check what the CLI asks of it
// (--wait=false), and one plays the server's part by patching a DeleteBackupRequest's status.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>

#include "server_fixture.h"

extern char** environ;

namespace stillpoint::e2e {
namespace {

using nlohmann::json;

class ScheduleCliTest : public ServerE2eTest {
 protected:
  std::vector<std::string> argv(std::vector<std::string> args) {
    std::vector<std::string> all{STILLPOINT_BINARY};
    all.insert(all.end(), args.begin(), args.end());
    all.push_back("--kubeconfig=" + sim_.server().kubeconfig_path().string());
    return all;
  }
  // stillpoint args... with --kubeconfig only (these commands take no location).
  CommandResult cli(std::vector<std::string> args) {
    return kubesim::testing::run_command(argv(std::move(args)), "", std::chrono::seconds(60));
  }
  json parse(const std::string& text) { return json::parse(text, nullptr, false); }
};

// schedule create writes every backup flag into spec.template and its own flags into spec;
// --from-file's Schedule is the base the flags are written over; a taken name, an empty cron
// text and a bad template are refused with the schedule named; get, pause and unpause act on
// the object; a missing schedule is exit 1 with its name.
TEST_F(ScheduleCliTest, CreateGetPauseAndUnpause) {
  const CommandResult created =
      cli({"schedule", "create", "nightly", "--schedule", "0 1 * * *", "--include-namespaces",
           "shop,db", "--exclude-resources", "secrets", "-l", "app=db", "--ttl", "24h",
           "--storage-location", "main", "--default-volumes-to-fs-backup", "--paused",
           "--skip-immediately", "--use-owner-references-in-backup"});
  ASSERT_EQ(created.exit_code, 0) << created.describe();
  EXPECT_NE(created.out.find("Schedule \"nightly\" created in namespace stillpoint"),
            std::string::npos)
      << created.out;
  const json s = get("schedules", "nightly");
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["spec"]["schedule"], "0 1 * * *");
  EXPECT_EQ(s["spec"]["paused"], true);
  EXPECT_EQ(s["spec"]["skipImmediately"], true);
  EXPECT_EQ(s["spec"]["useOwnerReferencesInBackup"], true);
  const json& t = s["spec"]["template"];
  EXPECT_EQ(t["includedNamespaces"], json({"shop", "db"})) << s.dump(2);
  EXPECT_EQ(t["excludedResources"], json({"secrets"}));
  EXPECT_EQ(t["labelSelector"], json({{"matchLabels", {{"app", "db"}}}}));
  EXPECT_EQ(t["ttl"], "24h");
  EXPECT_EQ(t["storageLocation"], "main");
  EXPECT_EQ(t["defaultVolumesToFsBackup"], true);

  const CommandResult again = cli({"schedule", "create", "nightly", "--schedule", "0 2 * * *"});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("schedule \"nightly\" already exists in namespace stillpoint"),
            std::string::npos)
      << again.err;
  const CommandResult empty = cli({"schedule", "create", "blank", "--schedule", " "});
  EXPECT_EQ(empty.exit_code, 1);
  EXPECT_NE(empty.err.find("schedule \"blank\": a cron schedule is required"), std::string::npos)
      << empty.err;
  const CommandResult bad_ttl =
      cli({"schedule", "create", "bad", "--schedule", "@daily", "--ttl", "300"});
  EXPECT_EQ(bad_ttl.exit_code, 1);
  EXPECT_NE(bad_ttl.err.find("spec.ttl"), std::string::npos) << bad_ttl.err;
  EXPECT_FALSE(get("schedules", "blank").is_object());

  const auto file = sim_.dir() / "schedule.yaml";
  std::ofstream(file) << R"(apiVersion: velero.io/v1
kind: Schedule
metadata:
  name: weekly
  labels: {team: shop}
spec:
  schedule: "0 3 * * 0"
  template:
    includedNamespaces: [x]
    ttl: 1h0m0s
    hooks:
      resources:
      - name: h
        pre:
        - exec: {command: [/bin/true]}
)";
  const CommandResult from_file = cli({"schedule", "create", "--from-file", file.string(),
                                       "--include-namespaces", "y", "--ttl", "2h", "-o", "json"});
  ASSERT_EQ(from_file.exit_code, 0) << from_file.describe();
  const json w = parse(from_file.out);
  ASSERT_TRUE(w.is_object()) << from_file.out;
  EXPECT_EQ(w["apiVersion"], "stillpoint.io/v1");
  EXPECT_EQ(w["metadata"]["name"], "weekly");
  EXPECT_EQ(w["metadata"]["labels"]["team"], "shop");
  EXPECT_FALSE(w["metadata"].value("uid", "").empty()) << "the object as created";
  EXPECT_EQ(w["spec"]["schedule"], "0 3 * * 0");
  EXPECT_EQ(w["spec"]["template"]["includedNamespaces"], json({"y"}));
  EXPECT_EQ(w["spec"]["template"]["ttl"], "2h");
  EXPECT_EQ(w["spec"]["template"]["hooks"]["resources"][0]["name"], "h");

  const CommandResult table = cli({"schedule", "get"});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  EXPECT_TRUE(std::regex_search(table.out,
                                std::regex("NAME +STATUS +SCHEDULE +LAST BACKUP +AGE +PAUSED\n")))
      << table.out;
  EXPECT_TRUE(
      std::regex_search(table.out, std::regex("nightly +New +0 1 \\* \\* \\* +n/a +\\d+s +true")))
      << table.out;
  EXPECT_TRUE(
      std::regex_search(table.out, std::regex("weekly +New +0 3 \\* \\* 0 +n/a +\\d+s +false")))
      << table.out;
  const CommandResult listed = cli({"schedule", "get", "weekly", "-o", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.describe();
  EXPECT_EQ(parse(listed.out)["items"].size(), 1u) << listed.out;
  const CommandResult missing = cli({"schedule", "get", "nope"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_NE(missing.err.find("schedule \"nope\" not found in namespace stillpoint"),
            std::string::npos)
      << missing.err;

  const CommandResult unpaused = cli({"schedule", "unpause", "nightly"});
  EXPECT_EQ(unpaused.exit_code, 0) << unpaused.describe();
  EXPECT_EQ(get("schedules", "nightly")["spec"]["paused"], false);
  // Every name is tried; the missing one fails the command.
  const CommandResult paused = cli({"schedule", "pause", "nope", "weekly"});
  EXPECT_EQ(paused.exit_code, 1);
  EXPECT_NE(paused.err.find("schedule \"nope\" not found"), std::string::npos) << paused.err;
  EXPECT_NE(paused.out.find("Schedule \"weekly\" paused"), std::string::npos) << paused.out;
  EXPECT_EQ(get("schedules", "weekly")["spec"]["paused"], true);
}

// backup create --from-schedule makes the Backup the server would: the template as spec, label
// velero.io/schedule-name, an ownerReference to the Schedule (useOwnerReferencesInBackup), a
// name <schedule>-<yyyyMMddHHmmss>; spec flags beside it are refused by name. describe lists
// the schedule's backups newest first; delete keeps them.
TEST_F(ScheduleCliTest, BackupFromScheduleDescribeAndDelete) {
  ASSERT_EQ(cli({"schedule", "create", "nightly", "--schedule", "0 1 * * *", "--include-namespaces",
                 "shop", "--ttl", "24h", "--use-owner-references-in-backup"})
                .exit_code,
            0);
  const json schedule = get("schedules", "nightly");
  const CommandResult made =
      cli({"backup", "create", "--from-schedule", "nightly", "--wait=false", "-o", "json"});
  ASSERT_EQ(made.exit_code, 0) << made.describe();
  const json b = parse(made.out);
  ASSERT_TRUE(b.is_object()) << made.out;
  const std::string name = b["metadata"]["name"];
  EXPECT_TRUE(std::regex_match(name, std::regex("nightly-20\\d{12}"))) << name;
  const json stored = get("backups", name);
  ASSERT_TRUE(stored.is_object());
  EXPECT_EQ(stored["spec"], schedule["spec"]["template"]) << stored.dump(2);
  EXPECT_EQ(stored["metadata"]["labels"]["velero.io/schedule-name"], "nightly");
  const json& owner = stored["metadata"]["ownerReferences"][0];
  EXPECT_EQ(owner["kind"], "Schedule");
  EXPECT_EQ(owner["name"], "nightly");
  EXPECT_EQ(owner["uid"], schedule["metadata"]["uid"]);
  EXPECT_EQ(owner["controller"], true);

  const CommandResult named =
      cli({"backup", "create", "nightly-by-hand", "--from-schedule", "nightly", "--wait=false"});
  ASSERT_EQ(named.exit_code, 0) << named.describe();
  EXPECT_NE(named.out.find("Backup \"nightly-by-hand\" created in namespace stillpoint"),
            std::string::npos)
      << named.out;
  const CommandResult refused = cli({"backup", "create", "x", "--from-schedule", "nightly", "--ttl",
                                     "1h", "--include-namespaces", "a"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("--include-namespaces, --ttl cannot be used with it"),
            std::string::npos)
      << refused.err;
  const CommandResult no_schedule =
      cli({"backup", "create", "--from-schedule", "nope", "--wait=false"});
  EXPECT_EQ(no_schedule.exit_code, 1);
  EXPECT_NE(no_schedule.err.find("schedule \"nope\" not found in namespace stillpoint"),
            std::string::npos)
      << no_schedule.err;
  apply(
      "apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: unrelated, namespace: "
      "stillpoint}\nspec: {}\n");
  // What the server would write: the phase, its reasons, the last backup; a backup's phase.
  const auto patch_status = [&](const std::string& resource, const std::string& object,
                                const std::string& status) {
    const CommandResult r =
        sim_.kubectl({"patch", resource, object, "-n", "stillpoint", "--subresource=status",
                      "--type=merge", "-p", R"({"status":)" + status + "}"});
    EXPECT_EQ(r.exit_code, 0) << r.describe();
  };
  patch_status(
      "schedules", "nightly",
      R"({"phase":"FailedValidation","validationErrors":["invalid schedule: 61 is not a minute"],"lastBackup":"2026-01-01T00:00:00Z"})");
  patch_status("backups", "nightly-by-hand", R"({"phase":"Completed"})");
  const CommandResult failed = cli({"schedule", "get", "nightly"});
  EXPECT_TRUE(std::regex_search(
      failed.out, std::regex("nightly +FailedValidation +0 1 \\* \\* \\* +\\d+d ago")))
      << failed.out;

  const CommandResult described = cli({"schedule", "describe", "nightly"});
  ASSERT_EQ(described.exit_code, 0) << described.describe();
  const std::string& d = described.out;
  EXPECT_NE(d.find("Schedule:         0 1 * * *"), std::string::npos) << d;
  EXPECT_NE(d.find("Included namespaces: shop"), std::string::npos) << d;
  EXPECT_NE(d.find("TTL:                 24h"), std::string::npos) << d;
  EXPECT_NE(d.find("Owns its backups: true"), std::string::npos) << d;
  EXPECT_NE(d.find("Last backup:      2026-01-01T00:00:00Z"), std::string::npos) << d;
  EXPECT_NE(d.find("Phase:            FailedValidation"), std::string::npos) << d;
  EXPECT_NE(d.find("Validation errors:\n  invalid schedule: 61 is not a minute\n"),
            std::string::npos)
      << d;
  EXPECT_TRUE(std::regex_search(d, std::regex("nightly-by-hand +Completed"))) << d;
  // Created one after the other (the name breaks a tie within a second): newest first.
  const auto first = d.find("nightly-by-hand"), second = d.find(name);
  EXPECT_NE(first, std::string::npos) << d;
  EXPECT_LT(first, second) << d;
  EXPECT_EQ(d.find("unrelated"), std::string::npos) << d;

  const CommandResult help = cli({"schedule", "delete", "--help"});
  EXPECT_NE(help.out.find("The backups already made stay"), std::string::npos) << help.out;
  const CommandResult deleted = cli({"schedule", "delete", "nightly"});
  ASSERT_EQ(deleted.exit_code, 0) << deleted.describe();
  EXPECT_NE(deleted.out.find("the backups made from it stay"), std::string::npos) << deleted.out;
  EXPECT_FALSE(get("schedules", "nightly").is_object());
  EXPECT_TRUE(get("backups", name).is_object()) << "orphaned, not collected";
  const CommandResult gone = cli({"schedule", "describe", "nightly"});
  EXPECT_EQ(gone.exit_code, 1);
  EXPECT_NE(gone.err.find("schedule \"nightly\" not found"), std::string::npos) << gone.err;
}

// backup delete without a location flag asks the server: a DeleteBackupRequest of Velero's
// shape; a backup with no Backup object is nothing to delete (exit 0); a request the server
// processed with errors prints them and exits 1.
TEST_F(ScheduleCliTest, BackupDeleteCreatesADeleteBackupRequest) {
  const CommandResult ghost = cli({"backup", "delete", "ghost"});
  EXPECT_EQ(ghost.exit_code, 0) << ghost.describe();
  EXPECT_NE(ghost.out.find("backup \"ghost\" not found in namespace stillpoint: nothing to delete"),
            std::string::npos)
      << ghost.out;
  apply(
      "apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: old, namespace: "
      "stillpoint}\nspec: {}\n---\napiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: "
      "{name: broken, namespace: stillpoint}\nspec: {}\n");
  const std::string uid = get("backups", "old")["metadata"]["uid"];
  const CommandResult asked = cli({"backup", "delete", "old", "--wait=false", "-o", "json"});
  ASSERT_EQ(asked.exit_code, 0) << asked.describe();
  const json request = parse(asked.out);
  ASSERT_TRUE(request.is_object()) << asked.out;
  EXPECT_EQ(request["kind"], "DeleteBackupRequest");
  EXPECT_EQ(request["metadata"]["generateName"], "old-");
  EXPECT_EQ(request["metadata"]["name"].get<std::string>().rfind("old-", 0), 0u);
  EXPECT_EQ(request["metadata"]["labels"]["velero.io/backup-name"], "old");
  EXPECT_EQ(request["metadata"]["labels"]["velero.io/backup-uid"], uid);
  EXPECT_EQ(request["spec"]["backupName"], "old");
  EXPECT_TRUE(get("deletebackuprequests", request["metadata"]["name"]).is_object());

  // The server's part, played by kubectl: the request for "broken" is processed with an error.
  const auto out = sim_.dir() / "delete.out";
  const auto err = sim_.dir() / "delete.err";
  std::vector<std::string> args = argv({"backup", "delete", "broken"});
  std::vector<char*> cargs;
  for (auto& a : args)
    cargs.push_back(a.data());
  cargs.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(), O_WRONLY | O_CREAT, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(), O_WRONLY | O_CREAT, 0644);
  pid_t pid = -1;
  ASSERT_EQ(posix_spawn(&pid, cargs[0], &actions, nullptr, cargs.data(), environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  std::string request_name;
  const bool seen = kubesim::testing::KubesimFixture::eventually([&] {
    const CommandResult r = sim_.kubectl({"get", "deletebackuprequests", "-n", "stillpoint", "-l",
                                          "velero.io/backup-name=broken", "-o", "json"});
    const json items = parse(r.out).value("items", json::array());
    if (items.empty())
      return false;
    request_name = items[0]["metadata"]["name"];
    return true;
  });
  if (seen) {
    const CommandResult patched =
        sim_.kubectl({"patch", "deletebackuprequests", request_name, "-n", "stillpoint",
                      "--subresource=status", "--type=merge", "-p",
                      R"({"status":{"phase":"Processed","errors":["location unavailable"]}})"});
    EXPECT_EQ(patched.exit_code, 0) << patched.describe();
  }
  int status = 0;
  if (!seen)
    ::kill(pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  ASSERT_TRUE(seen) << read_file(err);
  EXPECT_EQ(WEXITSTATUS(status), 1) << read_file(err);
  EXPECT_NE(read_file(err).find("error: backup \"broken\": location unavailable"),
            std::string::npos)
      << read_file(err);
}

}  // namespace
}  // namespace stillpoint::e2e
