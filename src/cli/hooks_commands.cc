// `stillpoint hooks plan` and `stillpoint hooks lint`: the dry run of the hook engine, on pods
// from a file (--pods) or, without it, from the cluster (--kubeconfig/--context).
#include <cstdio>
#include <iostream>

#include <CLI/CLI.hpp>

#include "cli/cluster_flags.h"
#include "cli/cluster_pods.h"
#include "cli/commands.h"
#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/hook_plans.h"
#include "cli/plan_output.h"
#include "core/documents.h"

namespace stillpoint::cli {
namespace {

struct HooksOptions {
  std::string pods_file;
  std::string spec_file;
  std::string output = "table";
  std::string hook_wait_timeout = "10m";
  ClusterFlags cluster;
};

core::Result<PlanSet> plans_for(const HooksOptions& options) {
  PlanRequest request;
  request.pods_file = options.pods_file;
  if (!options.spec_file.empty()) {
    request.spec_file = options.spec_file;
  }
  // Validated by GoDurationFlag at parse time.
  request.hook_wait_limit = *core::parse_go_duration(options.hook_wait_timeout);
  if (!options.pods_file.empty()) {
    return build_plans(request);
  }
  const PodSource from_cluster = [&options](const hooks::ParsedSpec& spec) {
    const core::IncludesExcludes& namespaces =
        spec.is_restore() ? std::get<hooks::RestoreSpec>(spec.spec).filter.namespaces
                          : std::get<hooks::BackupSpec>(spec.spec).filter.namespaces;
    return list_cluster_pods(options.cluster, namespaces_to_list(namespaces));
  };
  return build_plans(request, from_cluster);
}

int run_plan(const HooksOptions& options) {
  auto set = plans_for(options);
  if (!set) {
    std::fprintf(stderr, "error: %s\n", set.error().message.c_str());
    return kExitFailed;
  }
  for (const auto& w : set->spec_warnings) {
    std::fprintf(stderr, "warning: %s\n", w.c_str());
  }
  if (options.output == "table") {
    const std::string text =
        set->restore ? plan_table(set->restore_plans) : plan_table(set->backup_plans);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return kExitOk;
  }
  const nlohmann::ordered_json tree =
      set->restore ? plan_json(set->restore_plans) : plan_json(set->backup_plans);
  const std::string text = options.output == "json" ? tree.dump(2) + "\n" : core::to_yaml(tree);
  std::fwrite(text.data(), 1, text.size(), stdout);
  return kExitOk;
}

template <class Plan>
void lint_lines(const std::vector<Plan>& plans, size_t& errors, size_t& warnings) {
  for (const auto& p : plans) {
    const std::string pod = p.namespace_name + "/" + p.pod_name;
    for (const auto& f : p.findings.errors) {
      std::printf("error: %s: %s%s\n", pod.c_str(), f.message.c_str(),
                  f.context.empty() ? "" : (" (" + f.context + ")").c_str());
      ++errors;
    }
    for (const auto& f : p.findings.warnings) {
      std::printf("warning: %s: %s\n", pod.c_str(), f.message.c_str());
      ++warnings;
    }
  }
}

int run_lint(const HooksOptions& options) {
  auto set = plans_for(options);
  if (!set) {
    std::printf("error: %s\n", set.error().message.c_str());
    std::printf("hooks lint: 1 error\n");  // the input itself could not be read
    return kExitFailed;
  }
  size_t errors = 0;
  size_t warnings = 0;
  for (const auto& w : set->spec_warnings) {
    std::printf("warning: %s\n", w.c_str());
    ++warnings;
  }
  if (set->restore) {
    lint_lines(set->restore_plans, errors, warnings);
  } else {
    lint_lines(set->backup_plans, errors, warnings);
  }
  const size_t planned = set->restore ? set->restore_plans.size() : set->backup_plans.size();
  auto count = [](size_t n, const char* noun) {
    return std::to_string(n) + " " + noun + (n == 1 ? "" : "s");
  };
  std::printf("hooks lint: %s read, %zu in the %s: %s, %s\n", count(set->pods_read, "pod").c_str(),
              planned, set->restore ? "restore" : "backup", count(errors, "error").c_str(),
              count(warnings, "warning").c_str());
  return errors + warnings == 0 ? kExitOk : kExitFailed;
}


void add_common_options(CLI::App* cmd, HooksOptions& options) {
  cmd->add_option("--pods", options.pods_file,
                  "File with Pod objects: one Pod, a List/PodList (kubectl get pods -o yaml), "
                  "or several YAML documents; - reads standard input. Without it: the pods of "
                  "the cluster (the spec's includedNamespaces, or all namespaces)");
  cmd->add_option("--spec", options.spec_file,
                  "A velero.io/v1 (or stillpoint.io/v1) Backup or Restore, YAML or JSON. "
                  "A Restore plans a restore; anything else plans a backup. Without it: a "
                  "backup of every pod, with annotation hooks only");
  cmd->add_option("--hook-wait-timeout", options.hook_wait_timeout,
                  "Restore: how long exec hooks without waitTimeout wait for their container")
      ->check(positive_go_duration())
      ->capture_default_str();
  add_cluster_flags(*cmd, options.cluster);
}

}  // namespace

void add_hooks_commands(CLI::App& app, Action& action) {
  auto* hooks = app.add_subcommand(
      "hooks", "Show and check which hooks a backup or restore would run (nothing is executed)");
  hooks->require_subcommand(1);

  static HooksOptions plan_options;
  auto* plan = hooks->add_subcommand(
      "plan",
      "Dry run: for each pod of the backup or restore, every hook that would run, in order, "
      "with its resolved container, command, onError and timeout, and every pod or hook that "
      "would be skipped or is invalid, with the reason");
  add_common_options(plan, plan_options);
  plan->add_option("-o,--output", plan_options.output, "Output format")
      ->check(CLI::IsMember({"table", "json", "yaml"}))
      ->capture_default_str();
  plan->callback([&action] { action = [] { return run_plan(plan_options); }; });

  static HooksOptions lint_options;
  auto* lint = hooks->add_subcommand(
      "lint",
      "Check hooks: every warning (a fallback or default applied: bad duration, unknown "
      "annotation or field, malformed command) and error (a hook that cannot run: missing "
      "container, invalid spec), one per line. Exit 1 if there is any");
  add_common_options(lint, lint_options);
  lint->callback([&action] { action = [] { return run_lint(lint_options); }; });
}

}  // namespace stillpoint::cli
