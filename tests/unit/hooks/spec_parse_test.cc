#include <fstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hooks/spec_file.h"
#include "unit/hooks/builders.h"

namespace stillpoint::hooks {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::backup_spec;
using testing::parse_spec_text;
using testing::restore_spec;
using testing::spec_document;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A Velero Backup's hooks are read with every field, in order, entries without exec keeping
// their slot.
TEST(SpecParse, ReadsBackupHooks) {
  auto spec = backup_spec(R"(
includedNamespaces: [prod-*]
hooks:
  resources:
  - name: db
    includedNamespaces: ["{prod,stage}"]
    excludedNamespaces: [prod-tmp]
    includedResources: [po]
    labelSelector:
      matchLabels: {app: db}
    pre:
    - exec:
        container: postgres
        command: [/bin/sh, -c, "psql -c 'CHECKPOINT'"]
        onError: Fail
        timeout: 2m
    - {}
    - exec:
        command: [/freeze]
    post:
    - exec:
        command: [/thaw]
        onError: Continue
)");
  EXPECT_EQ(spec.name, "test");
  ASSERT_EQ(spec.hooks.size(), 1u);
  const auto& entry = spec.hooks[0];
  EXPECT_EQ(entry.name, "db");
  EXPECT_EQ(entry.selector.namespaces.includes(), (std::vector<std::string>{"{prod,stage}"}));
  EXPECT_EQ(entry.selector.resources.includes(), (std::vector<std::string>{"pods"}));
  ASSERT_TRUE(entry.selector.label_selector.has_value());
  EXPECT_EQ(entry.selector.label_selector->to_string(), "app=db");
  ASSERT_EQ(entry.pre.size(), 3u);
  ASSERT_TRUE(entry.pre[0].has_value());
  EXPECT_EQ(entry.pre[0]->container, "postgres");
  EXPECT_EQ(entry.pre[0]->command,
            (std::vector<std::string>{"/bin/sh", "-c", "psql -c 'CHECKPOINT'"}));
  EXPECT_EQ(entry.pre[0]->on_error, OnError::Fail);
  EXPECT_EQ(entry.pre[0]->timeout, minutes(2));
  EXPECT_FALSE(entry.pre[1].has_value());  // no exec: slot kept
  ASSERT_TRUE(entry.pre[2].has_value());
  EXPECT_EQ(entry.pre[2]->container, "");
  EXPECT_EQ(entry.pre[2]->on_error, std::nullopt);
  EXPECT_EQ(entry.pre[2]->timeout, std::nullopt);
  ASSERT_EQ(entry.post.size(), 1u);
  EXPECT_EQ(entry.post[0]->on_error, OnError::Continue);
  EXPECT_TRUE(spec.filter.namespaces.should_include("prod-db"));
  EXPECT_FALSE(spec.filter.namespaces.should_include("dev"));
}

// A Restore's hooks: exec and init in one postHooks list, namespaceMapping, resources ignored.
TEST(SpecParse, ReadsRestoreHooks) {
  auto spec = restore_spec(R"(
backupName: nightly
namespaceMapping: {prod: restored}
hooks:
  resources:
  - name: warm
    includedNamespaces: [restored]
    postHooks:
    - init:
        initContainers:
        - name: prep
          image: busybox
          volumeMounts: [{name: data, mountPath: /data}]
    - exec:
        container: app
        command: [/warm]
        execTimeout: 1m
        waitTimeout: 2m
        waitForReady: true
        onError: Fail
)");
  EXPECT_EQ(spec.backup_name, "nightly");
  EXPECT_EQ(spec.namespace_mapping.at("prod"), "restored");
  ASSERT_EQ(spec.hooks.size(), 1u);
  const auto& hooks = spec.hooks[0].post_hooks;
  ASSERT_EQ(hooks.size(), 2u);
  ASSERT_TRUE(hooks[0].init.has_value());
  EXPECT_FALSE(hooks[0].exec.has_value());
  ASSERT_EQ(hooks[0].init->init_containers.size(), 1u);
  EXPECT_EQ(hooks[0].init->init_containers[0]["volumeMounts"][0]["mountPath"], "/data");
  ASSERT_TRUE(hooks[1].exec.has_value());
  EXPECT_EQ(hooks[1].exec->exec_timeout, minutes(1));
  EXPECT_EQ(hooks[1].exec->wait_timeout, minutes(2));
  EXPECT_EQ(hooks[1].exec->wait_for_ready, true);
  EXPECT_EQ(hooks[1].exec->on_error, OnError::Fail);
}

// JSON input is accepted as well as YAML.
TEST(SpecParse, ReadsJson) {
  auto parsed = parse_spec_text(R"({"apiVersion":"velero.io/v1","kind":"Backup",
    "metadata":{"name":"b"},"spec":{"hooks":{"resources":[{"name":"x",
    "pre":[{"exec":{"command":["/a"]}}]}]}}})");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_FALSE(parsed->is_restore());
  const auto& spec = std::get<BackupSpec>(parsed->spec);
  EXPECT_EQ(spec.name, "b");
  ASSERT_EQ(spec.hooks.size(), 1u);
  EXPECT_EQ(spec.hooks[0].pre[0]->command, (std::vector<std::string>{"/a"}));
}

