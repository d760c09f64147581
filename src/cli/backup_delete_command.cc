// `stillpoint backup delete NAME...`. With --storage (or an --s3-* flag) given, the backup is
// deleted from that location here, as before the server existed. Otherwise the server deletes
// it, as `velero backup delete` asks Velero's: a DeleteBackupRequest per backup in the
// server's namespace (Velero's shape, pkg/backup/delete_helpers.go: generateName "NAME-",
// labels velero.io/backup-name and velero.io/backup-uid, spec.backupName), followed until the
// server marks it Processed. Deletion is idempotent: a backup without a Backup object is
// reported and counts as done.
#include <chrono>
#include <cstdio>
#include <memory>
#include <thread>

#include <CLI/CLI.hpp>

#include "catalog/backup_catalog.h"
#include "cli/api_calls.h"
#include "cli/backup_commands.h"
#include "cli/cluster_flags.h"
#include "cli/exit_codes.h"
#include "cli/given_flags.h"
#include "cli/report_failure.h"
#include "cli/storage_flags.h"
#include "restore/object_transform.h"
#include "server/api_resources.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;

// How often a DeleteBackupRequest is read while the server works on it.
constexpr auto kPollInterval = std::chrono::milliseconds(500);

struct DeleteOptions {
  std::vector<std::string> names;
  StorageFlags storage;
  ClusterFlags cluster;
  std::string server_namespace = "stillpoint";
  std::string server_api_group = "stillpoint.io";
  bool wait = true;
  std::string output = "text";
};

int delete_from_location(const DeleteOptions& o) {
  auto store = open_storage(o.storage);
  if (!store)
    return report_failure(store.error());
  int exit_code = kExitOk;
  for (const std::string& name : o.names) {
    if (auto s = catalog::delete_backup(**store, name); !s) {
      exit_code = report_failure(s.error());
      continue;
    }
    std::printf("Backup \"%s\" deleted from %s\n", name.c_str(), (*store)->describe().c_str());
  }
  return exit_code;
}

json delete_request(const DeleteOptions& o, const json& backup) {
  const std::string name = backup["metadata"].value("name", "");
  return {{"apiVersion", o.server_api_group + "/v1"},
          {"kind", "DeleteBackupRequest"},
          {"metadata",
           {{"generateName", name + "-"},
            {"namespace", o.server_namespace},
            {"labels",
             {{"velero.io/backup-name", restore::label_value(name)},
              {"velero.io/backup-uid", backup["metadata"].value("uid", "")}}}}},
          {"spec", {{"backupName", name}}}};
}

std::string phase_of(const json& object) {
  const json status = object.value("status", json::object());
  return status.is_object() ? status.value("phase", "") : "";
}

// Reads the request until it is Processed. A request the server removed once done counts as
// Processed when the Backup object is gone too.
core::Result<json> follow(ApiCalls& api,
                          const server::ApiResources& r,
                          const DeleteOptions& o,
                          json request,
                          const std::string& backup) {
  const std::string name = request["metadata"]["name"];
  for (;;) {
    auto got = api.get(r.delete_requests, o.server_namespace, name);
    if (!got && got.error().code == core::ErrorCode::NotFound) {
      auto still = api.get(r.backups, o.server_namespace, backup);
      if (!still && still.error().code == core::ErrorCode::NotFound) {
        request["status"] = {{"phase", "Processed"}};
        return request;
      }
    }
    if (!got)
      return core::unexpected(got.error());
    if (phase_of(*got) == "Processed")
      return *got;
    std::this_thread::sleep_for(kPollInterval);
  }
}

