// The manifests of deploy/ against kubesim with the real kubectl: the CRDs serve Velero-shaped
// objects with every spec field kept (a structural schema prunes what it does not declare),
// print their Phase and Hooks columns, and the whole of deploy/ applies in order with -k.
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/documents.h"
#include "kubectl_harness.h"

namespace stillpoint {
namespace {

using kubesim::testing::CommandResult;
using kubesim::testing::KubesimFixture;
using nlohmann::json;

const std::string kSource = STILLPOINT_SOURCE_DIR;

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json yaml_object(const std::string& text) {
  auto docs = core::parse_documents(text, "test data");
  if (!docs || docs->size() != 1) {
    ADD_FAILURE() << "not one YAML document";
    return json();
  }
  return (*docs)[0].value;
}

// kubectl apply sends no field whose value is null (Velero's example sets a few), so the
// expected spec is the file's without them.
json without_nulls(json value) {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_null()) {
        it = value.erase(it);
      } else {
        *it = without_nulls(*it);
        ++it;
      }
    }
  } else if (value.is_array()) {
    for (auto& element : value)
      element = without_nulls(element);
  }
  return value;
}

std::string replace_all(std::string text, const std::string& from, const std::string& to) {
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
  return text;
}

class DeployKubesimTest : public ::testing::Test {
 protected:
  DeployKubesimTest() : sim_(/*run_pods=*/false) {}

  CommandResult kubectl(const std::vector<std::string>& args, const std::string& input = "") {
    return sim_.kubectl(args, input);
  }
  void ok(const std::vector<std::string>& args, const std::string& input = "") {
    CommandResult r = kubectl(args, input);
    ASSERT_EQ(r.exit_code, 0) << r.describe();
  }
  // Applies an object from text into `ns` and returns `kubectl get -o json` of it.
  json apply_and_get(const std::string& text, const std::string& ns, const std::string& what) {
    CommandResult a = kubectl({"apply", "-n", ns, "-f", "-"}, text);
    EXPECT_EQ(a.exit_code, 0) << a.describe();
    CommandResult g = kubectl({"get", "-n", ns, what, "-o", "json"});
    EXPECT_EQ(g.exit_code, 0) << g.describe();
    return json::parse(g.out, nullptr, false);
  }

  KubesimFixture sim_;
};

// A Velero example Backup with spec hooks, only its apiVersion changed, is accepted and every
// spec field comes back unchanged (nothing pruned); with a status written through the status
// subresource, `kubectl get backups` prints NAME PHASE HOOKS FAILED AGE.
TEST_F(DeployKubesimTest, VeleroBackupWithHooksRoundTripsAndPrintsItsColumns) {
  ok({"apply", "-f", kSource + "/deploy/crds"});
  ok({"create", "namespace", "team"});
  const std::string text = read_text(kSource + "/tests/deploy/data/velero-backup-with-hooks.yaml");
  json stored = apply_and_get(text, "team", "backup/a");
  EXPECT_EQ(stored["spec"], without_nulls(yaml_object(text)["spec"]));

  ok({"patch", "-n", "team", "backup", "a", "--subresource=status", "--type=merge", "-p",
      R"({"status":{"phase":"Completed","hookStatus":{"hooksAttempted":2,"hooksFailed":1,
          "hooksSkipped":0},"hookResults":[{"pod":"db-0","result":"Succeeded","exitCode":0}]}})"});
  CommandResult table = kubectl({"get", "backups", "-n", "team"});
  ASSERT_EQ(table.exit_code, 0) << table.describe();
  std::istringstream lines(table.out);
  std::string header, row;
  std::getline(lines, header);
  std::getline(lines, row);
  std::istringstream h(header), r(row);
  std::vector<std::string> columns, cells;
  for (std::string w; h >> w;)
    columns.push_back(w);
  for (std::string w; r >> w;)
    cells.push_back(w);
  EXPECT_EQ(columns, (std::vector<std::string>{"NAME", "PHASE", "HOOKS", "FAILED", "AGE"}))
      << table.out;
  ASSERT_EQ(cells.size(), 5u) << table.out;
  EXPECT_EQ(cells[0], "a");
  EXPECT_EQ(cells[1], "Completed");
  EXPECT_EQ(cells[2], "2");
  EXPECT_EQ(cells[3], "1");
  // stillpoint's status additions are in the schema too, so the status patch kept them.
  json after = json::parse(kubectl({"get", "-n", "team", "bk/a", "-o", "json"}).out);
  EXPECT_EQ(after["status"]["hookStatus"]["hooksSkipped"], 0);
  EXPECT_EQ(after["status"]["hookResults"][0]["exitCode"], 0);
}