// stillpoint.io/v1 is accepted with the same fields; other kinds are refused.
TEST(SpecParse, AcceptsOnlyBackupAndRestoreKinds) {
  EXPECT_TRUE(parse_spec_text("apiVersion: stillpoint.io/v1\nkind: Backup\n").has_value());
  auto schedule = parse_spec_text("apiVersion: velero.io/v1\nkind: Schedule\n");
  ASSERT_FALSE(schedule.has_value());
  EXPECT_EQ(schedule.error().message,
            "spec.yaml: document 1: expected kind Backup or Restore of apiVersion velero.io/v1 "
            "or stillpoint.io/v1, got kind \"Schedule\" of apiVersion \"velero.io/v1\"");
}

// Fields Kubernetes would silently drop (typos) are warnings naming the full path.
TEST(SpecParse, WarnsAboutUnknownFields) {
  auto parsed = parse_spec_text(spec_document("Backup", R"(
hooks:
  resources:
  - name: db
    labelSelectr: {}
    pre:
    - exec:
        command: [/x]
        onErorr: Fail
)"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  EXPECT_THAT(parsed->warnings,
              Contains("spec.yaml: document 1: spec.hooks.resources[0] (\"db\").pre[0].exec."
                       "onErorr: unknown field, ignored (a typo?)"));
  EXPECT_THAT(parsed->warnings,
              Contains("spec.yaml: document 1: spec.hooks.resources[0] (\"db\").labelSelectr: "
                       "unknown field, ignored (a typo?)"));
}

// Timeouts: Go durations; invalid is an error; ≤ 0 → default; > 4h → 4h with a warning.
TEST(SpecParse, BoundsTimeouts) {
  struct Case {
    const char* timeout;
    std::optional<Duration> want;
    const char* warning;  // substring, or nullptr
  } cases[] = {
      {"30s", seconds(30), nullptr},
      {"0s", std::nullopt, nullptr},
      {"-1s", std::nullopt, "timeout: \"-1s\" is negative; the default 30s applies"},
      {"5h", hours(4), "timeout: \"5h\" is above the maximum 4h0m0s; 4h0m0s applies"},
      {"4h", hours(4), nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.timeout);
    auto parsed = parse_spec_text(spec_document(
        "Backup", std::string("hooks:\n  resources:\n  - name: db\n    pre:\n    - exec:\n") +
                      "        command: [/x]\n        timeout: \"" + c.timeout + "\"\n"));
    ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
    EXPECT_EQ(std::get<BackupSpec>(parsed->spec).hooks[0].pre[0]->timeout, c.want);
    if (c.warning) {
      EXPECT_THAT(parsed->warnings, Contains(HasSubstr(c.warning)));
    } else {
      EXPECT_THAT(parsed->warnings, IsEmpty());
    }
  }
}

