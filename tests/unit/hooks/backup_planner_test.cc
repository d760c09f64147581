#include "hooks/backup_planner.h"

#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/hooks/builders.h"

namespace stillpoint::hooks {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::backup_spec;
using testing::messages;
using testing::PodBuilder;
using std::chrono::hours;
using std::chrono::seconds;

using Argv = std::vector<std::string>;

// "name[index]@container:argv0" for compact order assertions.
std::vector<std::string> summary(const std::vector<PlannedExecHook>& hooks) {
  std::vector<std::string> out;
  for (const auto& h : hooks) {
    out.push_back(h.name + "[" + std::to_string(h.index) + "]@" + h.container + ":" +
                  (h.command.empty() ? "" : h.command[0]));
  }
  return out;
}

// A pod is an item of the backup only when the backup's own filters select it and it is
// neither excluded by label nor being deleted.
TEST(BackupPlanner, SelectsItemsWithTheBackupsFilters) {
  struct Case {
    const char* name;
    const char* spec;
    PodBuilder pod;
    const char* why_not;  // nullptr: the pod is an item
  } cases[] = {
      {"no filters", "{}", PodBuilder("ns", "p").container("a"), nullptr},
      {"namespace included", "includedNamespaces: [ns]", PodBuilder("ns", "p").container("a"),
       nullptr},
      {"namespace not included", "includedNamespaces: [other]",
       PodBuilder("ns", "p").container("a"), "namespace ns is not included in the backup"},
      {"namespace excluded by glob", "excludedNamespaces: [n*]",
       PodBuilder("ns", "p").container("a"), "namespace ns is not included in the backup"},
      {"label selector matches", "labelSelector: {matchLabels: {app: db}}",
       PodBuilder("ns", "p").container("a").label("app", "db"), nullptr},
      {"label selector does not match", "labelSelector: {matchLabels: {app: db}}",
       PodBuilder("ns", "p").container("a").label("app", "web"),
       "labels do not match the backup's label selector"},
      {"orLabelSelectors: second matches",
       "orLabelSelectors: [{matchLabels: {app: db}}, {matchLabels: {app: web}}]",
       PodBuilder("ns", "p").container("a").label("app", "web"), nullptr},
      {"orLabelSelectors: none matches",
       "orLabelSelectors: [{matchLabels: {app: db}}, {matchLabels: {app: web}}]",
       PodBuilder("ns", "p").container("a").label("app", "cache"),
       "labels do not match the backup's label selector"},
      {"exclude-from-backup=true", "{}",
       PodBuilder("ns", "p").container("a").label("velero.io/exclude-from-backup", "true"),
       "labelled velero.io/exclude-from-backup=true"},
      {"exclude-from-backup=false is an item", "{}",
       PodBuilder("ns", "p").container("a").label("velero.io/exclude-from-backup", "false"),
       nullptr},
      {"being deleted", "{}", PodBuilder("ns", "p").container("a").deleting(),
       "being deleted (metadata.deletionTimestamp is set)"},
      {"pods not in included resources", "includedResources: [deployments]",
       PodBuilder("ns", "p").container("a"), "pods are not included in the backup's resources"},
      {"pods excluded by short name", "excludedResources: [po]",
       PodBuilder("ns", "p").container("a"), "pods are not included in the backup's resources"},
      {"pods included by kind name", "includedResources: [Pod]",
       PodBuilder("ns", "p").container("a"), nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const BackupSpec spec = backup_spec(c.spec);
    const auto why = BackupPlanner(spec).why_not_item(c.pod.build());
    if (c.why_not) {
      EXPECT_EQ(why, std::optional<std::string>(c.why_not));
    } else {
      EXPECT_EQ(why, std::nullopt);
    }
  }
}

// Spec hooks apply only to pods their entry selects (namespace globs with excludes winning,
// resources, labels), in entry order and list order, each keeping its index in its list —
// also when an earlier item has no exec.
TEST(BackupPlanner, SpecHooksInEntryOrderWithPerEntryIndex) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: first
    pre:
    - exec: {command: [/a]}
    - {}
    - exec: {command: [/b]}
  - name: other-namespace
    includedNamespaces: [other]
    pre: [{exec: {command: [/never]}}]
  - name: excluded-wins
    includedNamespaces: ["*"]
    excludedNamespaces: ["[a-c]*"]
    pre: [{exec: {command: [/never]}}]
  - name: not-pods
    includedResources: [deployments]
    pre: [{exec: {command: [/never]}}]
  - name: wrong-label
    labelSelector: {matchExpressions: [{key: tier, operator: DoesNotExist}]}
    pre: [{exec: {command: [/never]}}]
  - name: second
    includedNamespaces: ["{x,c?}"]
    includedResources: [po]
    labelSelector: {matchLabels: {app: db}}
    pre: [{exec: {command: [/c]}}]
    post: [{exec: {command: [/d]}}, {exec: {command: [/e]}}]
)");
  const Pod pod = PodBuilder("ca", "db-0").container("app").label("app", "db").label("tier", "1")
                      .build();
  const PodBackupPlan plan = BackupPlanner(spec).plan(pod);
  EXPECT_THAT(summary(plan.pre), ElementsAre("first[0]@app:/a", "first[2]@app:/b",
                                             "second[0]@app:/c"));
  EXPECT_THAT(summary(plan.post), ElementsAre("second[0]@app:/d", "second[1]@app:/e"));
  EXPECT_THAT(plan.findings.errors, IsEmpty());
  EXPECT_EQ(plan.pre[0].source, HookSource::Spec);
}

