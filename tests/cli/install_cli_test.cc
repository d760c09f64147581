// `stillpoint install --dry-run`: every manifest of deploy/ (embedded in the binary) printed as
// one multi-document YAML or a v1 List, with the namespace, image and API group substituted.
// (Applied with the real kubectl against kubesim in tests/deploy.)
#include <map>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/documents.h"
#include "run_binary.h"

namespace stillpoint::testing {
namespace {

using nlohmann::json;

const std::string kBinary = STILLPOINT_BINARY;

RunResult sp(const std::vector<std::string>& args) {
  return run_binary(kBinary, args);
}

std::vector<json> yaml_objects(const std::string& text) {
  auto docs = core::parse_documents(text, "install output");
  EXPECT_TRUE(docs.has_value()) << (docs ? "" : docs.error().message);
  std::vector<json> objects;
  if (docs) {
    for (auto& d : *docs)
      objects.push_back(d.value);
  }
  return objects;
}

std::map<std::string, int> kinds(const std::vector<json>& objects) {
  std::map<std::string, int> count;
  for (const json& o : objects)
    ++count[o.value("kind", "")];
  return count;
}

const json* find_kind(const std::vector<json>& objects, const std::string& kind) {
  for (const json& o : objects) {
    if (o.value("kind", "") == kind)
      return &o;
  }
  return nullptr;
}

// The default output holds the namespace, the five CRDs, the service account, both cluster
// roles and their bindings, the namespaced role and binding, and the Deployment.
TEST(InstallCli, PrintsEveryManifestAsYaml) {
  const RunResult r = sp({"install", "--dry-run", "-o", "yaml"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::vector<json> objects = yaml_objects(r.out);
  EXPECT_EQ(kinds(objects), (std::map<std::string, int>{{"Namespace", 1},
                                                        {"CustomResourceDefinition", 5},
                                                        {"ServiceAccount", 1},
                                                        {"ClusterRole", 2},
                                                        {"ClusterRoleBinding", 2},
                                                        {"Role", 1},
                                                        {"RoleBinding", 1},
                                                        {"Deployment", 1}}));
  // Apply order: the namespace and the CRDs before anything that needs them.
  ASSERT_GE(objects.size(), 4u);
  EXPECT_EQ(objects[0]["kind"], "Namespace");
  EXPECT_EQ(objects[1]["kind"], "CustomResourceDefinition");
  const json* deployment = find_kind(objects, "Deployment");
  ASSERT_NE(deployment, nullptr);
  const json& container = (*deployment)["spec"]["template"]["spec"]["containers"][0];
  const std::string version = sp({"version"}).out;  // "stillpoint X.Y.Z\n"
  EXPECT_EQ(container["image"], "stillpoint:" + version.substr(11, version.size() - 12));
  EXPECT_EQ(container["args"], json::parse(R"(["server","--namespace","stillpoint"])"));
}

// --namespace applies everywhere a namespace is named: the Namespace itself, every namespaced
// object, the bindings' subjects and the server's --namespace argument; --image sets the image.
TEST(InstallCli, NamespaceAndImageAreSubstitutedEverywhere) {
  const RunResult r =
      sp({"install", "--dry-run", "--namespace", "team-b", "--image", "stillpoint:dev"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.find("namespace: stillpoint"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("serviceaccount:stillpoint"), std::string::npos);
  for (const json& o : yaml_objects(r.out)) {
    const std::string kind = o["kind"];
    const json& md = o["metadata"];
    if (kind == "Namespace") {
      EXPECT_EQ(md["name"], "team-b");
    } else if (kind == "ServiceAccount" || kind == "Role" || kind == "RoleBinding" ||
               kind == "Deployment") {
      EXPECT_EQ(md.value("namespace", ""), "team-b") << kind << " " << md;
    } else {
      EXPECT_FALSE(md.contains("namespace")) << kind << " " << md;
    }
    for (const json& subject : o.value("subjects", json::array())) {
      EXPECT_EQ(subject["namespace"], "team-b") << kind;
    }
    if (kind == "Deployment") {
      const json& container = o["spec"]["template"]["spec"]["containers"][0];
      EXPECT_EQ(container["image"], "stillpoint:dev");
      EXPECT_EQ(container["args"], json::parse(R"(["server","--namespace","team-b"])"));
    }
  }
}

// With --api-group velero.io the CRDs are left out (Velero's own are used), a comment says
// why, and the server is told the group.
TEST(InstallCli, VeleroGroupOmitsTheCrdsAndSaysWhy) {
  const RunResult r = sp({"install", "--dry-run", "--api-group", "velero.io"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("# --api-group velero.io: no CustomResourceDefinitions"), std::string::npos)
      << r.out;
  const std::vector<json> objects = yaml_objects(r.out);
  EXPECT_EQ(kinds(objects).count("CustomResourceDefinition"), 0u);
  const json* deployment = find_kind(objects, "Deployment");
  ASSERT_NE(deployment, nullptr);
  EXPECT_EQ((*deployment)["spec"]["template"]["spec"]["containers"][0]["args"],
            json::parse(R"(["server","--namespace","stillpoint","--api-group","velero.io"])"));
}

// -o json is one v1 List holding the same objects as the YAML.
TEST(InstallCli, JsonIsAV1ListOfTheSameObjects) {
  const RunResult j = sp({"install", "--dry-run", "-o", "json"});
  ASSERT_EQ(j.exit_code, 0) << j.err;
  const json list = json::parse(j.out);
  EXPECT_EQ(list["apiVersion"], "v1");
  EXPECT_EQ(list["kind"], "List");
  const std::vector<json> yaml = yaml_objects(sp({"install", "--dry-run"}).out);
  ASSERT_EQ(list["items"].size(), yaml.size());
  for (size_t i = 0; i < yaml.size(); ++i) {
    EXPECT_EQ(list["items"][i], yaml[i]) << i;
  }
}

// Without --dry-run nothing is applied: a usage error that shows the kubectl pipe; unknown
// groups and formats are refused.
TEST(InstallCli, RefusesToApplyAndUnknownValues) {
  const RunResult r = sp({"install"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("stillpoint install --dry-run -o yaml | kubectl apply -f -"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(sp({"install", "--dry-run", "--api-group", "example.com"}).exit_code, 2);
  EXPECT_EQ(sp({"install", "--dry-run", "-o", "wide"}).exit_code, 2);
}

}  // namespace
}  // namespace stillpoint::testing
