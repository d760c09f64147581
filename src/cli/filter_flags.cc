#include "cli/filter_flags.h"

#include <CLI/CLI.hpp>

#include "core/label_selector.h"
#include "core/selector_string.h"

namespace stillpoint::cli {

void add_filter_flags(CLI::App& command, FilterFlags& flags, const FilterFlagsHelp& help) {
  command
      .add_option("--include-namespaces", flags.include_namespaces,
                  "Namespaces " + help.included_namespaces + " (globs; default all)")
      ->delimiter(',');
  command
      .add_option("--exclude-namespaces", flags.exclude_namespaces, "Namespaces " + help.excluded)
      ->delimiter(',');
  command
      .add_option(
          "--include-resources", flags.include_resources,
          "Resources " + help.included_resources + " (pods, deploy, deployments.apps; default all)")
      ->delimiter(',');
  command.add_option("--exclude-resources", flags.exclude_resources, "Resources " + help.excluded)
      ->delimiter(',');
  command.add_option("--include-cluster-resources", flags.include_cluster_resources,
                     help.cluster_resources);
  command.add_option("-l,--selector", flags.selector,
                     "Only objects with these labels (app=db,tier in (a,b))");
}

core::Status write_filter_flags(const FilterFlags& flags, nlohmann::json& spec) {
  if (!flags.include_namespaces.empty()) {
    spec["includedNamespaces"] = flags.include_namespaces;
  }
  if (!flags.exclude_namespaces.empty()) {
    spec["excludedNamespaces"] = flags.exclude_namespaces;
  }
  if (!flags.include_resources.empty()) {
    spec["includedResources"] = flags.include_resources;
  }
  if (!flags.exclude_resources.empty()) {
    spec["excludedResources"] = flags.exclude_resources;
  }
  if (flags.include_cluster_resources) {
    spec["includeClusterResources"] = *flags.include_cluster_resources;
  }
  if (!flags.selector.empty()) {
    auto selector = core::selector_string_to_json(flags.selector, "--selector");
    if (!selector) {
      return core::unexpected(selector.error());
    }
    // Checked here too, so a bad selector is reported as the flag's, not as spec.labelSelector.
    if (auto valid = core::LabelSelector::from_json(*selector, "--selector"); !valid) {
      return core::unexpected(valid.error());
    }
    spec["labelSelector"] = *selector;
  }
  return core::ok();
}

}  // namespace stillpoint::cli
