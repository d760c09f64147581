#include "cli/cluster_flags.h"

#include <CLI/CLI.hpp>

#include "kube/kubeconfig.h"

namespace stillpoint::cli {

void add_cluster_flags(CLI::App& command, ClusterFlags& flags) {
  command.add_option("--kubeconfig", flags.kubeconfig,
                     "Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the "
                     "in-cluster service account)");
  command.add_option("--context", flags.context, "Kubeconfig context (default: current-context)");
}

core::Result<std::shared_ptr<kube::HttpClient>> connect(const ClusterFlags& flags,
                                                        boost::asio::any_io_executor executor) {
  kube::LoadOptions options;
  if (!flags.kubeconfig.empty()) options.kubeconfig = flags.kubeconfig;
  if (!flags.context.empty()) options.context = flags.context;
  auto config = kube::load_client_config(options);
  if (!config) return core::unexpected(config.error());
  return kube::HttpClient::create(std::move(executor), std::move(*config));
}

}  // namespace stillpoint::cli
