// `stillpoint restore create [NAME] --from-backup BACKUP`: flags (or a Restore object from
// --from-file) become a velero.io/v1 Restore spec, validated by the same parser as
// `hooks plan`, then RestoreRunner restores the backup into the kubeconfig's cluster.
#include <cstdio>
#include <ctime>
#include <memory>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog/backup_catalog.h"
#include "cli/cluster_operation.h"
#include "cli/duration_flag.h"
#include "cli/operation_flags.h"
#include "cli/operation_object.h"
#include "cli/report_failure.h"
#include "cli/restore_commands.h"
#include "cli/table.h"
#include "core/go_duration.h"
#include "operation/restore_request_from_object.h"
#include "restore/restore_runner.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

OperationFlags restore_operation_flags() {
  OperationFlags flags;
  // A restore sends one create per object: at client-go's 100/s a 10,000-object restore would
  // take 100 s for nothing (docs/performance.md). The API server's own priority and fairness
  // protects it; lower the limit with --client-qps where it does not.
  flags.cluster.qps = 5000;
  flags.cluster.burst = 5000;
  return flags;
}

struct CreateOptions {
  std::string name;
  std::string from_backup;
  OperationFlags operation = restore_operation_flags();
  std::vector<std::string> namespace_mappings;
  std::string existing_resource_policy;
  std::string hook_wait_timeout = "10m";
  std::string restore_helper_image = "busybox:1.36";
  size_t workers = restore::kDefaultRestoreWorkers;
};

core::Error invalid(std::string message) {
  return core::Error{core::ErrorCode::InvalidArgument, std::move(message)};
}

// Velero's default restore name: <backup>-<yyyyMMddHHmmss>.
std::string default_name(const std::string& backup) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%d%H%M%S", &tm);
  return backup + "-" + stamp;
}

core::Result<json> mappings_from_flag(const std::vector<std::string>& pairs) {
  json mapping = json::object();
  for (const std::string& pair : pairs) {
    const auto colon = pair.find(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == pair.size()) {
      return core::unexpected(invalid("--namespace-mappings: \"" + pair +
                                      "\" is not old:new (e.g. shop:shop-copy)"));
    }
    const std::string from = pair.substr(0, colon);
    const std::string to = pair.substr(colon + 1);
    if (auto why = catalog::check_backup_name(to); !why.empty() || to.find('.') != std::string::npos) {
      return core::unexpected(invalid("--namespace-mappings: \"" + to +
                                      "\" is not a valid namespace name (a DNS-1123 label)"));
    }
    mapping[from] = to;
  }
  return mapping;
}

// The Restore's spec: from --from-file, with every given flag written over its field.
core::Result<restore::RestoreRequest> build_request(const CreateOptions& o) {
  auto loaded = load_operation_object(o.operation.from_file, "Restore");
  if (!loaded) return core::unexpected(loaded.error());
  json& spec = loaded->object["spec"];
  if (!o.from_backup.empty()) spec["backupName"] = o.from_backup;
  if (!o.existing_resource_policy.empty()) {
    spec["existingResourcePolicy"] = o.existing_resource_policy;
  }
  // Before the filter flags: a bad mapping is reported ahead of a bad --selector.
  if (!o.namespace_mappings.empty()) {
    auto mapping = mappings_from_flag(o.namespace_mappings);
    if (!mapping) return core::unexpected(mapping.error());
    spec["namespaceMapping"] = *mapping;
  }
  if (auto written = write_filter_flags(o.operation.filter, spec); !written) {
    return core::unexpected(written.error());
  }
  const json backup_name = spec.value("backupName", json());
  std::string name = operation_name(o.name, loaded->object);
  if (name.empty() && backup_name.is_string()) name = default_name(backup_name.get<std::string>());
  loaded->object["metadata"] = {{"name", name}};
  auto wait = core::parse_go_duration(o.hook_wait_timeout);
  operation::RestoreRunSettings settings;
  if (wait) settings.hook_wait_limit = *wait;
  settings.restore_helper_image = o.restore_helper_image;
  settings.workers = o.workers;
  auto request = operation::restore_request_from_object(loaded->object, loaded->origin, settings);
  if (!request) return request;
  if (!wait || *wait <= core::Duration::zero()) {
    return core::unexpected(invalid("--hook-wait-timeout: \"" + o.hook_wait_timeout +
                                    "\" is not a positive duration (e.g. 10m, 90s)"));
  }
  return request;
}

