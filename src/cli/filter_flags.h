// The flags that choose which objects an operation covers (namespaces, resources,
// cluster-scoped objects, labels), as Velero's CLI spells them, and how they are written over
// a velero.io/v1 spec. `backup create` and `restore create` take them (and `schedule create`,
// into spec.template); each command words the help for its own verb, the flags and fields are
// the same. The spec is decoded afterwards by hooks/spec_file.h, which judges globs and names.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace CLI {
class App;
}

namespace stillpoint::cli {

struct FilterFlags {
  std::vector<std::string> include_namespaces;
  std::vector<std::string> exclude_namespaces;
  std::vector<std::string> include_resources;
  std::vector<std::string> exclude_resources;
  std::optional<bool> include_cluster_resources;  // unset: the spec's (or Velero's) default
  std::string selector;                           // -l: `app=db,tier in (a,b)`
};

// The words of the help that depend on the operation, so that every command says the rest
// alike: "Namespaces <included_namespaces> (globs; default all)", "Resources
// <included_resources> (pods, …; default all)", "Namespaces <excluded>", "Resources
// <excluded>"; --include-cluster-resources' help is the command's own.
struct FilterFlagsHelp {
  std::string included_namespaces;  // "to include"
  std::string included_resources;   // "to include"
  std::string excluded;             // "to exclude"
  std::string cluster_resources;
};

void add_filter_flags(CLI::App& command, FilterFlags& flags, const FilterFlagsHelp& help);

// Writes each given flag over its spec field (includedNamespaces, …, labelSelector); fields of
// flags not given are left as they are. InvalidArgument when --selector is not a selector.
core::Status write_filter_flags(const FilterFlags& flags, nlohmann::json& spec);

}  // namespace stillpoint::cli