// The Velero example Restore with init and exec hooks keeps every field, including the whole
// init container (kept as written, as Velero's CRD keeps these raw objects).
TEST_F(DeployKubesimTest, VeleroRestoreWithInitAndExecHooksRoundTrips) {
  ok({"apply", "-f", kSource + "/deploy/crds"});
  ok({"create", "namespace", "team"});
  const std::string text = read_text(kSource + "/tests/deploy/data/velero-restore-with-hooks.yaml");
  json stored = apply_and_get(text, "team", "restore/r");
  EXPECT_EQ(stored["spec"], without_nulls(yaml_object(text)["spec"]));
  CommandResult table = kubectl({"get", "restores.stillpoint.io", "-n", "team"});
  EXPECT_NE(table.out.find("BACKUP"), std::string::npos) << table.out;
}

// The velero.io copy of the CRDs serves the same manifest under Velero's own apiVersion.
TEST_F(DeployKubesimTest, VeleroGroupCopyServesTheSameFields) {
  ok({"apply", "-f", kSource + "/deploy/crds-velero"});
  ok({"create", "namespace", "velero"});
  const std::string text =
      replace_all(read_text(kSource + "/tests/deploy/data/velero-backup-with-hooks.yaml"),
                  "apiVersion: stillpoint.io/v1", "apiVersion: velero.io/v1");
  json stored = apply_and_get(text, "velero", "backups.velero.io/a");
  EXPECT_EQ(stored["apiVersion"], "velero.io/v1");
  EXPECT_EQ(stored["spec"], without_nulls(yaml_object(text)["spec"]));
}

// A field Velero's types do not have is pruned, as a real API server prunes it: the schema
// is structural, not open.
TEST_F(DeployKubesimTest, UnknownSpecFieldsArePruned) {
  ok({"apply", "-f", kSource + "/deploy/crds"});
  ok({"create", "namespace", "team"});
  json stored = apply_and_get(
      "apiVersion: stillpoint.io/v1\nkind: Backup\nmetadata: {name: t}\nspec:\n"
      "  includedNamespaces: [a]\n  includedNamspaces: [typo]\n  hooks:\n    resources:\n"
      "    - name: h\n      pre:\n      - exec: {command: [x], extra: 1}\n",
      "team", "backup/t");
  EXPECT_EQ(stored["spec"], json::parse(R"({"includedNamespaces":["a"],
      "hooks":{"resources":[{"name":"h","pre":[{"exec":{"command":["x"]}}]}]}})"));
}

// `kubectl apply -k deploy/` creates everything in dependency order: the namespace, the CRDs,
// the service account, the roles and their bindings and the Deployment.
TEST_F(DeployKubesimTest, AllManifestsApplyWithKustomize) {
  ok({"apply", "-k", kSource + "/deploy"});
  for (const std::string what :
       {"namespace/stillpoint", "crd/backups.stillpoint.io", "crd/restores.stillpoint.io",
        "crd/backupstoragelocations.stillpoint.io", "crd/schedules.stillpoint.io",
        "crd/deletebackuprequests.stillpoint.io", "clusterrole/stillpoint-backup",
        "clusterrole/stillpoint-restore", "clusterrolebinding/stillpoint-backup",
        "clusterrolebinding/stillpoint-restore"}) {
    EXPECT_EQ(kubectl({"get", what}).exit_code, 0) << what;
  }
  for (const std::string what : {"serviceaccount/stillpoint", "role/stillpoint-server",
                                 "rolebinding/stillpoint-server", "deployment/stillpoint"}) {
    EXPECT_EQ(kubectl({"get", "-n", "stillpoint", what}).exit_code, 0) << what;
  }
  json deployment =
      json::parse(kubectl({"get", "-n", "stillpoint", "deployment/stillpoint", "-o", "json"}).out);
  const json& pod = deployment["spec"]["template"]["spec"];
  EXPECT_EQ(pod["serviceAccountName"], "stillpoint");
  // deployment.yaml names the version being built (scripts/build-image's default tag).
  const CommandResult version = kubesim::testing::run_command({STILLPOINT_BINARY, "version"});
  EXPECT_EQ("stillpoint " + pod["containers"][0]["image"].get<std::string>().substr(11) + "\n",
            version.out)
      << "deploy/deployment.yaml's image tag is not the project version";
  EXPECT_EQ(pod["containers"][0]["args"], json::parse(R"(["server","--namespace","stillpoint"])"));
}

