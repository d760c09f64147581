#include "hooks/restore_planner.h"

#include <regex>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "unit/hooks/builders.h"

namespace stillpoint::hooks {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::messages;
using testing::PodBuilder;
using testing::restore_spec;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<std::string> names(const nlohmann::json& containers) {
  std::vector<std::string> out;
  for (const auto& c : containers) {
    out.push_back(c.value("name", ""));
  }
  return out;
}

// "name[index]@container:argv0" for compact order assertions.
std::vector<std::string> summary(const std::vector<PlannedRestoreExecHook>& hooks) {
  std::vector<std::string> out;
  for (const auto& h : hooks) {
    out.push_back(h.name + "[" + std::to_string(h.index) + "]@" + h.container + ":" +
                  (h.command.empty() ? "" : h.command[0]));
  }
  return out;
}

const char* const kTwoEntriesWithInits = R"(
hooks:
  resources:
  - name: e1
    postHooks:
    - init:
        initContainers: [{name: a1, image: i}, {name: a2, image: i}]
    - exec: {command: [/x]}
    - init:
        initContainers: [{name: b1, image: i, command: [/b1], volumeMounts: [{name: v, mountPath: /v}]}]
  - name: e2
    postHooks:
    - init:
        initContainers: [{name: c1, image: i}]
)";