std::string summary_line(const restore::RestoreStatus& s, const std::string& name, double seconds) {
  return fmt::format(
      "Restore \"{}\": {} ({} restored, {} skipped, {} failed; hooks: {} attempted, {} failed; "
      "{} errors, {} warnings; {:.1f}s)",
      name, catalog::to_string(s.phase), s.items_restored, s.items_skipped, s.items_failed,
      s.hook_status.hooks_attempted, s.hook_status.hooks_failed, s.errors, s.warnings, seconds);
}

std::string progress_line(const restore::RestoreRunner& runner, double elapsed) {
  const restore::RestoreProgress p = runner.progress();
  const std::string volumes =
      p.volume_bytes > 0 ? fmt::format(", volume data {}", human_bytes(p.volume_bytes))
                         : std::string();
  return fmt::format(
      "items {}/{}, pods waiting for volume data or hooks {}, hooks running {}{}, {:.0f}s",
      p.items_done, p.items_total, p.pods_waiting_for_hooks, p.hooks_running, volumes, elapsed);
}

void print_summary(const restore::RestoreOutcome& outcome,
                   const std::string& name,
                   const storage::ObjectStore&,
                   double seconds) {
  std::printf("%s\n", summary_line(outcome.status, name, seconds).c_str());
  if (!outcome.status.failure_reason.empty()) {
    std::printf("Failure: %s\n", outcome.status.failure_reason.c_str());
  }
  std::printf("More: stillpoint restore describe %s --details; stillpoint restore logs %s\n",
              name.c_str(), name.c_str());
}

int run_create(const CreateOptions& options) {
  auto request = build_request(options);
  if (!request) return report_failure(request.error());
  return run_cluster_operation<restore::RestoreEnvironment>(
      options.operation, std::move(*request),
      ClusterOperation<restore::RestoreRunner, restore::RestoreOutcome>{
          .noun = "restore",
          .interrupted_message =
              "no new objects; hooks still waiting are given up, running ones finish",
          .progress_line = progress_line,
          .print_summary = print_summary});
}

}  // namespace

void add_restore_create_command(CLI::App& restore, Action& action) {
  auto options = std::make_shared<CreateOptions>();
  CLI::App* cmd = restore.add_subcommand(
      "create",
      "Restore a backup into the cluster: objects in Velero's priority order, init hooks "
      "injected into pods, exec hooks run once their containers are up.\n"
      "Exit codes: 0 Completed, 1 PartiallyFailed/Failed or bad input, 130 interrupted.");
  cmd->add_option("NAME", options->name,
                  "Restore name (default: metadata.name of --from-file, else "
                  "<backup>-<yyyyMMddHHmmss>)");
  cmd->add_option("--from-backup", options->from_backup, "The backup to restore");
  add_object_flags(*cmd, options->operation, "Restore",
                   {.included_namespaces = "of the backup to restore",
                    .included_resources = "to restore",
                    .excluded = "to leave out",
                    .cluster_resources = "Restore cluster-scoped objects (default: only when all "
                                         "namespaces are included; volumes of restored claims "
                                         "always)"});
  cmd->add_option("--namespace-mappings", options->namespace_mappings,
                  "Restore namespaces under new names: old:new,old2:new2")
      ->delimiter(',');
  cmd->add_option("--existing-resource-policy", options->existing_resource_policy,
                  "An object that exists already: none (leave it, report it; default) or update "
                  "(merge-patch it with the backup's)")
      ->check(CLI::IsMember({"none", "update"}));
  cmd->add_option("--hook-wait-timeout", options->hook_wait_timeout,
                  "How long an exec hook waits for its container when it sets no waitTimeout "
                  "(default 10m): no wait is ever unbounded")
      ->check(positive_go_duration());
  cmd->add_option("--restore-helper-image", options->restore_helper_image,
                  "Image of the restore-wait init container that receives pod volume data "
                  "(needs sh, sleep, touch, head and tar; default busybox:1.36)")
      ->check([](const std::string& v) {
        return v.empty() ? std::string("must not be empty") : std::string();
      });
  cmd->add_option("--workers", options->workers,
                  "Objects of one resource type created in parallel (default 16)")
      ->check(CLI::Range(1, 1000));
  add_run_flags(*cmd, options->operation, "text or json (the velero.io/v1 Restore)");
  cmd->callback([options, &action] { action = [options] { return run_create(*options); }; });
}

}  // namespace stillpoint::cli
