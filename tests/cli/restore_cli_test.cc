// `stillpoint restore ...` input errors, checked before any cluster is contacted: each names
// the flag or field and the value, and nothing is restored. (Restores against a cluster are
// in tests/e2e/restore_e2e_test.cc.)
#include <cstdio>
#include <cstdlib>
#include <string>

#include <gtest/gtest.h>

#include "run_binary.h"

namespace stillpoint::testing {
namespace {

const std::string kBinary = STILLPOINT_BINARY;

RunResult sp(const std::vector<std::string>& args) { return run_binary(kBinary, args); }

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/" + name;
  std::FILE* f = std::fopen(path.c_str(), "w");
  EXPECT_NE(f, nullptr);
  std::fputs(text.c_str(), f);
  std::fclose(f);
  return path;
}

// The kubeconfig is never read in these cases: validation comes first.
const std::vector<std::string> kNoCluster = {"--kubeconfig", "/nonexistent/kubeconfig",
                                             "--storage", "/nonexistent/location"};

RunResult create(std::vector<std::string> args) {
  args.insert(args.begin(), {"restore", "create"});
  args.insert(args.end(), kNoCluster.begin(), kNoCluster.end());
  return sp(args);
}

TEST(RestoreCli, HelpNamesEveryFlag) {
  RunResult help = sp({"restore", "create", "--help"});
  ASSERT_EQ(help.exit_code, 0);
  for (const char* flag : {"--from-backup", "--from-file", "--namespace-mappings",
                           "--existing-resource-policy", "--hook-wait-timeout",
                           "--include-namespaces", "--selector", "--workers", "-o"}) {
    EXPECT_TRUE(contains(help.out, flag)) << flag << " missing from:\n" << help.out;
  }
  for (const char* sub : {"get", "describe", "logs"}) {
    EXPECT_EQ(sp({"restore", sub, "--help"}).exit_code, 0) << sub;
  }
  EXPECT_EQ(sp({"restore"}).exit_code, 2);
}

TEST(RestoreCli, BackupIsRequired) {
  RunResult r = create({});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(contains(r.err, "a backup to restore is required (--from-backup")) << r.err;
}

TEST(RestoreCli, BadFlagValuesAreUsageErrors) {
  RunResult wait = create({"--from-backup", "b", "--hook-wait-timeout", "300"});
  EXPECT_EQ(wait.exit_code, 2) << wait.err;
  EXPECT_TRUE(contains(wait.err, "--hook-wait-timeout")) << wait.err;
  EXPECT_EQ(create({"--from-backup", "b", "--hook-wait-timeout", "-5m"}).exit_code, 2);
  RunResult policy = create({"--from-backup", "b", "--existing-resource-policy", "merge"});
  EXPECT_EQ(policy.exit_code, 2);
  EXPECT_TRUE(contains(policy.err, "merge")) << policy.err;
  EXPECT_EQ(create({"--from-backup", "b", "-o", "xml"}).exit_code, 2);
}

TEST(RestoreCli, NamespaceMappingsNameTheBadPair) {
  RunResult no_colon = create({"--from-backup", "b", "--namespace-mappings", "shop"});
  EXPECT_EQ(no_colon.exit_code, 1);
  EXPECT_TRUE(contains(no_colon.err, "--namespace-mappings: \"shop\" is not old:new"))
      << no_colon.err;
  RunResult bad_name = create({"--from-backup", "b", "--namespace-mappings", "a:Shop_Copy"});
  EXPECT_EQ(bad_name.exit_code, 1);
  EXPECT_TRUE(contains(bad_name.err, "\"Shop_Copy\" is not a valid namespace name"))
      << bad_name.err;
}

TEST(RestoreCli, BadNamesAndSelectors) {
  RunResult name = create({"Bad_Name", "--from-backup", "b"});
  EXPECT_EQ(name.exit_code, 1);
  EXPECT_TRUE(contains(name.err, "restore name \"Bad_Name\"")) << name.err;
  RunResult selector = create({"--from-backup", "b", "--selector", "a in b"});
  EXPECT_EQ(selector.exit_code, 1);
  EXPECT_TRUE(contains(selector.err, "--selector")) << selector.err;
}

TEST(RestoreCli, FromFileErrorsNameTheFileAndField) {
  const std::string backup = write_file(
      "a-backup.yaml", "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: x}\nspec: {}\n");
  RunResult wrong_kind = create({"--from-file", backup});
  EXPECT_EQ(wrong_kind.exit_code, 1);
  EXPECT_TRUE(contains(wrong_kind.err, "expected a Restore object")) << wrong_kind.err;

  const std::string policy = write_file(
      "policy.yaml",
      "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: r}\n"
      "spec: {backupName: b, existingResourcePolicy: replace}\n");
  RunResult bad_policy = create({"--from-file", policy});
  EXPECT_EQ(bad_policy.exit_code, 1);
  EXPECT_TRUE(contains(bad_policy.err, "spec.existingResourcePolicy: \"replace\" is not one of "
                                       "none, update"))
      << bad_policy.err;

  const std::string typo = write_file(
      "typo.yaml",
      "apiVersion: velero.io/v1\nkind: Restore\nmetadata: {name: r}\nspec:\n  backupName: b\n"
      "  hooks:\n    resources:\n    - name: h\n      postHooks:\n      - exec:\n"
      "          command: [\"true\"]\n          onError: Sometimes\n");
  RunResult bad_hook = create({"--from-file", typo});
  EXPECT_EQ(bad_hook.exit_code, 1);
  EXPECT_TRUE(contains(bad_hook.err, "onError")) << bad_hook.err;
  EXPECT_TRUE(contains(bad_hook.err, "Sometimes")) << bad_hook.err;

  RunResult missing = create({"--from-file", "/nonexistent/restore.yaml"});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_TRUE(contains(missing.err, "/nonexistent/restore.yaml")) << missing.err;
}

TEST(RestoreCli, ReadingAMissingRestoreIsAClearError) {
  const std::string location = ::testing::TempDir() + "/empty-location";
  std::string mkdir = "mkdir -p '" + location + "'";
  ASSERT_EQ(std::system(mkdir.c_str()), 0);
  RunResult describe = sp({"restore", "describe", "nope", "--storage", location});
  EXPECT_EQ(describe.exit_code, 1);
  EXPECT_TRUE(contains(describe.err, "restore \"nope\" not found in ")) << describe.err;
  RunResult logs = sp({"restore", "logs", "nope", "--storage", location});
  EXPECT_EQ(logs.exit_code, 1);
  RunResult get = sp({"restore", "get", "-o", "json", "--storage", location});
  EXPECT_EQ(get.exit_code, 0) << get.err;
  EXPECT_TRUE(contains(get.out, "\"kind\": \"RestoreList\"")) << get.out;
}

}  // namespace
}  // namespace stillpoint::testing