// One backup through the server: 0 deleted (or nothing to delete), 1 otherwise. `printed`
// collects what -o json prints.
int delete_one(ApiCalls& api,
               const server::ApiResources& r,
               const DeleteOptions& o,
               const std::string& name,
               json& printed) {
  auto backup = api.get(r.backups, o.server_namespace, name);
  if (!backup) {
    if (backup.error().code != core::ErrorCode::NotFound)
      return report_failure(backup.error());
    std::fprintf(o.output == "json" ? stderr : stdout,
                 "backup \"%s\" not found in namespace %s: nothing to delete\n", name.c_str(),
                 o.server_namespace.c_str());
    // A backup the server does not know may still be in a location used from this terminal.
    std::fprintf(stderr,
                 "(to delete it from a location here: stillpoint backup delete %s "
                 "--storage LOCATION)\n",
                 name.c_str());
    return kExitOk;
  }
  const json request = delete_request(o, *backup);
  auto created = api.create(r.delete_requests, o.server_namespace, request);
  if (!created)
    return report_failure(created.error());
  const std::string request_name = (*created)["metadata"].value("name", "");
  if (!o.wait) {
    printed.push_back(*created);
    if (o.output != "json") {
      std::printf("DeleteBackupRequest %s/%s created for backup \"%s\"; the server deletes it\n",
                  o.server_namespace.c_str(), request_name.c_str(), name.c_str());
    }
    return kExitOk;
  }
  std::fprintf(stderr, "created DeleteBackupRequest %s/%s; waiting for the server\n",
               o.server_namespace.c_str(), request_name.c_str());
  auto done = follow(api, r, o, *created, name);
  if (!done)
    return report_failure(done.error());
  printed.push_back(*done);
  const json errors = done->value("status", json::object()).value("errors", json::array());
  if (errors.is_array() && !errors.empty()) {
    for (const json& e : errors) {
      std::fprintf(stderr, "error: backup \"%s\": %s\n", name.c_str(),
                   e.is_string() ? e.get<std::string>().c_str() : e.dump().c_str());
    }
    return kExitFailed;
  }
  if (o.output != "json")
    std::printf("Backup \"%s\" deleted\n", name.c_str());
  return kExitOk;
}

int delete_via_server(const DeleteOptions& o) {
  auto api = ApiCalls::connect(o.cluster);
  if (!api)
    return report_failure(api.error());
  const server::ApiResources resources(o.server_api_group);
  int exit_code = kExitOk;
  json printed = json::array();
  for (const std::string& name : o.names) {
    if (delete_one(**api, resources, o, name, printed) != kExitOk)
      exit_code = kExitFailed;
  }
  if (o.output == "json" && !printed.empty()) {
    const json out = printed.size() == 1
                         ? printed[0]
                         : json{{"apiVersion", "v1"}, {"kind", "List"}, {"items", printed}};
    std::printf("%s\n", out.dump(2).c_str());
  }
  return exit_code;
}

// --storage or an --s3-* flag typed on the command line.
bool location_given(const CLI::App& cmd) {
  for (const CLI::Option* option : cmd.get_options()) {
    const std::string name = option->get_name();
    if ((name == "--storage" || name.rfind("--s3-", 0) == 0) && given_on_command_line(*option)) {
      return true;
    }
  }
  return false;
}

}  // namespace

void add_backup_delete_command(CLI::App& backup, Action& action) {
  auto o = std::make_shared<DeleteOptions>();
  CLI::App* cmd = backup.add_subcommand(
      "delete",
      "Delete backups. The server deletes them (data, and the Backup object) on a "
      "DeleteBackupRequest this command creates and follows; with --storage or an --s3-* flag, "
      "they are deleted from that location here instead. A backup that does not exist is "
      "reported and not an error.\nExit codes: 0 deleted (or nothing to delete), 1 a deletion "
      "failed (the server's errors are printed).");
  cmd->add_option("NAME", o->names, "Backup names")->required();
  add_storage_flags(*cmd, o->storage);
  add_cluster_flags(*cmd, o->cluster);
  cmd->add_option("--server-namespace", o->server_namespace,
                  "The server's namespace (default stillpoint)");
  cmd->add_option("--server-api-group", o->server_api_group,
                  "The server's API group (default stillpoint.io)")
      ->check(CLI::IsMember({"stillpoint.io", "velero.io"}));
  cmd->add_flag("--wait", o->wait,
                "Follow each DeleteBackupRequest until the server has processed it (default); "
                "--wait=false returns once it is created");
  cmd->add_option("-o,--output", o->output,
                  "text, or json: the DeleteBackupRequest as the server left it")
      ->check(CLI::IsMember({"text", "json"}));
  cmd->callback([o, cmd, &action] {
    const bool local = location_given(*cmd);
    action = [o, local] { return local ? delete_from_location(*o) : delete_via_server(*o); };
  });
}

}  // namespace stillpoint::cli
