#include "kube/websocket_pod_exec.h"

#include <boost/beast/websocket/ssl.hpp>

#include "kube/connection_factory.h"
#include "kube/credential_source.h"
#include "kube/exec_session.h"

namespace stillpoint::kube {

namespace asio = boost::asio;
namespace websocket = boost::beast::websocket;

asio::awaitable<core::Result<hooks::ExecResult>> WebSocketPodExec::exec(
    hooks::ExecRequest request) {
  co_await asio::this_coro::throw_if_cancelled(false);
  if (request.command.empty()) {
    co_return core::unexpected(core::ErrorCode::InvalidArgument, "exec: empty command");
  }
  ConnectionFactory& connections = client_->connections();
  for (int attempt = 1;; ++attempt) {
    co_await client_->throttle();
    auto auth = connections.credentials().current();
    if (!auth) {
      co_return core::unexpected(auth.error());
    }
    auto conn = co_await connections.connect(*auth);
    if (!conn) {
      co_return core::unexpected(conn.error());
    }
    websocket::stream<TlsStream> ws(std::move(**conn));
    ExecSessionOptions options;
    options.host = connections.url().authority();
    options.target = connections.url().prefix + exec_target(request);
    options.authorization = auth->authorization;
    auto outcome = co_await run_exec_session(ws, std::move(options), request);
    if (outcome.handshake_status == 401 && attempt == 1 &&
        connections.credentials().rejected(auth->generation)) {
      continue;
    }
    co_return std::move(outcome.result);
  }
}

}  // namespace stillpoint::kube
