// End-to-end tests of `stillpoint hooks plan|lint` and the CLI basics: the real binary on
// files under tests/cli/data and examples/hooks, checked through its JSON output.
#include <cstdio>

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/documents.h"
#include "run_binary.h"

namespace stillpoint::testing {
namespace {

const std::string kBinary = STILLPOINT_BINARY;
const std::string kData = STILLPOINT_SOURCE_DIR "/tests/cli/data/";
const std::string kExamples = STILLPOINT_SOURCE_DIR "/examples/hooks/";

RunResult sp(const std::vector<std::string>& args, const std::string& stdin_data = {}) {
  return run_binary(kBinary, args, stdin_data);
}

nlohmann::json plan_json(const std::vector<std::string>& extra) {
  std::vector<std::string> args = {"hooks", "plan", "-o", "json"};
  args.insert(args.end(), extra.begin(), extra.end());
  RunResult r = sp(args);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

const nlohmann::json& pod(const nlohmann::json& plan, const std::string& name) {
  for (const auto& p : plan["pods"]) {
    if (p["name"] == name) {
      return p;
    }
  }
  static const nlohmann::json kMissing;
  ADD_FAILURE() << "pod " << name << " not in plan: " << plan.dump();
  return kMissing;
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

bool any_contains(const nlohmann::json& list, const std::string& needle) {
  for (const auto& s : list) {
    if (contains(s.get<std::string>(), needle)) {
      return true;
    }
  }
  return false;
}

// `version` and `--help` answer without a cluster; usage errors exit 2.
TEST(Cli, VersionHelpAndUsageExitCodes) {
  RunResult v = sp({"version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_TRUE(contains(v.out, "stillpoint 0.")) << v.out;

  RunResult help = sp({"hooks", "plan", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_TRUE(contains(help.out, "--pods")) << help.out;
  EXPECT_TRUE(contains(help.out, "--spec")) << help.out;

  EXPECT_EQ(sp({}).exit_code, 2);
  EXPECT_EQ(sp({"frobnicate"}).exit_code, 2);
  // Without --pods the pods come from the cluster; a kubeconfig that does not exist fails.
  EXPECT_EQ(sp({"hooks", "plan", "--kubeconfig", "/nonexistent/kubeconfig"}).exit_code, 1);
  EXPECT_EQ(sp({"hooks", "plan", "--pods", kData + "clean-pods.yaml", "-o", "xml"}).exit_code,
            2);
  EXPECT_EQ(sp({"hooks", "plan", "--pods", kData + "clean-pods.yaml", "--hook-wait-timeout",
                "300"})
                .exit_code,
            2);
}

// A word that is not a command is a usage error naming it, with a hint to the help that lists
// the commands, also when --help follows (or precedes) it; at any level of commands.
TEST(Cli, UnknownCommandIsAUsageErrorNamingIt) {
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"serve"}, "error: unknown command 'serve'\nSee 'stillpoint --help' for the commands.\n"},
      {{"serve", "--help"},
       "error: unknown command 'serve'\nSee 'stillpoint --help' for the commands.\n"},
      {{"--help", "serve"},
       "error: unknown command 'serve'\nSee 'stillpoint --help' for the commands.\n"},
      {{"frobnicate", "plan", "--pods", "x"},
       "error: unknown command 'frobnicate'\nSee 'stillpoint --help' for the commands.\n"},
      {{"hooks", "frob"},
       "error: unknown command 'hooks frob'\nSee 'stillpoint hooks --help' for the commands.\n"},
      {{"backup", "--help", "list"},
       "error: unknown command 'backup list'\nSee 'stillpoint backup --help' for the commands.\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.args[0] + " " + (c.args.size() > 1 ? c.args[1] : ""));
    RunResult r = sp(c.args);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, c.message);
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
  // Known commands and their help are unchanged.
  RunResult top = sp({"--help"});
  EXPECT_EQ(top.exit_code, 0);
  EXPECT_TRUE(contains(top.out, "hooks")) << top.out;
  RunResult group = sp({"hooks", "--help"});
  EXPECT_EQ(group.exit_code, 0);
  EXPECT_TRUE(contains(group.out, "lint")) << group.out;
  EXPECT_EQ(sp({"backup", "create", "--help"}).exit_code, 0);
  EXPECT_EQ(sp({"--help-all"}).exit_code, 0);
  RunResult none = sp({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_TRUE(contains(none.err, "A subcommand is required")) << none.err;
  RunResult no_sub = sp({"hooks"});
  EXPECT_EQ(no_sub.exit_code, 2);
  EXPECT_TRUE(contains(no_sub.err, "A subcommand is required")) << no_sub.err;
  // A leaf command's own arguments are its own: not command words.
  RunResult extra = sp({"version", "serve"});
  EXPECT_EQ(extra.exit_code, 2);
  EXPECT_FALSE(contains(extra.err, "unknown command")) << extra.err;
}

// The JSON plan has exactly the documented shape, with defaults and precedence applied.
TEST(HooksPlan, BackupJsonShapeAndPrecedence) {
  nlohmann::json plan =
      plan_json({"--pods", kExamples + "pods.yaml", "--spec", kExamples + "backup.yaml"});
  EXPECT_EQ(plan["operation"], "backup");
  ASSERT_EQ(plan["pods"].size(), 3u);

  const auto& pg = pod(plan, "postgres-0");
  for (const char* key :
       {"namespace", "name", "skipped", "skipReason", "pre", "post", "warnings", "errors"}) {
    EXPECT_TRUE(pg.contains(key)) << key;
  }
  // The annotation pre hook replaces the spec's pre hooks; the spec's post hook still applies.
  ASSERT_EQ(pg["pre"].size(), 1u);
  EXPECT_EQ(pg["pre"][0],
            nlohmann::json::parse(R"({"name":"<from-annotation>","source":"annotation","index":0,
              "container":"postgres","command":["/bin/sh","-c",
              "pg_dump -U app shop > /scratch/shop.sql"],"onError":"Fail","timeout":"2m0s"})"));
  ASSERT_EQ(pg["post"].size(), 1u);
  EXPECT_EQ(pg["post"][0]["name"], "postgres-checkpoint");
  EXPECT_EQ(pg["post"][0]["source"], "spec");
  EXPECT_EQ(pg["post"][0]["container"], "postgres");  // defaulted to the first container
  EXPECT_EQ(pg["post"][0]["onError"], "Continue");
  EXPECT_EQ(pg["post"][0]["timeout"], "30s");

  const auto& nginx = pod(plan, "nginx-7d9f");
  ASSERT_EQ(nginx["pre"].size(), 1u);
  EXPECT_EQ(nginx["pre"][0]["container"], "fsfreeze");
  EXPECT_EQ(nginx["post"][0]["onError"], "Fail");  // unset onError is Fail, as documented

  // A Pending pod is listed as skipped, its hooks still shown, its warnings explained.
  const auto& redis = pod(plan, "redis-0");
  EXPECT_EQ(redis["skipped"], true);
  EXPECT_TRUE(contains(redis["skipReason"], "Pending"));
  ASSERT_EQ(redis["pre"].size(), 1u);
  EXPECT_EQ(redis["pre"][0]["command"], nlohmann::json::array({"redis-cli BGSAVE"}));
  EXPECT_EQ(redis["pre"][0]["timeout"], "30s");
  EXPECT_TRUE(any_contains(redis["warnings"], "pre.hook.backup.velero.io/timeout \"300\""));
}

// Velero's quirks: legacy keys, sidecars, `[` fallback, unitless and huge timeouts, missing
// containers, pods that are not items.
TEST(HooksPlan, VeleroQuirks) {
  nlohmann::json plan = plan_json({"--pods", kData + "quirks-pods.yaml"});
  ASSERT_EQ(plan["pods"].size(), 4u);  // the Service is not a pod

  const auto& legacy = pod(plan, "legacy");
  ASSERT_EQ(legacy["pre"].size(), 1u);
  EXPECT_EQ(legacy["pre"][0]["command"], nlohmann::json::array({"/bin/legacy"}));
  EXPECT_EQ(legacy["pre"][0]["container"], "side");  // native sidecar, legacy key set
  EXPECT_TRUE(legacy["errors"].empty()) << legacy["errors"];
  EXPECT_TRUE(any_contains(legacy["warnings"], "pre.hook.backup.velero.io/container is ignored"));

  const auto& unitless = pod(plan, "unitless");
  EXPECT_EQ(unitless["pre"][0]["timeout"], "30s");
  EXPECT_EQ(unitless["post"][0]["command"], nlohmann::json::array({"[/bin/unfreeze"}));
  EXPECT_EQ(unitless["post"][0]["timeout"], "4h0m0s");
  EXPECT_TRUE(any_contains(unitless["warnings"], "missing unit in duration \"300\""));
  EXPECT_TRUE(any_contains(unitless["warnings"], "is not a JSON list"));
  EXPECT_TRUE(any_contains(unitless["warnings"], "above the maximum 4h0m0s"));

  const auto& wrong = pod(plan, "wrong-container");
  EXPECT_EQ(wrong["errors"], nlohmann::json::array({"no such container: \"nope\""}));

  EXPECT_EQ(pod(plan, "pending")["skipped"], true);
}

// Restore: target namespaces, final init container list, exec hooks grouped by container.
TEST(HooksPlan, RestoreOrderingAndNamespaceMapping) {
  nlohmann::json plan = plan_json({"--pods", kData + "restore-wait-pods.json", "--spec",
                                   kData + "restore-ordering.yaml"});
  EXPECT_EQ(plan["operation"], "restore");
  ASSERT_EQ(plan["pods"].size(), 3u);  // "other" is in an excluded namespace

  const auto& db = pod(plan, "db-0");
  EXPECT_EQ(db["namespace"], "prod-copy");
  ASSERT_EQ(db["initContainers"].size(), 3u);
  EXPECT_EQ(db["initContainers"][0]["name"], "restore-wait");
  EXPECT_EQ(db["initContainers"][1]["image"], "busybox");  // the annotation replaces spec inits
  EXPECT_TRUE(db["initContainers"][1]["name"].get<std::string>().rfind("restore-init-", 0) == 0);
  EXPECT_FALSE(db["initContainers"][1].contains("command"));  // image entrypoint
  EXPECT_EQ(db["initContainers"][2]["name"], "own-init");

  const auto& web = pod(plan, "web-0");
  ASSERT_EQ(web["initContainers"].size(), 2u);
  EXPECT_EQ(web["initContainers"][0]["name"], "hook-init-1");
  EXPECT_EQ(web["initContainers"][0]["volumeMounts"][0]["mountPath"], "/data");  // verbatim
  EXPECT_EQ(web["initContainers"][1]["name"], "hook-init-2");
  EXPECT_EQ(web["errors"], nlohmann::json::array());  // web-0 has the volume hook-init-1 mounts
  // Grouped by container in the pod's order (web, then cache), spec order inside a group;
  // indices are positions in postHooks, init entries included.
  ASSERT_EQ(web["exec"].size(), 3u);
  EXPECT_EQ(web["exec"][0]["container"], "web");
  EXPECT_EQ(web["exec"][0]["command"], nlohmann::json::array({"b"}));
  EXPECT_EQ(web["exec"][0]["index"], 2);
  EXPECT_EQ(web["exec"][0]["execTimeout"], "1m0s");
  EXPECT_EQ(web["exec"][0]["waitTimeout"], "2m0s");
  EXPECT_EQ(web["exec"][0]["waitForReady"], true);
  EXPECT_EQ(web["exec"][0]["onError"], "Fail");
  EXPECT_EQ(web["exec"][1]["command"], nlohmann::json::array({"c"}));
  EXPECT_EQ(web["exec"][1]["name"], "second");
  EXPECT_EQ(web["exec"][1]["index"], 1);
  EXPECT_EQ(web["exec"][1]["onError"], "Continue");
  EXPECT_EQ(web["exec"][1]["waitTimeout"], "10m0s");
  EXPECT_EQ(web["exec"][2]["container"], "cache");

  const auto& job = pod(plan, "job-1");
  EXPECT_EQ(job["skipped"], true);
  EXPECT_TRUE(contains(job["skipReason"], "completed"));
}

// A spec init container mounting a volume the selected pod lacks would be refused by the API
// server at restore time: plan (table and JSON) and lint report it as an error of that pod,
// naming the hook entry, the init container and the volume.
TEST(HooksPlan, InitContainerMountingAVolumeThePodLacks) {
  const std::string pod =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: search-1, namespace: shop}\n"
      "spec:\n  containers: [{name: opensearch, image: x}]\n"
      "  volumes: [{name: data, emptyDir: {}}]\nstatus: {phase: Running}\n";
  const std::string spec = kExamples + "restore-init.yaml";  // fetch-certs mounts "certs"
  const std::string message =
      "init container \"fetch-certs\" of hook \"certs\" (postHooks[0]) mounts volume \"certs\", "
      "which pod shop-dr/search-1 does not have: the API server would refuse the pod "
      "(volumeMounts[0].name: Not found)";

  RunResult table = sp({"hooks", "plan", "--pods", "-", "--spec", spec}, pod);
  EXPECT_EQ(table.exit_code, 0) << table.err;
  EXPECT_TRUE(contains(table.out, "    error: " + message)) << table.out;

  RunResult json = sp({"hooks", "plan", "-o", "json", "--pods", "-", "--spec", spec}, pod);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  EXPECT_EQ(nlohmann::json::parse(json.out)["pods"][0]["errors"], nlohmann::json::array({message}));

  RunResult lint = sp({"hooks", "lint", "--pods", "-", "--spec", spec}, pod);
  EXPECT_EQ(lint.exit_code, 1);
  EXPECT_TRUE(contains(lint.out, "error: shop-dr/search-1: " + message)) << lint.out;

  // The example's own pods have the volume: nothing to report.
  RunResult clean =
      sp({"hooks", "lint", "--pods", kExamples + "restore-init-pods.yaml", "--spec", spec});
  EXPECT_TRUE(contains(clean.out, "0 errors")) << clean.out;
}

// The restore's hook wait limit fills waitTimeout when a hook sets none.
TEST(HooksPlan, HookWaitTimeoutFlag) {
  nlohmann::json plan =
      plan_json({"--pods", kData + "restore-wait-pods.json", "--spec",
                 kData + "restore-ordering.yaml", "--hook-wait-timeout", "90s"});
  EXPECT_EQ(pod(plan, "web-0")["exec"][1]["waitTimeout"], "1m30s");
}

// Waits are not capped at 4h (Velero does not cap waitTimeout); exec timeouts are.
TEST(HooksPlan, WaitTimeoutIsNotCappedButExecTimeoutIs) {
  const std::string pod =
      "kind: Pod\nmetadata:\n  name: p\n  annotations:\n"
      "    post.hook.restore.velero.io/command: '[\"/bin/true\"]'\n"
      "    post.hook.restore.velero.io/wait-timeout: 6h\n"
      "    post.hook.restore.velero.io/exec-timeout: 5h\n"
      "spec: {containers: [{name: a, image: x}]}\nstatus: {phase: Running}\n";
  const std::string restore =
      "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: r}\nspec: {backupName: b}\n";
  auto dir = ::testing::TempDir();
  std::FILE* f = std::fopen((dir + "/restore.yaml").c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fputs(restore.c_str(), f);
  std::fclose(f);
  RunResult r = sp({"hooks", "plan", "-o", "json", "--pods", "-", "--spec", dir + "/restore.yaml"},
                   pod);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto plan = nlohmann::json::parse(r.out);
  EXPECT_EQ(plan["pods"][0]["exec"][0]["waitTimeout"], "6h0m0s");
  EXPECT_EQ(plan["pods"][0]["exec"][0]["execTimeout"], "4h0m0s");
}

// YAML output is the same tree as JSON.
TEST(HooksPlan, YamlEqualsJson) {
  const std::vector<std::string> files = {"--pods", kExamples + "pods.yaml", "--spec",
                                          kExamples + "restore.yaml"};
  std::vector<std::string> args = {"hooks", "plan", "-o", "yaml"};
  args.insert(args.end(), files.begin(), files.end());
  RunResult yaml = sp(args);
  ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
  auto docs = core::parse_documents(yaml.out, "yaml output");
  ASSERT_TRUE(docs.has_value()) << docs.error().message;
  ASSERT_EQ(docs->size(), 1u);
  EXPECT_EQ(docs->front().value, plan_json(files));
}

// The table names every pod and hook for people.
TEST(HooksPlan, TableForPeople) {
  RunResult r = sp({"hooks", "plan", "--pods", kExamples + "pods.yaml", "--spec",
                    kExamples + "backup.yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(contains(r.out, "shop/postgres-0")) << r.out;
  EXPECT_TRUE(contains(r.out, "fsfreeze[0]")) << r.out;
  EXPECT_TRUE(contains(r.out, "skipped: pod phase is Pending")) << r.out;
}

// Pods can come from standard input; objects the backup does not include are not listed.
TEST(HooksPlan, StdinAndBackupFilters) {
  auto text = core::read_file(kExamples + "pods.yaml");
  ASSERT_TRUE(text.has_value());
  RunResult r = sp({"hooks", "plan", "-o", "json", "--pods", "-", "--spec",
                    kData + "clean-backup.yaml"},
                   *text);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  // clean-backup includes namespaces matching "app?": none of shop/cache.
  EXPECT_TRUE(nlohmann::json::parse(r.out)["pods"].empty()) << r.out;
}

// Problems with the spec itself fail the command with one line naming file, field and value.
TEST(HooksPlan, SpecErrorsNameTheFieldAndValue) {
  struct Case {
    const char* file;
    std::vector<std::string> needles;
  } cases[] = {
      {"bad-operator.yaml",
       {"bad-operator.yaml: document 1: ",
        "spec.hooks.resources[0] (\"broken-selector\").labelSelector.matchExpressions[0]."
        "operator",
        "\"nonexistent-operator\" is not a valid label selector operator"}},
      {"init-without-image.yaml",
       {"spec.hooks.resources[0] (\"seed-data\").postHooks[0].init.initContainers[0] (\"seed\")"
        ".image",
        "required"}},
      {"wrong-type.yaml",
       {"pre[0].exec.command", "expected a list of strings, got string \"pg_dump --all\""}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.file);
    RunResult r = sp({"hooks", "plan", "--pods", kData + "clean-pods.yaml", "--spec",
                      kData + c.file});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_TRUE(r.out.empty()) << r.out;
    for (const auto& needle : c.needles) {
      EXPECT_TRUE(contains(r.err, needle)) << r.err;
    }
  }
}

// Bad input files: a clear error, never a crash.
TEST(HooksPlan, BadInputFiles) {
  RunResult missing = sp({"hooks", "plan", "--pods", kData + "does-not-exist.yaml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "does-not-exist.yaml: cannot open")) << missing.err;

  RunResult not_yaml = sp({"hooks", "plan", "--pods", "-"}, "{\"kind\": \"Pod\",");
  EXPECT_EQ(not_yaml.exit_code, 1);
  EXPECT_TRUE(contains(not_yaml.err, "invalid JSON")) << not_yaml.err;

  RunResult no_pods = sp({"hooks", "plan", "--pods", kData + "typo-field.yaml"});
  EXPECT_EQ(no_pods.exit_code, 1);
  EXPECT_TRUE(contains(no_pods.err, "holds no Pod objects")) << no_pods.err;

  RunResult unquoted =
      sp({"hooks", "plan", "--pods", "-"},
         "kind: Pod\nmetadata:\n  name: p\n  annotations:\n    "
         "post.hook.restore.velero.io/wait-for-ready: true\nspec: {containers: [{name: a}]}\n");
  EXPECT_EQ(unquoted.exit_code, 1);
  EXPECT_TRUE(contains(unquoted.err, "post.hook.restore.velero.io/wait-for-ready")) << unquoted.err;
  EXPECT_TRUE(contains(unquoted.err, "expected a string, got boolean true")) << unquoted.err;
}

// lint: silent and 0 on a clean input; one line per problem and 1 otherwise.
TEST(HooksLint, CleanInputPasses) {
  RunResult r = sp({"hooks", "lint", "--pods", kData + "clean-pods.yaml", "--spec",
                    kData + "clean-backup.yaml"});
  EXPECT_EQ(r.exit_code, 0) << r.out;
  EXPECT_TRUE(contains(r.out, "hooks lint: 1 pod read, 1 in the backup: 0 errors, 0 warnings"))
      << r.out;
}

TEST(HooksLint, ReportsEveryProblemOnItsOwnLine) {
  RunResult r = sp({"hooks", "lint", "--pods", kData + "quirks-pods.yaml", "--spec",
                    kData + "typo-field.yaml"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.out, "warning: " + kData + "typo-field.yaml: document 1: "
                              "spec.hooks.resources[0] (\"freeze\").pre[0].exec.onErorr: "
                              "unknown field"))
      << r.out;
  EXPECT_TRUE(contains(r.out, "error: apps/wrong-container: no such container: \"nope\""))
      << r.out;
  EXPECT_TRUE(contains(r.out, "warning: apps/unitless: pre.hook.backup.velero.io/timeout"))
      << r.out;

  RunResult all_restore = sp({"hooks", "lint", "--pods", kData + "quirks-pods.yaml", "--spec",
                              kData + "init-without-image.yaml"});
  EXPECT_EQ(all_restore.exit_code, 1);
  EXPECT_TRUE(contains(all_restore.out, "initContainers[0] (\"seed\").image: required"))
      << all_restore.out;
}

TEST(HooksLint, RestoreTimeoutKeyTypo) {
  const std::string restore_spec =
      "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: r}\nspec: {backupName: b}\n";
  RunResult r = sp({"hooks", "lint", "--pods", kData + "quirks-pods.yaml", "--spec", "/dev/stdin"},
                   restore_spec);
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.out, "unknown hook annotation post.hook.restore.velero.io/timeout is "
                              "ignored (did you mean post.hook.restore.velero.io/exec-timeout?)"))
      << r.out;
}

}  // namespace
}  // namespace stillpoint::testing