// Wrong values and types are errors naming the file, the document and the field path.
TEST(SpecParse, ErrorsNameFileDocumentAndFieldPath) {
  const std::string db = "spec.yaml: document 1: spec.hooks.resources[0] (\"db\")";
  struct Case {
    const char* name;
    std::string body;
    std::string message;
  } cases[] = {
      {"unitless timeout",
       "hooks:\n  resources:\n  - name: db\n    pre:\n    - exec:\n        command: [/x]\n"
       "        timeout: \"300\"\n",
       db + ".pre[0].exec.timeout: \"300\" is not a duration (time: missing unit in duration "
            "\"300\")"},
      {"command as a string",
       "hooks:\n  resources:\n  - name: db\n    pre:\n    - exec:\n        command: pg_dump\n",
       db + ".pre[0].exec.command: expected a list of strings, got string \"pg_dump\""},
      {"empty command",
       "hooks:\n  resources:\n  - name: db\n    post:\n    - exec:\n        command: []\n",
       db + ".post[0].exec.command: must hold at least one element"},
      {"missing command",
       "hooks:\n  resources:\n  - name: db\n    post:\n    - exec:\n        container: a\n",
       db + ".post[0].exec.command: required"},
      {"onError case",
       "hooks:\n  resources:\n  - name: db\n    pre:\n    - exec:\n        command: [/x]\n"
       "        onError: fail\n",
       db + ".pre[0].exec.onError: \"fail\" is not one of Continue, Fail"},
      {"invalid selector operator",
       "hooks:\n  resources:\n  - name: db\n    labelSelector:\n      matchExpressions:\n"
       "      - {key: app, operator: nonexistent-operator}\n",
       db + ".labelSelector.matchExpressions[0].operator: \"nonexistent-operator\" is not a "
            "valid label selector operator"},
      {"invalid namespace glob",
       "hooks:\n  resources:\n  - name: db\n    excludedNamespaces: [\"[prod\"]\n",
       db + ".excludedNamespaces[0]: invalid glob pattern \"[prod\": unclosed '['"},
      {"container as a number",
       "hooks:\n  resources:\n  - name: db\n    pre:\n    - exec:\n        command: [/x]\n"
       "        container: 5\n",
       db + ".pre[0].exec.container: expected a string, got number 5"},
      {"missing entry name",
       "hooks:\n  resources:\n  - pre: []\n",
       "spec.yaml: document 1: spec.hooks.resources[0].name: required (hooks are named in logs "
       "and results)"},
      {"resources not a list", "hooks:\n  resources: {}\n",
       "spec.yaml: document 1: spec.hooks.resources: expected a list, got an object"},
      {"invalid backup selector",
       "labelSelector:\n  matchExpressions:\n  - {key: app, operator: Exists, values: [a]}\n",
       "spec.yaml: document 1: spec.labelSelector.matchExpressions[0].values: values set must "
       "be empty for 'Exists' and 'DoesNotExist' operators"},
      {"both selectors",
       "labelSelector: {matchLabels: {a: b}}\norLabelSelectors:\n- matchLabels: {c: d}\n",
       "spec.yaml: document 1: spec.orLabelSelectors: only one of labelSelector and "
       "orLabelSelectors can be set"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parse_spec_text(spec_document("Backup", c.body));
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().code, core::ErrorCode::InvalidArgument);
    EXPECT_EQ(parsed.error().message, c.message);
  }
}

