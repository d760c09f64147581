// The flags every command that creates an operation takes (`backup create`, `restore create`;
// `schedule create` takes only the object flags): the object (--from-file, with the filter
// flags written over it), where it is recorded (--storage, --s3-*), how the outcome is printed (-o) and which cluster
// it runs against (--kubeconfig, …). Each command adds its own flags between the two groups,
// so `--help` lists them in that order.
#pragma once

#include <string>

#include "cli/cluster_flags.h"
#include "cli/filter_flags.h"
#include "cli/storage_flags.h"

namespace CLI {
class App;
}

namespace stillpoint::cli {

struct OperationFlags {
  std::string from_file;  // a velero.io/v1 object of the command's kind; empty: none
  FilterFlags filter;
  StorageFlags storage;
  std::string output = "text";  // text or json
  ClusterFlags cluster;
  // --via-server: create the object for the in-cluster server and follow it (via_server.h).
  bool via_server = false;
  std::string server_namespace = "stillpoint";
  std::string server_api_group = "stillpoint.io";
  // --wait=false: with --via-server, return once the object is created.
  bool wait = true;
};

// --from-file (a `kind` object) and the filter flags.
void add_object_flags(CLI::App& command,
                      OperationFlags& flags,
                      const std::string& kind,
                      const FilterFlagsHelp& filter_help);

// The storage flags, -o (text or json; `output_help` says what json prints) and the cluster
// flags.
void add_run_flags(CLI::App& command, OperationFlags& flags, const std::string& output_help);

}  // namespace stillpoint::cli