// An annotation hook replaces the spec hooks of its phase only: a pod annotated only for pre
// still gets the spec post hooks, and the other way round.
TEST(BackupPlanner, AnnotationReplacesSpecHooksPerPhase) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: spec
    pre: [{exec: {command: [/spec-pre]}}]
    post: [{exec: {command: [/spec-post]}}]
)");
  struct Case {
    const char* name;
    core::Labels annotations;
    std::vector<std::string> pre, post;
  } cases[] = {
      {"none", {}, {"spec[0]@app:/spec-pre"}, {"spec[0]@app:/spec-post"}},
      {"pre annotated",
       {{"pre.hook.backup.velero.io/command", "/ann-pre"}},
       {"<from-annotation>[0]@app:/ann-pre"},
       {"spec[0]@app:/spec-post"}},
      {"legacy pre annotated",
       {{"hook.backup.velero.io/command", "/legacy"}},
       {"<from-annotation>[0]@app:/legacy"},
       {"spec[0]@app:/spec-post"}},
      {"post annotated",
       {{"post.hook.backup.velero.io/command", "/ann-post"}},
       {"spec[0]@app:/spec-pre"},
       {"<from-annotation>[0]@app:/ann-post"}},
      {"empty pre command does not replace",
       {{"pre.hook.backup.velero.io/command", ""}},
       {"spec[0]@app:/spec-pre"},
       {"spec[0]@app:/spec-post"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    PodBuilder builder("ns", "db-0");
    builder.container("app");
    for (const auto& [k, v] : c.annotations) {
      builder.annotation(k, v);
    }
    const PodBackupPlan plan = BackupPlanner(spec).plan(builder.build());
    EXPECT_EQ(summary(plan.pre), c.pre);
    EXPECT_EQ(summary(plan.post), c.post);
  }
}

// Defaults apply at planning time: onError Fail (as Velero documents), timeout 30s.
TEST(BackupPlanner, AppliesDefaults) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: spec
    pre: [{exec: {command: [/a]}}, {exec: {command: [/b], onError: Continue, timeout: 9h}}]
)");
  const PodBackupPlan plan =
      BackupPlanner(spec).plan(PodBuilder("ns", "p").container("app").build());
  ASSERT_EQ(plan.pre.size(), 2u);
  EXPECT_EQ(plan.pre[0].on_error, OnError::Fail);
  EXPECT_EQ(plan.pre[0].timeout, seconds(30));
  EXPECT_EQ(plan.pre[1].on_error, OnError::Continue);
  EXPECT_EQ(plan.pre[1].timeout, hours(4));

  const PodBackupPlan annotated = BackupPlanner(spec).plan(
      PodBuilder("ns", "p")
          .container("app")
          .annotation("pre.hook.backup.velero.io/command", "/x")
          .annotation("pre.hook.backup.velero.io/timeout", "300")
          .build());
  ASSERT_EQ(annotated.pre.size(), 1u);
  EXPECT_EQ(annotated.pre[0].on_error, OnError::Fail);
  EXPECT_EQ(annotated.pre[0].timeout, seconds(30));
  EXPECT_EQ(annotated.pre[0].source, HookSource::Annotation);
  EXPECT_THAT(messages(annotated.findings.warnings),
              Contains(HasSubstr("pre.hook.backup.velero.io/timeout \"300\" is not a duration")));
}