// `stillpoint install --dry-run -o yaml` is accepted by the real kubectl (client dry run), and
// applied for real it creates everything in the namespace it names, in an order that works.
TEST_F(DeployKubesimTest, InstallOutputAppliesWithKubectl) {
  const CommandResult install = kubesim::testing::run_command(
      {STILLPOINT_BINARY, "install", "--dry-run", "-o", "yaml", "--namespace", "team-b"});
  ASSERT_EQ(install.exit_code, 0) << install.describe();
  CommandResult dry = kubectl({"apply", "--dry-run=client", "-f", "-"}, install.out);
  ASSERT_EQ(dry.exit_code, 0) << dry.describe();
  EXPECT_NE(dry.out.find("deployment.apps/stillpoint created (dry run)"), std::string::npos)
      << dry.out;
  ok({"apply", "-f", "-"}, install.out);
  EXPECT_EQ(kubectl({"get", "-n", "team-b", "deployment/stillpoint"}).exit_code, 0);
  EXPECT_EQ(kubectl({"get", "-n", "team-b", "rolebinding/stillpoint-server"}).exit_code, 0);
  EXPECT_EQ(kubectl({"get", "crd/backups.stillpoint.io"}).exit_code, 0);
  json binding =
      json::parse(kubectl({"get", "clusterrolebinding/stillpoint-backup", "-o", "json"}).out);
  EXPECT_EQ(binding["subjects"][0]["namespace"], "team-b");
}

// Every Backup and Restore spec of the project's examples and CLI test data (what the spec
// parsers accept, including init containers and hooks the lint warns about) survives the
// CRDs' pruning unchanged once its apiVersion is stillpoint.io/v1. typo-field.yaml is left
// out on purpose: its misspelt field is exactly what pruning removes (UnknownSpecFieldsArePruned).
TEST_F(DeployKubesimTest, EverySpecTheParsersReadSurvivesPruning) {
  ok({"apply", "-f", kSource + "/deploy/crds"});
  ok({"create", "namespace", "team"});
  int checked = 0;
  for (const std::string file :
       {"examples/hooks/backup.yaml", "examples/hooks/selection-backup.yaml",
        "examples/hooks/restore.yaml", "examples/hooks/restore-init.yaml",
        "examples/hooks/restore-minimal.yaml", "tests/cli/data/clean-backup.yaml",
        "tests/cli/data/restore-ordering.yaml", "tests/cli/data/bad-operator.yaml",
        "tests/cli/data/init-without-image.yaml"}) {
    auto docs = core::parse_documents(read_text(kSource + "/" + file), file);
    ASSERT_TRUE(docs.has_value()) << file;
    for (core::Document& doc : *docs) {
      json object = doc.value;
      const std::string kind = object.value("kind", "");
      if (kind != "Backup" && kind != "Restore")
        continue;
      object["apiVersion"] = "stillpoint.io/v1";
      object["metadata"].erase("namespace");
      const std::string name = object["metadata"].value("name", "");
      json stored = apply_and_get(object.dump(), "team", kind + ".stillpoint.io/" + name);
      EXPECT_EQ(stored["spec"], without_nulls(object["spec"])) << file << ": " << name;
      ++checked;
    }
  }
  EXPECT_GE(checked, 9);
}

}  // namespace
}  // namespace stillpoint
