#include "cli/cluster_flags.h"

#include <CLI/CLI.hpp>

#include "kube/kubeconfig.h"

namespace stillpoint::cli {

void add_cluster_flags(CLI::App& command, ClusterFlags& flags) {
  command.add_option("--kubeconfig", flags.kubeconfig,
                     "Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config, then the "
                     "in-cluster service account)");
  command.add_option("--context", flags.context, "Kubeconfig context (default: current-context)");
  command.add_option("--client-qps", flags.qps,
                     "Requests per second to the API server, sustained (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  command.add_option("--client-burst", flags.burst, "Requests allowed at once above --client-qps")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
}

core::Result<std::shared_ptr<kube::HttpClient>> connect(const ClusterFlags& flags,
                                                        boost::asio::any_io_executor executor) {
  kube::LoadOptions options;
  if (!flags.kubeconfig.empty()) options.kubeconfig = flags.kubeconfig;
  if (!flags.context.empty()) options.context = flags.context;
  auto config = kube::load_client_config(options);
  if (!config) return core::unexpected(config.error());
  kube::TransportOptions transport;
  transport.qps = flags.qps;
  transport.burst = flags.burst;
  return kube::HttpClient::create(std::move(executor), std::move(*config), transport);
}

}  // namespace stillpoint::cli
