// `stillpoint backup create NAME`: flags (or a Backup object from --from-file) become a
// velero.io/v1 Backup spec, validated by the same parser as `hooks plan`, then BackupRunner
// runs it against the kubeconfig's cluster into the backup location.
#include <cstdio>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "backup/backup_runner.h"
#include "catalog/backup_catalog.h"
#include "cli/backup_commands.h"
#include "cli/cluster_flags.h"
#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/run_operation.h"
#include "cli/storage_flags.h"
#include "cli/table.h"
#include "core/documents.h"
#include "core/go_duration.h"
#include "core/selector_string.h"
#include "hooks/clock.h"
#include "hooks/spec_file.h"
#include "kube/rest_client.h"
#include "kube/websocket_pod_exec.h"

namespace stillpoint::cli {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

struct CreateOptions {
  std::string name;
  std::string from_file;
  std::vector<std::string> include_namespaces;
  std::vector<std::string> exclude_namespaces;
  std::vector<std::string> include_resources;
  std::vector<std::string> exclude_resources;
  std::optional<bool> include_cluster_resources;
  std::string selector;
  std::string ttl;
  size_t workers = backup::kDefaultItemBlockWorkers;
  bool default_volumes_to_fs_backup = false;
  std::string fs_backup_timeout = "4h";
  bool strict_hooks = false;
  StorageFlags storage;
  std::string output = "text";
  ClusterFlags cluster;
};

void error_line(const std::string& message) {
  std::fprintf(stderr, "error: %s\n", message.c_str());
}

// The Backup's spec: from --from-file, with every given flag written over its field.
core::Result<backup::BackupRequest> build_request(const CreateOptions& o) {
  json object = {{"apiVersion", "velero.io/v1"}, {"kind", "Backup"}, {"spec", json::object()}};
  std::string origin = "--from-file";
  if (!o.from_file.empty()) {
    auto docs = core::load_documents(o.from_file);
    if (!docs) return core::unexpected(docs.error());
    if (docs->size() != 1) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              o.from_file + ": expected exactly one Backup object, found " +
                                  std::to_string(docs->size()) + " documents");
    }
    object = std::move((*docs)[0].value);
    origin = o.from_file + ": document 1";
    if (!object.is_object() || object.value("kind", "") != "Backup") {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              o.from_file + ": expected a Backup object (kind: Backup)");
    }
  }
  json& spec = object["spec"];
  if (!spec.is_object()) spec = json::object();
  if (!o.include_namespaces.empty()) spec["includedNamespaces"] = o.include_namespaces;
  if (!o.exclude_namespaces.empty()) spec["excludedNamespaces"] = o.exclude_namespaces;
  if (!o.include_resources.empty()) spec["includedResources"] = o.include_resources;
  if (!o.exclude_resources.empty()) spec["excludedResources"] = o.exclude_resources;
  if (o.include_cluster_resources) spec["includeClusterResources"] = *o.include_cluster_resources;
  if (!o.ttl.empty()) spec["ttl"] = o.ttl;
  if (o.default_volumes_to_fs_backup) spec["defaultVolumesToFsBackup"] = true;
  if (!o.selector.empty()) {
    auto selector = core::selector_string_to_json(o.selector, "--selector");
    if (!selector) return core::unexpected(selector.error());
    if (auto valid = core::LabelSelector::from_json(*selector, "--selector"); !valid) {
      return core::unexpected(valid.error());
    }
    spec["labelSelector"] = *selector;
  }
  std::string name = o.name;
  if (name.empty() && object.contains("metadata") && object["metadata"].is_object()) {
    name = object["metadata"].value("name", "");
  }
  if (name.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "a backup name is required (argument NAME or metadata.name)");
  }
  if (auto why = catalog::check_backup_name(name); !why.empty()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "backup name \"" + name + "\": " + why);
  }
  object["metadata"] = {{"name", name}};
  auto parsed = hooks::parse_spec_object(object, origin);
  if (!parsed) return core::unexpected(parsed.error());
  if (parsed->is_restore()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            origin + ": a Restore object cannot be used to create a backup");
  }
  if (spec.contains("ttl")) {
    if (!spec["ttl"].is_string() || !core::parse_go_duration(spec["ttl"].get<std::string>())) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              origin + ": spec.ttl: " + spec["ttl"].dump() +
                                  " is not a duration (e.g. 720h)");
    }
  }
  backup::BackupRequest request;
  request.name = name;
  request.spec = spec;
  request.hooks_spec = std::get<hooks::BackupSpec>(std::move(parsed->spec));
  request.spec_warnings = std::move(parsed->warnings);
  if (spec.contains("includeClusterResources") && spec["includeClusterResources"].is_boolean()) {
    request.include_cluster_resources = spec["includeClusterResources"].get<bool>();
  }
  request.item_block_workers = o.workers;
  if (auto timeout = core::parse_go_duration(o.fs_backup_timeout); timeout) {
    request.volume_timeout = *timeout;
  }
  request.strict_hooks = o.strict_hooks;
  return request;
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

