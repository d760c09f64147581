// `stillpoint restore create [NAME] --from-backup BACKUP`: flags (or a Restore object from
// --from-file) become a velero.io/v1 Restore spec, validated by the same parser as
// `hooks plan`, then RestoreRunner restores the backup into the kubeconfig's cluster.
#include <cstdio>
#include <ctime>
#include <optional>

#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "catalog/backup_catalog.h"
#include "cli/cluster_flags.h"
#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/restore_commands.h"
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
#include "restore/restore_runner.h"

namespace stillpoint::cli {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

struct CreateOptions {
  std::string name;
  std::string from_backup;
  std::string from_file;
  std::vector<std::string> include_namespaces;
  std::vector<std::string> exclude_namespaces;
  std::vector<std::string> include_resources;
  std::vector<std::string> exclude_resources;
  std::optional<bool> include_cluster_resources;
  std::string selector;
  std::vector<std::string> namespace_mappings;
  std::string existing_resource_policy;
  std::string hook_wait_timeout = "10m";
  std::string restore_helper_image = "busybox:1.36";
  size_t workers = restore::kDefaultRestoreWorkers;
  StorageFlags storage;
  std::string output = "text";
  // A restore sends one create per object: at client-go's 100/s a 10,000-object restore would
  // take 100 s for nothing (docs/performance.md). The API server's own priority and fairness
  // protects it; lower the limit with --client-qps where it does not.
  ClusterFlags cluster{.kubeconfig = {}, .context = {}, .qps = 5000, .burst = 5000};
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
  json object = {{"apiVersion", "velero.io/v1"}, {"kind", "Restore"}, {"spec", json::object()}};
  std::string origin = "--from-file";
  if (!o.from_file.empty()) {
    auto docs = core::load_documents(o.from_file);
    if (!docs) return core::unexpected(docs.error());
    if (docs->size() != 1) {
      return core::unexpected(invalid(o.from_file + ": expected exactly one Restore object, found " +
                                      std::to_string(docs->size()) + " documents"));
    }
    object = std::move((*docs)[0].value);
    origin = o.from_file + ": document 1";
    if (!object.is_object() || object.value("kind", "") != "Restore") {
      return core::unexpected(invalid(o.from_file + ": expected a Restore object (kind: Restore)"));
    }
  }
  json& spec = object["spec"];
  if (!spec.is_object()) spec = json::object();
  if (!o.from_backup.empty()) spec["backupName"] = o.from_backup;
  if (!o.include_namespaces.empty()) spec["includedNamespaces"] = o.include_namespaces;
  if (!o.exclude_namespaces.empty()) spec["excludedNamespaces"] = o.exclude_namespaces;
  if (!o.include_resources.empty()) spec["includedResources"] = o.include_resources;
  if (!o.exclude_resources.empty()) spec["excludedResources"] = o.exclude_resources;
  if (o.include_cluster_resources) spec["includeClusterResources"] = *o.include_cluster_resources;
  if (!o.existing_resource_policy.empty()) {
    spec["existingResourcePolicy"] = o.existing_resource_policy;
  }
  if (!o.namespace_mappings.empty()) {
    auto mapping = mappings_from_flag(o.namespace_mappings);
    if (!mapping) return core::unexpected(mapping.error());
    spec["namespaceMapping"] = *mapping;
  }
  if (!o.selector.empty()) {
    auto selector = core::selector_string_to_json(o.selector, "--selector");
    if (!selector) return core::unexpected(selector.error());
    if (auto valid = core::LabelSelector::from_json(*selector, "--selector"); !valid) {
      return core::unexpected(valid.error());
    }
    spec["labelSelector"] = *selector;
  }
  const json backup_name = spec.value("backupName", json());
  if (!backup_name.is_string() || backup_name.get<std::string>().empty()) {
    return core::unexpected(invalid("a backup to restore is required (--from-backup NAME or "
                                    "spec.backupName in --from-file)"));
  }
  std::string name = o.name;
  if (name.empty() && object.contains("metadata") && object["metadata"].is_object()) {
    name = object["metadata"].value("name", "");
  }
  if (name.empty()) name = default_name(backup_name.get<std::string>());
  if (auto why = catalog::check_backup_name(name); !why.empty()) {
    return core::unexpected(invalid("restore name \"" + name + "\": " + why));
  }
  object["metadata"] = {{"name", name}};
  auto parsed = hooks::parse_spec_object(object, origin);
  if (!parsed) return core::unexpected(parsed.error());
  if (!parsed->is_restore()) {
    return core::unexpected(invalid(origin + ": a Backup object cannot be used to restore"));
  }
  restore::RestoreRequest request;
  if (spec.contains("existingResourcePolicy") && !spec["existingResourcePolicy"].is_null()) {
    const json& policy = spec["existingResourcePolicy"];
    if (policy == "update") {
      request.existing_policy = restore::ExistingPolicy::Update;
    } else if (policy != "none") {
      return core::unexpected(invalid(origin + ": spec.existingResourcePolicy: " + policy.dump() +
                                      " is not one of none, update"));
    }
  }
  auto wait = core::parse_go_duration(o.hook_wait_timeout);
  if (!wait || *wait <= core::Duration::zero()) {
    return core::unexpected(invalid("--hook-wait-timeout: \"" + o.hook_wait_timeout +
                                    "\" is not a positive duration (e.g. 10m, 90s)"));
  }
  request.name = name;
  request.backup_name = backup_name.get<std::string>();
  request.spec = spec;
  request.hooks_spec = std::get<hooks::RestoreSpec>(std::move(parsed->spec));
  request.spec_warnings = std::move(parsed->warnings);
  request.hook_wait_limit = *wait;
  request.restore_helper_image = o.restore_helper_image;
  request.workers = o.workers;
  return request;
}

std::string summary_line(const restore::RestoreStatus& s, const std::string& name, double seconds) {
  return fmt::format(
      "Restore \"{}\": {} ({} restored, {} skipped, {} failed; hooks: {} attempted, {} failed; "
      "{} errors, {} warnings; {:.1f}s)",
      name, catalog::to_string(s.phase), s.items_restored, s.items_skipped, s.items_failed,
      s.hook_status.hooks_attempted, s.hook_status.hooks_failed, s.errors, s.warnings, seconds);
}

int run_create(const CreateOptions& options) {
  auto request = build_request(options);
  if (!request) {
    std::fprintf(stderr, "error: %s\n", request.error().message.c_str());
    return kExitFailed;
  }
  auto store = open_storage(options.storage);
  if (!store) {
    std::fprintf(stderr, "error: %s\n", store.error().message.c_str());
    return kExitFailed;
  }
  asio::io_context io;
  asio::thread_pool pool(1);
  auto http = connect(options.cluster, io.get_executor());
  if (!http) {
    std::fprintf(stderr, "error: %s\n", http.error().message.c_str());
    return kExitFailed;
  }
  kube::RestClient rest(*http);
  kube::WebSocketPodExec exec(*http);
  hooks::SteadyClock clock;
  const bool tty = stderr_is_tty();
  restore::RestoreEnvironment env{rest, exec, clock, **store, pool.get_executor(),
                                  milestone_printer(tty)};
  const std::string name = request->name;
  restore::RestoreRunner runner(env, std::move(*request));
  auto run = run_operation<restore::RestoreOutcome>(
      io, runner, tty, "no new objects; hooks still waiting are given up, running ones finish",
      [&runner](double elapsed) {
        const restore::RestoreProgress p = runner.progress();
        const std::string volumes =
            p.volume_bytes > 0 ? fmt::format(", volume data {}", human_bytes(p.volume_bytes))
                               : std::string();
        return fmt::format(
            "items {}/{}, pods waiting for volume data or hooks {}, hooks running {}{}, {:.0f}s",
            p.items_done, p.items_total, p.pods_waiting_for_hooks, p.hooks_running, volumes,
            elapsed);
      });
  pool.join();
  auto& result = run.result;
  if (!result || !*result) {
    std::fprintf(stderr, "error: %s\n",
                 result ? (*result).error().message.c_str() : "restore did not finish");
    return run.signal_number ? kExitInterrupted : kExitFailed;
  }
  const restore::RestoreOutcome& outcome = **result;
  const double seconds = run.seconds;
  if (options.output == "json") {
    std::printf("%s\n", outcome.object.dump(2).c_str());
  } else {
    std::printf("%s\n", summary_line(outcome.status, name, seconds).c_str());
    if (!outcome.status.failure_reason.empty()) {
      std::printf("Failure: %s\n", outcome.status.failure_reason.c_str());
    }
    std::printf("More: stillpoint restore describe %s --details; stillpoint restore logs %s\n",
                name.c_str(), name.c_str());
  }
  if (outcome.interrupted) return kExitInterrupted;
  return outcome.status.phase == catalog::Phase::Completed ? kExitOk : kExitFailed;
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
  cmd->add_option("--from-file", options->from_file,
                  "A velero.io/v1 Restore (YAML or JSON); its spec, hooks included. Flags given "
                  "as well override its fields");
  cmd->add_option("--include-namespaces", options->include_namespaces,
                  "Namespaces of the backup to restore (globs; default all)")
      ->delimiter(',');
  cmd->add_option("--exclude-namespaces", options->exclude_namespaces, "Namespaces to leave out")
      ->delimiter(',');
  cmd->add_option("--include-resources", options->include_resources,
                  "Resources to restore (pods, deploy, deployments.apps; default all)")
      ->delimiter(',');
  cmd->add_option("--exclude-resources", options->exclude_resources, "Resources to leave out")
      ->delimiter(',');
  cmd->add_option("--include-cluster-resources", options->include_cluster_resources,
                  "Restore cluster-scoped objects (default: only when all namespaces are "
                  "included; volumes of restored claims always)");
  cmd->add_option("-l,--selector", options->selector,
                  "Only objects with these labels (app=db,tier in (a,b))");
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
  add_storage_flags(*cmd, options->storage);
  cmd->add_option("-o,--output", options->output, "text or json (the velero.io/v1 Restore)")
      ->check(CLI::IsMember({"text", "json"}));
  add_cluster_flags(*cmd, options->cluster);
  cmd->callback([options, &action] { action = [options] { return run_create(*options); }; });
}

}  // namespace stillpoint::cli
