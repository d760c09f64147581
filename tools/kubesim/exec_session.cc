#include "server_state.h"

namespace stillpoint::kubesim {

net::awaitable<void> serve_exec(Server::State& st, Stream stream, HttpRequest req) {
  Response r = error_response(bad_request("exec is not implemented yet"));
  co_await write_response(stream, r, false, req.version());
}

}  // namespace stillpoint::kubesim