// Restore-specific validation: init containers need a name and an image, and errors about one
// name it once its name is known (what the user searches for); waitForReady is a
// boolean (a quoted "true" is a string); init.timeout and resource filters are ignored.
TEST(SpecParse, ValidatesRestoreHooks) {
  const std::string at = "spec.yaml: document 1: spec.hooks.resources[0] (\"r\").postHooks[0]";
  struct Case {
    const char* name;
    std::string body;
    std::string message;
  } cases[] = {
      {"init container without image",
       "hooks:\n  resources:\n  - name: r\n    postHooks:\n    - init:\n        initContainers:\n"
       "        - name: prep\n",
       at + ".init.initContainers[0] (\"prep\").image: required (an init container needs a name "
            "and an image)"},
      {"second init container with an image of the wrong type",
       "hooks:\n  resources:\n  - name: r\n    postHooks:\n    - init:\n        initContainers:\n"
       "        - {name: prep, image: busybox}\n        - {name: seed, image: 7}\n",
       at + ".init.initContainers[1] (\"seed\").image: expected a string, got number 7"},
      {"init container name of the wrong type",
       "hooks:\n  resources:\n  - name: r\n    postHooks:\n    - init:\n        initContainers:\n"
       "        - {name: [prep], image: busybox}\n",
       at + ".init.initContainers[0].name: expected a string, got a list"},
      {"init container without name",
       "hooks:\n  resources:\n  - name: r\n    postHooks:\n    - init:\n        initContainers:\n"
       "        - image: busybox\n",
       at + ".init.initContainers[0].name: required (an init container needs a name and an "
            "image)"},
      {"quoted waitForReady",
       "hooks:\n  resources:\n  - name: r\n    postHooks:\n    - exec:\n        command: [/x]\n"
       "        waitForReady: \"true\"\n",
       at + ".exec.waitForReady: expected true or false, got string \"true\""},
      {"bad waitTimeout",
       "hooks:\n  resources:\n  - name: r\n    postHooks:\n    - exec:\n        command: [/x]\n"
       "        waitTimeout: 10\n",
       at + ".exec.waitTimeout: expected a string, got number 10"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = parse_spec_text(spec_document("Restore", c.body));
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error().message, c.message);
  }
  auto ok = parse_spec_text(spec_document("Restore", R"(
hooks:
  resources:
  - name: r
    includedResources: [deployments]
    postHooks:
    - init:
        timeout: 5m
        initContainers: [{name: prep, image: busybox}]
)"));
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_THAT(ok->warnings, Contains(HasSubstr("(\"r\").includedResources: ignored: restore "
                                               "hooks always apply to pods")));
  EXPECT_THAT(ok->warnings, Contains(HasSubstr("postHooks[0].init.timeout: ignored")));
  const auto& spec = std::get<RestoreSpec>(ok->spec);
  EXPECT_TRUE(spec.hooks[0].selector.resources.should_include("pods"));
}

// Resource names resolve through aliases; `*` in excludedResources is dropped with a warning.
TEST(SpecParse, ResolvesResourceAliases) {
  auto parsed = parse_spec_text(spec_document("Backup", R"(
includedResources: [Pods, deploy]
excludedResources: ["*", pvc]
hooks:
  resources:
  - name: db
    includedResources: [po, pod, Pods]
    pre: [{exec: {command: [/x]}}]
)"));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  const auto& spec = std::get<BackupSpec>(parsed->spec);
  EXPECT_EQ(spec.filter.resources.includes(),
            (std::vector<std::string>{"pods", "deployments.apps"}));
  EXPECT_EQ(spec.filter.resources.excludes(),
            (std::vector<std::string>{"persistentvolumeclaims"}));
  EXPECT_EQ(spec.hooks[0].selector.resources.includes(),
            (std::vector<std::string>{"pods", "pods", "pods"}));
  EXPECT_THAT(parsed->warnings,
              Contains("spec.yaml: document 1: spec.excludedResources: \"*\" is ignored (Velero "
                       "drops it too); list the resources to exclude"));
}

// A spec file holds exactly one document; errors name the file.
TEST(SpecParse, LoadsExactlyOneDocumentFromAFile) {
  const std::string path = ::testing::TempDir() + "/spec_parse_test_two_docs.yaml";
  {
    std::ofstream out(path);
    out << spec_document("Backup", "") << "---\n" << spec_document("Backup", "");
  }
  auto two = load_spec_file(path);
  ASSERT_FALSE(two.has_value());
  EXPECT_EQ(two.error().message,
            path + ": holds 2 documents; a spec file holds exactly one Backup or Restore");
  const std::string one_path = ::testing::TempDir() + "/spec_parse_test_one_doc.yaml";
  {
    std::ofstream out(one_path);
    out << spec_document("Backup", "hooks:\n  resources:\n  - name: x\n    pre:\n    - exec:\n"
                                   "        command: [/x]\n        timeout: nope\n");
  }
  auto bad = load_spec_file(one_path);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().message.rfind(one_path + ": document 1: spec.hooks.resources[0] "
                                                 "(\"x\").pre[0].exec.timeout: \"nope\"",
                                      0),
            0u)
      << bad.error().message;
}

}  // namespace
}  // namespace stillpoint::hooks
