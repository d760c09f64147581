// The flags every command that talks to a cluster shares (--kubeconfig, --context), and the
// client they build: configuration as kubectl resolves it, then an HttpClient on the given
// I/O executor.
#pragma once

#include "kube/rate_limiter.h"

#include <memory>
#include <string>

#include <boost/asio/any_io_executor.hpp>

#include "core/result.h"
#include "kube/http_client.h"

namespace CLI {
class App;
}

namespace stillpoint::cli {

struct ClusterFlags {
  std::string kubeconfig;
  std::string context;
  // The client's token bucket (client-go's, Velero's --client-qps/--client-burst); qps 0 =
  // unlimited. Commands choose their defaults: a restore sends one request per object.
  double qps = kube::kDefaultQps;
  int burst = kube::kDefaultBurst;
};

void add_cluster_flags(CLI::App& command, ClusterFlags& flags);

core::Result<std::shared_ptr<kube::HttpClient>> connect(const ClusterFlags& flags,
                                                        boost::asio::any_io_executor executor);

}  // namespace stillpoint::cli