// An empty container means the pod's first container — resolved per pod, never written back
// into the spec (velero#4499, #3622).
TEST(BackupPlanner, DefaultsContainerPerPodWithoutMutatingTheSpec) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: spec
    pre: [{exec: {command: [/a]}}]
)");
  const BackupPlanner planner(spec);
  const PodBackupPlan first = planner.plan(PodBuilder("ns", "a").container("x").container("y").build());
  const PodBackupPlan second = planner.plan(PodBuilder("ns", "b").container("z").build());
  ASSERT_EQ(first.pre.size(), 1u);
  ASSERT_EQ(second.pre.size(), 1u);
  EXPECT_EQ(first.pre[0].container, "x");
  EXPECT_EQ(second.pre[0].container, "z");
  EXPECT_EQ(spec.hooks[0].pre[0]->container, "");
}

// A named container must be a container or a native sidecar; anything else (including a plain
// init container) is `no such container: "<name>"`; no containers at all is
// `need at least 1 container`; `[]` as a command is `command is required`.
TEST(BackupPlanner, ReportsInvalidTargets) {
  struct Case {
    const char* name;
    PodBuilder pod;
    const char* container;  // annotation value
    const char* command;
    const char* error;  // nullptr: valid
  } cases[] = {
      {"regular container", PodBuilder("ns", "p").container("app").container("side"), "side",
       "/x", nullptr},
      {"native sidecar", PodBuilder("ns", "p").container("app").sidecar("proxy"), "proxy", "/x",
       nullptr},
      {"plain init container", PodBuilder("ns", "p").container("app").init_container("x"), "x",
       "/x", "no such container: \"x\""},
      {"missing container", PodBuilder("ns", "p").container("app"), "db", "/x",
       "no such container: \"db\""},
      {"no containers", PodBuilder("ns", "p"), "", "/x", "need at least 1 container"},
      {"empty json command", PodBuilder("ns", "p").container("app"), "", "[]",
       "command is required"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const BackupSpec spec{};
    PodBuilder builder = c.pod;
    builder.annotation("pre.hook.backup.velero.io/command", c.command);
    if (*c.container) {
      builder.annotation("pre.hook.backup.velero.io/container", c.container);
    }
    const PodBackupPlan plan = BackupPlanner(spec).plan(builder.build());
    ASSERT_EQ(plan.pre.size(), 1u);  // an invalid hook is still listed
    if (c.error) {
      ASSERT_EQ(plan.findings.errors.size(), 1u);
      EXPECT_EQ(plan.findings.errors[0].message, c.error);
      EXPECT_EQ(plan.findings.errors[0].context, "pre hook from annotations");
    } else {
      EXPECT_THAT(plan.findings.errors, IsEmpty());
      EXPECT_EQ(plan.pre[0].container, c.container);
    }
  }
}

// Spec hook errors say which entry and index they are about.
TEST(BackupPlanner, SpecHookErrorsNameEntryAndIndex) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: db
    post: [{exec: {command: [/a]}}, {exec: {container: nope, command: [/b]}}]
)");
  const PodBackupPlan plan =
      BackupPlanner(spec).plan(PodBuilder("ns", "p").container("app").build());
  ASSERT_EQ(plan.findings.errors.size(), 1u);
  EXPECT_EQ(plan.findings.errors[0].message, "no such container: \"nope\"");
  EXPECT_EQ(plan.findings.errors[0].context, "hook \"db\", post[1]");
}

// Pods not Running are skipped with the reason, and their hooks are still listed.
TEST(BackupPlanner, NonRunningPodsAreSkippedWithHooksListed) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: db
    pre: [{exec: {command: [/a]}}]
    post: [{exec: {command: [/b]}}]
)");
  struct Case {
    const char* phase;
    bool skipped;
    const char* reason;
  } cases[] = {
      {"Running", false, ""},
      {"Pending", true, "pod phase is Pending: hooks run only on Running pods"},
      {"Succeeded", true, "pod phase is Succeeded: hooks run only on Running pods"},
      {"Failed", true, "pod phase is Failed: hooks run only on Running pods"},
      {"", true, "pod has no status.phase: hooks run only on Running pods"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.phase);
    const PodBackupPlan plan =
        BackupPlanner(spec).plan(PodBuilder("ns", "p").container("app").phase(c.phase).build());
    EXPECT_EQ(plan.skipped, c.skipped);
    EXPECT_EQ(plan.skip_reason, c.reason);
    EXPECT_EQ(plan.pre.size(), 1u);
    EXPECT_EQ(plan.post.size(), 1u);
  }
}