// Final init containers: restore-wait (kept first when it already is), then hook containers in
// entry → postHooks → initContainers order, copied verbatim, then the pod's own.
TEST(RestorePlanner, OrdersInitContainers) {
  const RestoreSpec spec = restore_spec(kTwoEntriesWithInits);
  const RestorePlanner planner(spec);
  struct Case {
    const char* name;
    PodBuilder pod;
    std::vector<std::string> want;
  } cases[] = {
      {"no own init containers",
       PodBuilder("ns", "p").container("app").volume("v"),
       {"a1", "a2", "b1", "c1"}},
      {"own init containers last",
       PodBuilder("ns", "p").container("app").volume("v").init_container("own1").sidecar("own2"),
       {"a1", "a2", "b1", "c1", "own1", "own2"}},
      {"restore-wait kept first",
       PodBuilder("ns", "p")
           .container("app")
           .volume("v")
           .init_container("restore-wait")
           .init_container("own"),
       {"restore-wait", "a1", "a2", "b1", "c1", "own"}},
      {"restore-wait not first stays in place",
       PodBuilder("ns", "p")
           .container("app")
           .volume("v")
           .init_container("own")
           .init_container("restore-wait"),
       {"a1", "a2", "b1", "c1", "own", "restore-wait"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const PodRestorePlan plan = planner.plan(c.pod.build());
    EXPECT_EQ(names(plan.init_containers), c.want);
    EXPECT_THAT(plan.findings.errors, IsEmpty());
  }
  const PodRestorePlan plan =
      planner.plan(PodBuilder("ns", "p").container("app").volume("v").build());
  EXPECT_EQ(plan.init_containers[2],
            (nlohmann::json{{"name", "b1"},
                            {"image", "i"},
                            {"command", {"/b1"}},
                            {"volumeMounts", {{{"name", "v"}, {"mountPath", "/v"}}}}}));
}

// The init annotation replaces every spec init container; exec hooks are decided
// independently (the spec exec hook still applies).
TEST(RestorePlanner, InitAnnotationReplacesSpecInitsOnly) {
  const RestoreSpec spec = restore_spec(kTwoEntriesWithInits);
  const PodRestorePlan plan = RestorePlanner(spec).plan(
      PodBuilder("ns", "db-0")
          .container("app")
          .init_container("restore-wait")
          .init_container("own")
          .annotation("init.hook.restore.velero.io/container-image", "busybox")
          .build());
  ASSERT_EQ(plan.init_containers.size(), 3u);
  EXPECT_EQ(plan.init_containers[0]["name"], "restore-wait");
  const std::string generated = plan.init_containers[1]["name"];
  EXPECT_TRUE(std::regex_match(generated, std::regex("restore-init-[0-9a-f]{8}"))) << generated;
  EXPECT_EQ(plan.init_containers[1]["image"], "busybox");
  EXPECT_FALSE(plan.init_containers[1].contains("command"));  // image entrypoint
  EXPECT_EQ(plan.init_containers[2]["name"], "own");
  EXPECT_THAT(summary(plan.exec), ElementsAre("e1[1]@app:/x"));

  // The generated name is stable: a later plan of the same pod agrees.
  const PodRestorePlan again = RestorePlanner(spec).plan(
      PodBuilder("ns", "db-0")
          .container("app")
          .annotation("init.hook.restore.velero.io/container-image", "busybox")
          .build());
  EXPECT_EQ(again.init_containers[0]["name"], generated);
}

// The exec annotation replaces every spec exec hook; spec init containers still apply.
TEST(RestorePlanner, ExecAnnotationReplacesSpecExecOnly) {
  const RestoreSpec spec = restore_spec(kTwoEntriesWithInits);
  const PodRestorePlan plan = RestorePlanner(spec).plan(
      PodBuilder("ns", "p")
          .container("app")
          .annotation("post.hook.restore.velero.io/command", R"(["/ann"])")
          .build());
  EXPECT_THAT(summary(plan.exec), ElementsAre("<from-annotation>[0]@app:/ann"));
  EXPECT_EQ(plan.exec[0].source, HookSource::Annotation);
  EXPECT_EQ(names(plan.init_containers), (std::vector<std::string>{"a1", "a2", "b1", "c1"}));
}

// Selectors match the TARGET namespace (after namespaceMapping), and the plan lists the pod
// under it.
TEST(RestorePlanner, MatchesTheMappedNamespace) {
  const RestoreSpec spec = restore_spec(R"(
namespaceMapping: {prod: restored}
hooks:
  resources:
  - name: on-target
    includedNamespaces: [restored]
    postHooks: [{exec: {command: [/target]}}, {init: {initContainers: [{name: t, image: i}]}}]
  - name: on-source
    includedNamespaces: [prod]
    postHooks: [{exec: {command: [/source]}}, {init: {initContainers: [{name: s, image: i}]}}]
  - name: source-excluded
    excludedNamespaces: [prod]
    postHooks: [{exec: {command: [/not-excluded]}}]
)");
  const RestorePlanner planner(spec);
  EXPECT_EQ(planner.target_namespace("prod"), "restored");
  EXPECT_EQ(planner.target_namespace("dev"), "dev");
  const PodRestorePlan plan = planner.plan(PodBuilder("prod", "db-0").container("app").build());
  EXPECT_EQ(plan.namespace_name, "restored");
  EXPECT_EQ(plan.pod_name, "db-0");
  EXPECT_THAT(summary(plan.exec),
              ElementsAre("on-target[0]@app:/target", "source-excluded[0]@app:/not-excluded"));
  EXPECT_EQ(names(plan.init_containers), (std::vector<std::string>{"t"}));
}

// Exec hooks are grouped by container, in the pod's container order, with spec order kept
// inside each group; indices count init items too (velero#9359: non-sequential indices).
TEST(RestorePlanner, GroupsExecHooksByContainerKeepingSpecOrder) {
  const RestoreSpec spec = restore_spec(R"(
hooks:
  resources:
  - name: e1
    postHooks:
    - exec: {container: b, command: [/1]}
    - init: {initContainers: [{name: i1, image: i}]}
    - exec: {command: [/2]}
    - init: {initContainers: [{name: i2, image: i}]}
    - exec: {container: b, command: [/3]}
  - name: e2
    postHooks:
    - exec: {container: side, command: [/4]}
    - exec: {container: a, command: [/5]}
    - exec: {container: b, command: [/6]}
)");
  const PodRestorePlan plan = RestorePlanner(spec).plan(
      PodBuilder("ns", "p").container("a").container("b").sidecar("side").build());
  EXPECT_THAT(summary(plan.exec),
              ElementsAre("e1[2]@a:/2", "e2[1]@a:/5", "e1[0]@b:/1", "e1[4]@b:/3", "e2[2]@b:/6",
                          "e2[0]@side:/4"));
  EXPECT_THAT(plan.findings.errors, IsEmpty());  // a native sidecar is a valid target
}

// Restore exec defaults: onError Continue, execTimeout 30s, waitTimeout = the restore's hook
// wait limit (never forever), waitForReady false.
TEST(RestorePlanner, AppliesRestoreExecDefaults) {
  const RestoreSpec spec = restore_spec(R"(
hooks:
  resources:
  - name: r
    postHooks:
    - exec: {command: [/a]}
    - exec: {command: [/b], onError: Fail, execTimeout: 1m, waitTimeout: 2m, waitForReady: true}
    - exec: {command: [/c], waitTimeout: 0s}
    - exec: {command: [/d], execTimeout: 5h, waitTimeout: 6h}
)");
  const PodRestorePlan plan = RestorePlanner(spec, minutes(7))
                                  .plan(PodBuilder("ns", "p").container("app").build());
  ASSERT_EQ(plan.exec.size(), 4u);
  EXPECT_EQ(plan.exec[0].on_error, OnError::Continue);
  EXPECT_EQ(plan.exec[0].exec_timeout, seconds(30));
  EXPECT_EQ(plan.exec[0].wait_timeout, minutes(7));
  EXPECT_FALSE(plan.exec[0].wait_for_ready);
  EXPECT_EQ(plan.exec[1].on_error, OnError::Fail);
  EXPECT_EQ(plan.exec[1].exec_timeout, minutes(1));
  EXPECT_EQ(plan.exec[1].wait_timeout, minutes(2));
  EXPECT_TRUE(plan.exec[1].wait_for_ready);
  EXPECT_EQ(plan.exec[2].wait_timeout, minutes(7));  // 0 is "unset", not "forever"
  EXPECT_EQ(plan.exec[3].exec_timeout, std::chrono::hours(4));  // exec timeouts are capped
  EXPECT_EQ(plan.exec[3].wait_timeout, std::chrono::hours(6));  // waits are not

  const PodRestorePlan defaulted =
      RestorePlanner(spec).plan(PodBuilder("ns", "p").container("app").build());
  EXPECT_EQ(defaulted.exec[0].wait_timeout, kDefaultRestoreHookWait);
}

// Annotation exec hooks: wait-for-ready as Go's ParseBool ("yes" → false with a warning).
TEST(RestorePlanner, AnnotationExecHookValues) {
  const RestoreSpec spec{};
  const PodRestorePlan plan = RestorePlanner(spec).plan(
      PodBuilder("ns", "p")
          .container("app")
          .container("db")
          .annotation("post.hook.restore.velero.io/command", "/x")
          .annotation("post.hook.restore.velero.io/container", "db")
          .annotation("post.hook.restore.velero.io/wait-for-ready", "yes")
          .annotation("post.hook.restore.velero.io/timeout", "5m")
          .build());
  ASSERT_EQ(plan.exec.size(), 1u);
  EXPECT_EQ(plan.exec[0].container, "db");
  EXPECT_FALSE(plan.exec[0].wait_for_ready);
  EXPECT_EQ(plan.exec[0].exec_timeout, seconds(30));
  EXPECT_THAT(messages(plan.findings.warnings),
              ElementsAre(HasSubstr("(did you mean post.hook.restore.velero.io/exec-timeout?)"),
                          HasSubstr("wait-for-ready \"yes\" is not a boolean")));
}

// Restore exec hooks on a plain init container or a missing container fail at once with
// `no such container`; a pod with no containers needs at least one.
TEST(RestorePlanner, ReportsInvalidExecTargets) {
  const RestoreSpec spec = restore_spec(R"(
hooks:
  resources:
  - name: r
    postHooks: [{exec: {container: x, command: [/a]}}]
)");
  const PodRestorePlan plan = RestorePlanner(spec).plan(
      PodBuilder("ns", "p").container("app").init_container("x").build());
  ASSERT_EQ(plan.findings.errors.size(), 1u);
  EXPECT_EQ(plan.findings.errors[0].message, "no such container: \"x\"");
  EXPECT_EQ(plan.findings.errors[0].context, "hook \"r\", postHooks[0]");

  const PodRestorePlan empty = RestorePlanner(spec).plan(
      PodBuilder("ns", "p")
          .annotation("post.hook.restore.velero.io/command", "/x")
          .build());
  ASSERT_EQ(empty.findings.errors.size(), 1u);
  EXPECT_EQ(empty.findings.errors[0].message, "need at least 1 container");
}

// A hook init container named like one of the pod's own would make the API reject the pod.
TEST(RestorePlanner, ReportsDuplicateInitContainerNames) {
  const RestoreSpec spec = restore_spec(R"(
hooks:
  resources:
  - name: r
    postHooks: [{init: {initContainers: [{name: own, image: i}]}}]
)");
  const PodRestorePlan plan = RestorePlanner(spec).plan(
      PodBuilder("ns", "p").container("app").init_container("own").build());
  ASSERT_EQ(plan.findings.errors.size(), 1u);
  EXPECT_EQ(plan.findings.errors[0].message,
            "init container \"own\" is declared twice (hook and pod): the pod would be rejected");
}

// A hook init container that mounts a volume the selected pod lacks would make the API server
// refuse the pod at restore time: the plan reports it first, naming the pod, the hook entry,
// the init container and the volume. Mounts of volumes the pod has are fine.
TEST(RestorePlanner, ReportsInitContainerMountOfAVolumeThePodLacks) {
  const RestoreSpec spec = restore_spec(R"(
namespaceMapping: {shop: shop-copy}
hooks:
  resources:
  - name: seed-data
    postHooks:
    - exec: {command: [/x]}
    - init:
        initContainers:
        - name: seed
          image: busybox
          volumeMounts: [{name: data, mountPath: /data}, {name: scratch, mountPath: /scratch}]
          volumeDevices: [{name: raw, devicePath: /dev/raw}]
)");
  const RestorePlanner planner(spec);
  const PodRestorePlan lacking =
      planner.plan(PodBuilder("shop", "db-0").container("app").volume("data").build());
  EXPECT_THAT(
      messages(lacking.findings.errors),
      ElementsAre("init container \"seed\" of hook \"seed-data\" (postHooks[1]) mounts volume "
                  "\"scratch\", which pod shop-copy/db-0 does not have: the API server would "
                  "refuse the pod (volumeMounts[1].name: Not found)",
                  "init container \"seed\" of hook \"seed-data\" (postHooks[1]) mounts volume "
                  "\"raw\", which pod shop-copy/db-0 does not have: the API server would "
                  "refuse the pod (volumeDevices[0].name: Not found)"));
  // Still planned as written: the restore warns and lets the API server decide.
  EXPECT_EQ(names(lacking.init_containers), (std::vector<std::string>{"seed"}));

  const PodRestorePlan having = planner.plan(
      PodBuilder("shop", "db-1").container("app").volume("data").volume("scratch").volume("raw")
          .build());
  EXPECT_THAT(having.findings.errors, IsEmpty());
}

// Which pods of the backup a restore re-creates: its own filters (on the source namespace),
// never completed pods or mirror pods.
TEST(RestorePlanner, DecidesWhichPodsAreRestored) {
  using Kind = RestorePlanner::Exclusion::Kind;
  struct Case {
    const char* name;
    const char* spec;
    PodBuilder pod;
    std::optional<Kind> kind;
  } cases[] = {
      {"restored", "{}", PodBuilder("ns", "p").container("a"), std::nullopt},
      {"namespace filter uses source namespace",
       "includedNamespaces: [ns]\nnamespaceMapping: {ns: other}",
       PodBuilder("ns", "p").container("a"), std::nullopt},
      {"namespace not included", "includedNamespaces: [x]", PodBuilder("ns", "p").container("a"),
       Kind::Filtered},
      {"label filter", "labelSelector: {matchLabels: {app: db}}",
       PodBuilder("ns", "p").container("a"), Kind::Filtered},
      {"pods excluded", "excludedResources: [pods]", PodBuilder("ns", "p").container("a"),
       Kind::Filtered},
      {"succeeded", "{}", PodBuilder("ns", "p").container("a").phase("Succeeded"),
       Kind::NotRecreated},
      {"failed", "{}", PodBuilder("ns", "p").container("a").phase("Failed"), Kind::NotRecreated},
      {"mirror", "{}",
       PodBuilder("ns", "p").container("a").annotation("kubernetes.io/config.mirror", "x"),
       Kind::NotRecreated},
      {"pending is restored", "{}", PodBuilder("ns", "p").container("a").phase("Pending"),
       std::nullopt},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const RestoreSpec spec = restore_spec(c.spec);
    const auto why = RestorePlanner(spec).why_not_restored(c.pod.build());
    ASSERT_EQ(why.has_value(), c.kind.has_value());
    if (why) {
      EXPECT_EQ(why->kind, *c.kind);
      EXPECT_FALSE(why->reason.empty());
    }
  }
}

}  // namespace
}  // namespace stillpoint::hooks
