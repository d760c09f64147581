#include "hooks/annotations.h"

#include <regex>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/hooks/builders.h"

namespace stillpoint::hooks {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::messages;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr const char* kPre = "pre.hook.backup.velero.io/";
constexpr const char* kPost = "post.hook.backup.velero.io/";
constexpr const char* kLegacy = "hook.backup.velero.io/";
constexpr const char* kRestore = "post.hook.restore.velero.io/";
constexpr const char* kInit = "init.hook.restore.velero.io/";

std::string k(const char* prefix, const char* field) { return std::string(prefix) + field; }

// All four pre keys are read; the command follows parseStringToCommand.
TEST(BackupAnnotations, ReadsPreKeys) {
  Findings f;
  auto hook = backup_annotation_hook({{k(kPre, "container"), "db"},
                                      {k(kPre, "command"), R"(["/bin/fsfreeze","--freeze"])"},
                                      {k(kPre, "on-error"), "Continue"},
                                      {k(kPre, "timeout"), "1m30s"}},
                                     HookPhase::Pre, f);
  ASSERT_TRUE(hook.has_value());
  EXPECT_EQ(hook->container, "db");
  EXPECT_EQ(hook->command, (std::vector<std::string>{"/bin/fsfreeze", "--freeze"}));
  EXPECT_EQ(hook->on_error, OnError::Continue);
  EXPECT_EQ(hook->timeout, minutes(1) + seconds(30));
  EXPECT_THAT(f.warnings, IsEmpty());
  EXPECT_THAT(f.errors, IsEmpty());
}

// Legacy hook.backup.velero.io/* keys are the pre hook only when pre.…/command is absent or
// empty, and the two key sets are never mixed.
TEST(BackupAnnotations, LegacyKeysOnlyWhenPreCommandAbsentOrEmptyAndNeverMixed) {
  struct Case {
    const char* name;
    core::Labels annotations;
    std::vector<std::string> command;
    std::string container;
    std::optional<OnError> on_error;
    const char* warning;  // substring of a warning, or nullptr for none
  } cases[] = {
      {"legacy alone",
       {{k(kLegacy, "command"), "/legacy"}, {k(kLegacy, "container"), "c1"}},
       {"/legacy"}, "c1", std::nullopt, nullptr},
      {"pre command empty: legacy used",
       {{k(kPre, "command"), ""}, {k(kLegacy, "command"), "/legacy"}},
       {"/legacy"}, "", std::nullopt, nullptr},
      {"pre keys other than command are not mixed into legacy",
       {{k(kLegacy, "command"), "/legacy"}, {k(kPre, "container"), "c2"},
        {k(kPre, "on-error"), "Continue"}},
       {"/legacy"}, "", std::nullopt,
       "pre.hook.backup.velero.io/container is ignored: the hook comes from the legacy"},
      {"pre command wins over legacy",
       {{k(kPre, "command"), "/pre"}, {k(kLegacy, "command"), "/legacy"},
        {k(kLegacy, "container"), "c1"}, {k(kLegacy, "on-error"), "Continue"}},
       {"/pre"}, "", std::nullopt,
       "hook.backup.velero.io/command is ignored: pre.hook.backup.velero.io/command takes "
       "precedence"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    Findings f;
    auto hook = backup_annotation_hook(c.annotations, HookPhase::Pre, f);
    ASSERT_TRUE(hook.has_value());
    EXPECT_EQ(hook->command, c.command);
    EXPECT_EQ(hook->container, c.container);
    EXPECT_EQ(hook->on_error, c.on_error);
    if (c.warning) {
      EXPECT_THAT(messages(f.warnings), Contains(HasSubstr(c.warning)));
    } else {
      EXPECT_THAT(f.warnings, IsEmpty());
    }
  }
}

// The post phase has no legacy keys.
TEST(BackupAnnotations, PostHasNoLegacyKeys) {
  Findings f;
  EXPECT_FALSE(backup_annotation_hook({{k(kLegacy, "command"), "/legacy"}}, HookPhase::Post, f));
  auto post = backup_annotation_hook(
      {{k(kLegacy, "command"), "/legacy"}, {k(kPost, "command"), "/post"}}, HookPhase::Post, f);
  ASSERT_TRUE(post.has_value());
  EXPECT_EQ(post->command, (std::vector<std::string>{"/post"}));
}

// An absent or empty command means no annotation hook; other keys of that set are then
// pointed out.
TEST(BackupAnnotations, EmptyCommandMeansNoHook) {
  Findings f;
  EXPECT_FALSE(backup_annotation_hook({}, HookPhase::Pre, f));
  EXPECT_THAT(f.warnings, IsEmpty());
  EXPECT_FALSE(backup_annotation_hook(
      {{k(kPost, "command"), ""}, {k(kPost, "container"), "app"}}, HookPhase::Post, f));
  EXPECT_THAT(messages(f.warnings),
              Contains("post.hook.backup.velero.io/container is set but "
                       "post.hook.backup.velero.io/command is absent or empty: no annotation "
                       "hook for this phase"));
}

// on-error matches Continue and Fail exactly; any other spelling is unset, with a warning.
TEST(BackupAnnotations, OnErrorIsExactCase) {
  struct Case {
    const char* value;
    std::optional<OnError> want;
    bool warns;
  } cases[] = {
      {"Fail", OnError::Fail, false},
      {"Continue", OnError::Continue, false},
      {"fail", std::nullopt, true},
      {"CONTINUE", std::nullopt, true},
      {" Fail", std::nullopt, true},
      {"", std::nullopt, false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    Findings f;
    auto hook = backup_annotation_hook({{k(kPre, "command"), "/x"}, {k(kPre, "on-error"), c.value}},
                                       HookPhase::Pre, f);
    ASSERT_TRUE(hook.has_value());
    EXPECT_EQ(hook->on_error, c.want);
    EXPECT_EQ(f.warnings.size(), c.warns ? 1u : 0u);
    if (c.warns) {
      EXPECT_THAT(f.warnings[0].message, HasSubstr("is not Continue or Fail (case matters)"));
      EXPECT_THAT(f.warnings[0].message, HasSubstr("the default Fail applies"));
    }
  }
}

// Timeouts are Go durations, bounded to (0, 4h]: invalid → default with a warning naming key
// and value; ≤ 0 → default; > 4h → 4h with a warning.
TEST(BackupAnnotations, TimeoutIsGoDurationClampedTo4h) {
  struct Case {
    const char* value;
    std::optional<Duration> want;
    const char* warning;
  } cases[] = {
      {"45s", seconds(45), nullptr},
      {"1.5h", minutes(90), nullptr},
      {"4h", hours(4), nullptr},
      {"0", std::nullopt, nullptr},
      {"0s", std::nullopt, nullptr},
      {"", std::nullopt, nullptr},
      {"300",
       std::nullopt,
       "pre.hook.backup.velero.io/timeout \"300\" is not a duration (time: missing unit in "
       "duration \"300\"); the default 30s applies"},
      {"-5s", std::nullopt,
       "pre.hook.backup.velero.io/timeout \"-5s\" is negative; the default 30s applies"},
      {"5h", hours(4),
       "pre.hook.backup.velero.io/timeout \"5h\" is above the maximum 4h0m0s; 4h0m0s applies"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    Findings f;
    auto hook = backup_annotation_hook({{k(kPre, "command"), "/x"}, {k(kPre, "timeout"), c.value}},
                                       HookPhase::Pre, f);
    ASSERT_TRUE(hook.has_value());
    EXPECT_EQ(hook->timeout, c.want);
    if (c.warning) {
      EXPECT_THAT(messages(f.warnings), Contains(std::string(c.warning)));
    } else {
      EXPECT_THAT(f.warnings, IsEmpty());
    }
  }
}

// Command quirks reach the user as warnings: broken JSON falls back to one argument; a shell
// line in one string runs as one executable name.
TEST(BackupAnnotations, WarnsAboutCommandQuirks) {
  Findings f;
  auto broken = backup_annotation_hook({{k(kPre, "command"), "[blarg"}}, HookPhase::Pre, f);
  ASSERT_TRUE(broken.has_value());
  EXPECT_EQ(broken->command, (std::vector<std::string>{"[blarg"}));
  ASSERT_EQ(f.warnings.size(), 1u);
  EXPECT_THAT(f.warnings[0].message,
              HasSubstr("pre.hook.backup.velero.io/command \"[blarg\" starts with '[' but is not "
                        "a JSON list of strings"));
  Findings g;
  auto line = backup_annotation_hook({{k(kPre, "command"), "pg_dump -U app"}}, HookPhase::Pre, g);
  ASSERT_TRUE(line.has_value());
  EXPECT_EQ(line->command, (std::vector<std::string>{"pg_dump -U app"}));
  ASSERT_EQ(g.warnings.size(), 1u);
  EXPECT_THAT(g.warnings[0].message, HasSubstr("runs as ONE executable name"));
  Findings h;
  auto empty = backup_annotation_hook({{k(kPre, "command"), "[]"}}, HookPhase::Pre, h);
  ASSERT_TRUE(empty.has_value());  // a hook exists; planning reports "command is required"
  EXPECT_TRUE(empty->command.empty());
}

// Restore exec annotations: all six keys; wait-for-ready is Go's strconv.ParseBool.
TEST(RestoreExecAnnotations, ReadsKeys) {
  Findings f;
  auto hook = restore_exec_annotation_hook({{k(kRestore, "container"), "app"},
                                            {k(kRestore, "command"), R"(["/warm"])"},
                                            {k(kRestore, "on-error"), "Fail"},
                                            {k(kRestore, "exec-timeout"), "2m"},
                                            {k(kRestore, "wait-timeout"), "5m"},
                                            {k(kRestore, "wait-for-ready"), "true"}},
                                           f);
  ASSERT_TRUE(hook.has_value());
  EXPECT_EQ(hook->container, "app");
  EXPECT_EQ(hook->command, (std::vector<std::string>{"/warm"}));
  EXPECT_EQ(hook->on_error, OnError::Fail);
  EXPECT_EQ(hook->exec_timeout, minutes(2));
  EXPECT_EQ(hook->wait_timeout, minutes(5));
  EXPECT_EQ(hook->wait_for_ready, true);
  EXPECT_THAT(f.warnings, IsEmpty());
  Findings g;
  EXPECT_FALSE(restore_exec_annotation_hook({{k(kRestore, "container"), "app"}}, g));
  EXPECT_EQ(g.warnings.size(), 1u);
}

// wait-for-ready accepts exactly what strconv.ParseBool accepts; anything else is false with
// a warning.
TEST(RestoreExecAnnotations, WaitForReadyIsGoParseBool) {
  struct Case {
    const char* value;
    bool want;
    bool warns;
  } cases[] = {
      {"1", true, false},     {"t", true, false},      {"T", true, false},
      {"TRUE", true, false},  {"true", true, false},   {"True", true, false},
      {"0", false, false},    {"f", false, false},     {"false", false, false},
      {"False", false, false}, {"yes", false, true},   {"tRUE", false, true},
      {"", false, true},      {"on", false, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.value);
    Findings f;
    auto hook = restore_exec_annotation_hook(
        {{k(kRestore, "command"), "/x"}, {k(kRestore, "wait-for-ready"), c.value}}, f);
    ASSERT_TRUE(hook.has_value());
    EXPECT_EQ(hook->wait_for_ready, c.want);
    EXPECT_EQ(f.warnings.size(), c.warns ? 1u : 0u);
  }
}

// Restore timeouts: invalid → unset with a warning; exec-timeout is capped at 4h but the wait
// is not (Velero does not cap waitTimeout); the wrong key `…/timeout` is pointed at
// `exec-timeout` (velero#6764).
TEST(RestoreExecAnnotations, TimeoutKeysAndTheWrongTimeoutKey) {
  Findings f;
  auto hook = restore_exec_annotation_hook({{k(kRestore, "command"), "/x"},
                                            {k(kRestore, "exec-timeout"), "300"},
                                            {k(kRestore, "wait-timeout"), "10h"}},
                                           f);
  ASSERT_TRUE(hook.has_value());
  EXPECT_EQ(hook->exec_timeout, std::nullopt);
  EXPECT_EQ(hook->wait_timeout, hours(10));
  EXPECT_EQ(hook->on_error, std::nullopt);
  EXPECT_EQ(hook->wait_for_ready, std::nullopt);
  EXPECT_THAT(messages(f.warnings),
              ::testing::ElementsAre(HasSubstr("exec-timeout \"300\" is not a duration")));
  Findings capped;
  auto big = restore_exec_annotation_hook(
      {{k(kRestore, "command"), "/x"}, {k(kRestore, "exec-timeout"), "10h"}}, capped);
  ASSERT_TRUE(big.has_value());
  EXPECT_EQ(big->exec_timeout, hours(4));
  EXPECT_EQ(capped.warnings.size(), 1u);

  Findings keys;
  check_hook_annotation_keys({{k(kRestore, "timeout"), "5m"}, {k(kRestore, "command"), "/x"}},
                             Operation::Restore, keys);
  EXPECT_THAT(messages(keys.warnings),
              Contains("unknown hook annotation post.hook.restore.velero.io/timeout is ignored "
                       "(did you mean post.hook.restore.velero.io/exec-timeout?)"));
  EXPECT_EQ(keys.warnings.size(), 1u);
}

// Unknown keys under the hook prefixes are reported with the nearest known key; keys of the
// other operation are not judged.
TEST(HookAnnotationKeys, ReportsUnknownKeysWithSuggestions) {
  struct Case {
    const char* key;
    Operation operation;
    const char* warning;  // nullptr: no warning
  } cases[] = {
      {"pre.hook.backup.velero.io/comand", Operation::Backup,
       "unknown hook annotation pre.hook.backup.velero.io/comand is ignored (did you mean "
       "pre.hook.backup.velero.io/command?)"},
      {"post.hook.backup.velero.io/onerror", Operation::Backup,
       "unknown hook annotation post.hook.backup.velero.io/onerror is ignored (did you mean "
       "post.hook.backup.velero.io/on-error?)"},
      {"post.hook.restore.velero.io/test1.command", Operation::Restore,
       "unknown hook annotation post.hook.restore.velero.io/test1.command is ignored"},
      {"init.hook.restore.velero.io/timeout", Operation::Restore,
       "init.hook.restore.velero.io/timeout is ignored: init containers have no timeout (as in "
       "Velero)"},
      {"pre.hook.backup.velero.io/command", Operation::Backup, nullptr},
      {"post.hook.restore.velero.io/timeout", Operation::Backup, nullptr},
      {"pre.hook.backup.velero.io/bogus", Operation::Restore, nullptr},
      {"backup.velero.io/backup-volumes", Operation::Backup, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.key);
    Findings f;
    check_hook_annotation_keys({{c.key, "x"}}, c.operation, f);
    if (c.warning) {
      EXPECT_THAT(messages(f.warnings), ::testing::ElementsAre(std::string(c.warning)));
    } else {
      EXPECT_THAT(f.warnings, IsEmpty());
    }
  }
}

// The init annotation adds one container {name, image[, command]}; an unnamed one gets a
// stable `restore-init-<8 hex>` name; no command means the image entrypoint.
TEST(RestoreInitAnnotations, BuildsOneContainer) {
  Findings f;
  auto named = restore_init_annotation_container({{k(kInit, "container-image"), "busybox"},
                                                  {k(kInit, "container-name"), "prep"},
                                                  {k(kInit, "command"), R"(["/prep","-v"])"}},
                                                 "ns/db-0", f);
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(*named, (nlohmann::json{{"name", "prep"},
                                    {"image", "busybox"},
                                    {"command", {"/prep", "-v"}}}));

  auto unnamed = restore_init_annotation_container({{k(kInit, "container-image"), "busybox"}},
                                                   "ns/db-0", f);
  ASSERT_TRUE(unnamed.has_value());
  const std::string name = (*unnamed)["name"];
  EXPECT_TRUE(std::regex_match(name, std::regex("restore-init-[0-9a-f]{8}"))) << name;
  EXPECT_FALSE(unnamed->contains("command"));  // the image entrypoint runs
  auto again = restore_init_annotation_container({{k(kInit, "container-image"), "busybox"}},
                                                 "ns/db-0", f);
  EXPECT_EQ((*again)["name"], name);
  auto other = restore_init_annotation_container({{k(kInit, "container-image"), "busybox"}},
                                                 "ns/db-1", f);
  EXPECT_NE((*other)["name"], name);
  EXPECT_THAT(f.warnings, IsEmpty());
  EXPECT_THAT(f.errors, IsEmpty());
}

// Without an image there is no init container; a name the API server would reject is an error.
TEST(RestoreInitAnnotations, NeedsImageAndValidName) {
  Findings f;
  EXPECT_FALSE(restore_init_annotation_container(
      {{k(kInit, "container-name"), "prep"}, {k(kInit, "command"), "/x"}}, "ns/p", f));
  EXPECT_EQ(f.warnings.size(), 2u);
  Findings g;
  auto bad = restore_init_annotation_container(
      {{k(kInit, "container-image"), "busybox"}, {k(kInit, "container-name"), "Prep_1"}}, "ns/p",
      g);
  ASSERT_TRUE(bad.has_value());
  ASSERT_EQ(g.errors.size(), 1u);
  EXPECT_THAT(g.errors[0].message,
              HasSubstr("init.hook.restore.velero.io/container-name \"Prep_1\" is not a valid "
                        "container name"));
}

}  // namespace
}  // namespace stillpoint::hooks
