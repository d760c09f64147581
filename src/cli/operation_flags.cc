#include "cli/operation_flags.h"

#include <CLI/CLI.hpp>

namespace stillpoint::cli {

void add_object_flags(CLI::App& command,
                      OperationFlags& flags,
                      const std::string& kind,
                      const FilterFlagsHelp& filter_help) {
  command.add_option("--from-file", flags.from_file,
                     "A velero.io/v1 " + kind +
                         " (YAML or JSON); its spec, hooks included. Flags given as well "
                         "override its fields");
  add_filter_flags(command, flags.filter, filter_help);
}

void add_run_flags(CLI::App& command, OperationFlags& flags, const std::string& output_help) {
  add_storage_flags(command, flags.storage);
  command.add_option("-o,--output", flags.output, output_help)
      ->check(CLI::IsMember({"text", "json"}));
  add_cluster_flags(command, flags.cluster);
  command.add_flag("--via-server", flags.via_server,
                   "Do not run it here: create the object for `stillpoint server` in "
                   "--server-namespace and follow its status (needs only the right to create "
                   "the object)");
  command.add_option("--server-namespace", flags.server_namespace,
                     "With --via-server: the server's namespace (default stillpoint)");
  command.add_option("--server-api-group", flags.server_api_group,
                     "With --via-server: the server's API group (default stillpoint.io)")
      ->check(CLI::IsMember({"stillpoint.io", "velero.io"}));
  command.add_flag("--wait", flags.wait,
                   "With --via-server: follow the object until it ends (default); "
                   "--wait=false returns once it is created");
}

}  // namespace stillpoint::cli
