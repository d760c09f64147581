#include "cli/cluster_session.h"

#include "kube/websocket_pod_exec.h"

namespace stillpoint::cli {

ClusterSession::ClusterSession(std::unique_ptr<storage::ObjectStore> store)
    : store_(std::move(store)) {}

core::Result<std::unique_ptr<ClusterSession>> ClusterSession::open(const StorageFlags& storage,
                                                                   const ClusterFlags& cluster) {
  auto store = open_storage(storage);
  if (!store) {
    return core::unexpected(store.error());
  }
  std::unique_ptr<ClusterSession> session(new ClusterSession(std::move(*store)));
  auto http = connect(cluster, session->io_.get_executor());
  if (!http) {
    return core::unexpected(http.error());
  }
  session->rest_ = std::make_unique<kube::RestClient>(*http);
  session->exec_ = std::make_unique<kube::WebSocketPodExec>(*http);
  return session;
}

}  // namespace stillpoint::cli
