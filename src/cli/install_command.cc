// `stillpoint install --dry-run -o yaml|json`: every manifest of deploy/ (embedded at build
// time) with the namespace, the image and the API group substituted, ready for
// `kubectl apply -f -`. Applying them itself is left to kubectl: one well-known way to create
// CRDs, RBAC and a Deployment in order, with its diff and server-side validation.
#include <cstdio>
#include <string>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/deploy_manifests.h"
#include "cli/exit_codes.h"
#include "core/documents.h"

#ifndef STILLPOINT_VERSION
#define STILLPOINT_VERSION "0.0.0"
#endif

namespace stillpoint::cli {
namespace {

using nlohmann::json;

struct InstallOptions {
  bool dry_run = false;
  std::string output = "yaml";
  std::string namespace_name = "stillpoint";
  std::string image = std::string("stillpoint:") + STILLPOINT_VERSION;
  std::string api_group = "stillpoint.io";
};

// The Deployment's container runs `server --namespace NS` (and `--api-group velero.io`).
void set_server_args(json& container, const InstallOptions& o) {
  json args = json::array();
  const json old = container.value("args", json::array());
  for (size_t i = 0; i < old.size(); ++i) {
    if (old[i] == "--namespace" || old[i] == "--api-group") {
      ++i;  // replaced below
      continue;
    }
    args.push_back(old[i]);
  }
  args.push_back("--namespace");
  args.push_back(o.namespace_name);
  if (o.api_group != "stillpoint.io") {
    args.push_back("--api-group");
    args.push_back(o.api_group);
  }
  container["args"] = args;
  container["image"] = o.image;
}

void substitute(json& object, const InstallOptions& o) {
  json& md = object["metadata"];
  if (object.value("kind", "") == "Namespace") {
    md["name"] = o.namespace_name;
  }
  if (md.contains("namespace")) {
    md["namespace"] = o.namespace_name;
  }
  if (object.contains("subjects")) {
    for (json& subject : object["subjects"]) {
      if (subject.value("kind", "") == "ServiceAccount") {
        subject["namespace"] = o.namespace_name;
      }
    }
  }
  if (object.value("kind", "") == "Deployment") {
    for (json& container : object["spec"]["template"]["spec"]["containers"]) {
      set_server_args(container, o);
    }
  }
}

int run_install(const InstallOptions& o) {
  if (!o.dry_run) {
    std::fprintf(stderr,
                 "error: stillpoint install only prints the manifests; apply them with\n"
                 "  stillpoint install --dry-run -o yaml | kubectl apply -f -\n");
    return kExitUsage;
  }
  const bool crds = o.api_group == "stillpoint.io";
  json items = json::array();
  for (const EmbeddedManifest& m : deploy_manifests()) {
    auto docs = core::parse_documents(m.text, "deploy/" + std::string(m.path));
    if (!docs) {
      std::fprintf(stderr, "stillpoint: internal error: %s\n", docs.error().message.c_str());
      return kExitFailed;
    }
    for (core::Document& doc : *docs) {
      if (!crds && doc.value.value("kind", "") == "CustomResourceDefinition") {
        continue;
      }
      substitute(doc.value, o);
      items.push_back(std::move(doc.value));
    }
  }
  if (o.output == "json") {
    const json list = {{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
    std::printf("%s\n", list.dump(2).c_str());
    return kExitOk;
  }
  std::string out = "# stillpoint " STILLPOINT_VERSION " (stillpoint install --dry-run -o yaml)\n";
  if (!crds) {
    out += "# --api-group " + o.api_group +
           ": no CustomResourceDefinitions here. The server uses the cluster's Velero CRDs\n"
           "# (installed by Velero, or deploy/crds-velero/ where Velero is absent); installing\n"
           "# ours would replace Velero's definitions.\n";
  }
  for (const json& item : items) {
    out += "---\n" + core::to_yaml(item);
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

void add_install_command(CLI::App& app, Action& action) {
  auto options = std::make_shared<InstallOptions>();
  auto* cmd = app.add_subcommand(
      "install", "Print the manifests that run stillpoint in a cluster (CRDs, RBAC, Deployment)");
  cmd->add_flag("--dry-run", options->dry_run,
                "Print the manifests (required: nothing is applied)");
  cmd->add_option("-o,--output", options->output, "Output format")
      ->check(CLI::IsMember({"yaml", "json"}))
      ->capture_default_str();
  cmd->add_option("--namespace", options->namespace_name, "Namespace of the server and its objects")
      ->capture_default_str();
  cmd->add_option("--image", options->image, "Image of the server (scripts/build-image)")
      ->capture_default_str();
  cmd->add_option("--api-group", options->api_group,
                  "API group the server serves; velero.io omits the CRDs")
      ->check(CLI::IsMember({"stillpoint.io", "velero.io"}))
      ->capture_default_str();
  cmd->callback([&action, options] { action = [options] { return run_install(*options); }; });
}

}  // namespace stillpoint::cli
