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
}

}  // namespace stillpoint::cli