int run_create(const CreateOptions& options) {
  auto request = build_request(options);
  if (!request) {
    error_line(request.error().message);
    return kExitFailed;
  }
  auto store = open_storage(options.storage);
  if (!store) {
    error_line(store.error().message);
    return kExitFailed;
  }
  asio::io_context io;
  asio::thread_pool pool(1);
  auto http = connect(options.cluster, io.get_executor());
  if (!http) {
    error_line(http.error().message);
    return kExitFailed;
  }
  kube::RestClient rest(*http);
  kube::WebSocketPodExec exec(*http);
  hooks::SteadyClock clock;
  const bool tty = stderr_is_tty();
  backup::BackupEnvironment env{rest, exec, clock, **store, pool.get_executor(),
                                milestone_printer(tty)};
  backup::BackupRunner runner(env, std::move(*request));
  auto run = run_operation<backup::BackupOutcome>(
      io, runner, tty, "no new ItemBlocks; finishing the post hooks of started ones",
      [&runner](double elapsed) {
        const backup::BackupProgress p = runner.progress();
        const std::string volumes =
            p.volume_bytes > 0 || p.volumes_running > 0
                ? fmt::format(", volume data {} ({} copying)", human_bytes(p.volume_bytes),
                              p.volumes_running)
                : std::string();
        return fmt::format("items {}/{}, ItemBlocks {}/{}, hooks running {}{}, {:.0f}s",
                           p.items_backed_up, p.items_total, p.blocks_done, p.blocks_total,
                           p.hooks_running, volumes, elapsed);
      });
  pool.join();
  auto& result = run.result;
  if (!result || !*result) {
    error_line(result ? (*result).error().message : "backup did not finish");
    return run.signal_number ? kExitInterrupted : kExitFailed;
  }
  const backup::BackupOutcome& outcome = **result;
  const double seconds = run.seconds;
  if (options.output == "json") {
    std::printf("%s\n", outcome.object.dump(2).c_str());
  } else {
    std::printf("%s\n", summary_line(outcome, outcome.object["metadata"]["name"], seconds).c_str());
    std::printf("Location: %s\n", (*store)->describe().c_str());
  }
  if (outcome.interrupted) return kExitInterrupted;
  return outcome.status.phase == catalog::Phase::Completed ? kExitOk : kExitFailed;
}

}  // namespace

void add_backup_create_command(CLI::App& backup, Action& action) {
  auto options = std::make_shared<CreateOptions>();
  CLI::App* cmd = backup.add_subcommand(
      "create",
      "Back up the cluster's objects (and run their hooks) into the backup location.\n"
      "Exit codes: 0 Completed, 1 PartiallyFailed/Failed or bad input, 130 interrupted.");
  cmd->add_option("NAME", options->name, "Backup name (default: metadata.name of --from-file)");
  cmd->add_option("--from-file", options->from_file,
                  "A velero.io/v1 Backup (YAML or JSON); its spec, hooks included. Flags "
                  "given as well override its fields");
  cmd->add_option("--include-namespaces", options->include_namespaces,
                  "Namespaces to include (globs; default all)")
      ->delimiter(',');
  cmd->add_option("--exclude-namespaces", options->exclude_namespaces, "Namespaces to exclude")
      ->delimiter(',');
  cmd->add_option("--include-resources", options->include_resources,
                  "Resources to include (pods, deploy, deployments.apps; default all)")
      ->delimiter(',');
  cmd->add_option("--exclude-resources", options->exclude_resources, "Resources to exclude")
      ->delimiter(',');
  cmd->add_option("--include-cluster-resources", options->include_cluster_resources,
                  "Include cluster-scoped resources (default: only when all namespaces are "
                  "included)");
  cmd->add_option("-l,--selector", options->selector,
                  "Only objects with these labels (app=db,tier in (a,b))");
  cmd->add_option("--ttl", options->ttl, "How long to keep the backup (default 720h)");
  cmd->add_option("--item-block-workers", options->workers,
                  "ItemBlocks processed in parallel (default 8)")
      ->check(CLI::Range(1, 1000));
  cmd->add_flag("--default-volumes-to-fs-backup", options->default_volumes_to_fs_backup,
                "Copy the data of every pod volume (never hostPath, secret, configMap, "
                "projected, downwardAPI) unless named in the pod's annotation "
                "backup.velero.io/backup-volumes-excludes; without it, only volumes named in "
                "backup.velero.io/backup-volumes are copied");
  cmd->add_option("--fs-backup-timeout", options->fs_backup_timeout,
                  "How long one pod volume's data copy may take before it is stopped and "
                  "failed (default 4h, as Velero's)")
      ->check(positive_go_duration());
  cmd->add_flag("--strict-hooks", options->strict_hooks,
                "Fail before anything runs if any hook has a warning or error");
  add_storage_flags(*cmd, options->storage);
  cmd->add_option("-o,--output", options->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  add_cluster_flags(*cmd, options->cluster);
  cmd->callback([options, &action] { action = [options] { return run_create(*options); }; });
}

}  // namespace stillpoint::cli