// A Running pod whose target container is not running gets a warning (the hook will be
// skipped unless the container is running by then).
TEST(BackupPlanner, WarnsWhenTargetContainerIsNotRunning) {
  const BackupSpec spec = backup_spec(R"(
hooks:
  resources:
  - name: db
    pre: [{exec: {command: [/a]}}]
    post: [{exec: {command: [/b]}}]
)");
  const PodBackupPlan plan = BackupPlanner(spec).plan(PodBuilder("ns", "p")
                                                          .container("app")
                                                          .container_status("app", "waiting", false)
                                                          .build());
  EXPECT_FALSE(plan.skipped);
  EXPECT_THAT(messages(plan.findings.warnings),
              ElementsAre("container \"app\" is waiting: its hooks will be skipped unless it is "
                          "running by then"));
}

// Unknown hook annotations on a pod show up in its plan.
TEST(BackupPlanner, ReportsUnknownHookAnnotations) {
  const BackupSpec spec{};
  const PodBackupPlan plan = BackupPlanner(spec).plan(
      PodBuilder("ns", "p").container("app").annotation("pre.hook.backup.velero.io/cmd", "/x")
          .build());
  EXPECT_TRUE(plan.pre.empty());
  EXPECT_THAT(messages(plan.findings.warnings),
              Contains(HasSubstr("unknown hook annotation pre.hook.backup.velero.io/cmd")));
}

}  // namespace
}  // namespace stillpoint::hooks

namespace stillpoint::hooks {
namespace {

// The plan lists the volumes whose data the backup copies, as volume_selection decides from
// the pod and the spec's defaultVolumesToFsBackup; what it skips is a finding, so `hooks lint`
// and --strict-hooks see a typo in backup-volumes before anything runs.
TEST(BackupPlanner, PlansVolumeDataWithTheSpecsDefault) {
  nlohmann::json pod = testing::PodBuilder("shop", "db").container("app").json();
  pod["spec"]["containers"][0]["volumeMounts"] = {{{"name", "scratch"}, {"mountPath", "/s"}}};
  pod["spec"]["volumes"] = {{{"name", "scratch"}, {"emptyDir", nlohmann::json::object()}}};
  pod["metadata"]["annotations"]["backup.velero.io/backup-volumes"] = "scratch,typo";
  auto decoded = pod_from_json(pod, "pod");
  ASSERT_TRUE(decoded) << decoded.error().message;

  const BackupSpec opt_in = testing::backup_spec("");
  auto plan = BackupPlanner(opt_in).plan(*decoded);
  ASSERT_EQ(plan.volumes.size(), 1u);
  EXPECT_EQ(plan.volumes[0].name, "scratch");
  EXPECT_EQ(plan.volumes[0].container, "app");
  EXPECT_EQ(plan.volumes[0].mount_path, "/s");
  ASSERT_EQ(plan.volume_warnings.size(), 1u);
  EXPECT_NE(testing::messages(plan.findings.warnings)[0].find("\"typo\""), std::string::npos);

  pod["metadata"]["annotations"].erase("backup.velero.io/backup-volumes");
  auto unannotated = pod_from_json(pod, "pod");
  ASSERT_TRUE(unannotated);
  EXPECT_TRUE(BackupPlanner(opt_in).plan(*unannotated).volumes.empty());
  const BackupSpec opt_out = testing::backup_spec("defaultVolumesToFsBackup: true");
  EXPECT_TRUE(opt_out.default_volumes_to_fs_backup);
  EXPECT_EQ(BackupPlanner(opt_out).plan(*unannotated).volumes.size(), 1u);
}

TEST(BackupPlanner, DefaultVolumesToFsBackupMustBeABoolean) {
  auto parsed = testing::parse_spec_text(
      testing::spec_document("Backup", "defaultVolumesToFsBackup: \"yes\""));
  ASSERT_FALSE(parsed);
  EXPECT_NE(parsed.error().message.find("spec.defaultVolumesToFsBackup: expected true or false"),
            std::string::npos)
      << parsed.error().message;
}

}  // namespace
}  // namespace stillpoint::hooks
