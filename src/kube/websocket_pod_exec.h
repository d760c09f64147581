// WebSocketPodExec: the hook engine's PodExec over the Kubernetes exec API (GET + WebSocket,
// v5.channel.k8s.io or v4.channel.k8s.io), sharing the HttpClient's server, TLS settings,
// credentials and rate limiter. Each exec opens its own connection (an upgraded connection
// cannot return to the pool).
//
// Contract: hooks/pod_exec.h. A 401 on the upgrade refreshes the credential (token file, exec
// plugin) and tries once more. Threading: the HttpClient's executor.
#pragma once

#include <memory>

#include "hooks/pod_exec.h"
#include "kube/http_client.h"

namespace stillpoint::kube {

class WebSocketPodExec : public hooks::PodExec {
 public:
  explicit WebSocketPodExec(std::shared_ptr<HttpClient> client) : client_(std::move(client)) {}

  boost::asio::awaitable<core::Result<hooks::ExecResult>> exec(hooks::ExecRequest request) override;

 private:
  std::shared_ptr<HttpClient> client_;
};

}  // namespace stillpoint::kube
