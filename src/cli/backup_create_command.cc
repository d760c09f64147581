// `stillpoint backup create NAME`: flags (or a Backup object from --from-file) become a
// velero.io/v1 Backup spec, validated by the same parser as `hooks plan`, then BackupRunner
// runs it against the kubeconfig's cluster into the backup location (or the server does:
// --via-server). --from-schedule takes the spec from a Schedule's template instead
// (schedule_backup.h).
#include <cstdio>
#include <memory>
#include <set>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "backup/backup_runner.h"
#include "catalog/backup_catalog.h"
#include "cli/backup_commands.h"
#include "cli/backup_spec_flags.h"
#include "cli/cluster_operation.h"
#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/given_flags.h"
#include "cli/operation_flags.h"
#include "cli/operation_object.h"
#include "cli/report_failure.h"
#include "cli/schedule_backup.h"
#include "cli/table.h"
#include "core/go_duration.h"
#include "operation/backup_request_from_object.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

struct CreateOptions {
  std::string name;
  OperationFlags operation;
  BackupSpecFlags spec;
  std::string from_schedule;  // a Schedule in --server-namespace
  size_t workers = backup::kDefaultItemBlockWorkers;
  std::string fs_backup_timeout = "4h";
  bool strict_hooks = false;
};

// The Backup's spec: from --from-file, with every given flag written over its field.
core::Result<backup::BackupRequest> build_request(const CreateOptions& o) {
  auto loaded = load_operation_object(o.operation.from_file, "Backup");
  if (!loaded) return core::unexpected(loaded.error());
  json& spec = loaded->object["spec"];
  if (auto written = write_backup_spec_flags(o.operation.filter, o.spec, spec); !written) {
    return core::unexpected(written.error());
  }
  loaded->object["metadata"] = {{"name", operation_name(o.name, loaded->object)}};
  operation::BackupRunSettings settings;
  settings.item_block_workers = o.workers;
  if (auto timeout = core::parse_go_duration(o.fs_backup_timeout); timeout) {
    settings.volume_timeout = *timeout;
  }
  settings.strict_hooks = o.strict_hooks;
  return operation::backup_request_from_object(loaded->object, loaded->origin, settings);
}

std::string summary_line(const backup::BackupOutcome& outcome, const std::string& name,
                         double seconds) {
  const auto& s = outcome.status;
  return fmt::format(
      "Backup \"{}\": {} ({} items; hooks: {} attempted, {} failed, {} skipped; {} errors, {} "
      "warnings; {:.1f}s)",
      name, catalog::to_string(s.phase), s.items_backed_up, s.hook_status.hooks_attempted,
      s.hook_status.hooks_failed, s.hook_status.hooks_skipped, s.errors, s.warnings, seconds);
}

std::string progress_line(const backup::BackupRunner& runner, double elapsed) {
  const backup::BackupProgress p = runner.progress();
  const std::string volumes =
      p.volume_bytes > 0 || p.volumes_running > 0
          ? fmt::format(", volume data {} ({} copying)", human_bytes(p.volume_bytes),
                        p.volumes_running)
          : std::string();
  return fmt::format("items {}/{}, ItemBlocks {}/{}, hooks running {}{}, {:.0f}s",
                     p.items_backed_up, p.items_total, p.blocks_done, p.blocks_total,
                     p.hooks_running, volumes, elapsed);
}

void print_summary(const backup::BackupOutcome& outcome,
                   const std::string& name,
                   const storage::ObjectStore& store,
                   double seconds) {
  std::printf("%s\n", summary_line(outcome, name, seconds).c_str());
  std::printf("Location: %s\n", store.describe().c_str());
}

// The options given on the command line that --from-schedule cannot take: they would change
// the spec (the schedule's template is the spec) or the run here. Options set only by their
// environment variable (STILLPOINT_S3_*) do not count.
std::vector<std::string> refused_with_schedule(const CLI::App& cmd) {
  static const std::set<std::string> kAllowed = {
      "NAME",          "--from-schedule",    "--output",     "--kubeconfig",
      "--context",     "--client-qps",       "--client-burst", "--via-server",
      "--server-namespace", "--server-api-group", "--wait", "--help"};
  std::vector<std::string> refused;
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string shown = option->get_name();
    if (!given_on_command_line(*option) || kAllowed.contains(shown)) continue;
    refused.push_back(shown);
  }
  return refused;
}

int run_create(const CreateOptions& options, const CLI::App& cmd) {
  if (!options.from_schedule.empty()) {
    if (auto refused = refused_with_schedule(cmd); !refused.empty()) {
      std::fprintf(stderr,
                   "error: --from-schedule takes the schedule's template as the spec and runs "
                   "it on the server: %s cannot be used with it\n",
                   fmt::format("{}", fmt::join(refused, ", ")).c_str());
      return kExitUsage;
    }
    return run_backup_from_schedule(options.operation, options.name, options.from_schedule);
  }
  if (!options.spec.storage_location.empty() && !options.operation.via_server) {
    std::fprintf(stderr,
                 "error: --storage-location names a BackupStorageLocation of the server: use it "
                 "with --via-server (a backup run here goes to --storage)\n");
    return kExitUsage;
  }
  auto request = build_request(options);
  if (!request) return report_failure(request.error());
  return run_cluster_operation<backup::BackupEnvironment>(
      options.operation, std::move(*request),
      ClusterOperation<backup::BackupRunner, backup::BackupOutcome>{
          .noun = "backup",
          .interrupted_message = "no new ItemBlocks; finishing the post hooks of started ones",
          .progress_line = progress_line,
          .print_summary = print_summary});
}

}  // namespace

void add_backup_create_command(CLI::App& backup, Action& action) {
  auto options = std::make_shared<CreateOptions>();
  CLI::App* cmd = backup.add_subcommand(
      "create",
      "Back up the cluster's objects (and run their hooks) into the backup location.\n"
      "Exit codes: 0 Completed, 1 PartiallyFailed/Failed or bad input, 130 interrupted.");
  cmd->add_option("NAME", options->name,
                  "Backup name (default: metadata.name of --from-file; with --from-schedule "
                  "<schedule>-<yyyyMMddHHmmss>, UTC)");
  cmd->add_option("--from-schedule", options->from_schedule,
                  "Make the backup now from this Schedule of --server-namespace, as its cron "
                  "would: the schedule's template is the spec, labelled "
                  "velero.io/schedule-name; the server runs it (implies --via-server; no other "
                  "spec flag may be given)");
  add_object_flags(*cmd, options->operation, "Backup",
                   {.included_namespaces = "to include",
                    .included_resources = "to include",
                    .excluded = "to exclude",
                    .cluster_resources = "Include cluster-scoped resources (default: only when "
                                         "all namespaces are included)"});
  add_backup_spec_flags(*cmd, options->spec);
  cmd->add_option("--item-block-workers", options->workers,
                  "ItemBlocks processed in parallel (default 8)")
      ->check(CLI::Range(1, 1000));
  cmd->add_option("--fs-backup-timeout", options->fs_backup_timeout,
                  "How long one pod volume's data copy may take before it is stopped and "
                  "failed (default 4h, as Velero's)")
      ->check(positive_go_duration());
  cmd->add_flag("--strict-hooks", options->strict_hooks,
                "Fail before anything runs if any hook has a warning or error");
  add_run_flags(*cmd, options->operation, "text or json");
  cmd->callback([options, cmd, &action] {
    action = [options, cmd] { return run_create(*options, *cmd); };
  });
}

}  // namespace stillpoint::cli
