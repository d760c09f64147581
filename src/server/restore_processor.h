// The server's Restore: run_object with RestoreRunner, the spec decoded as `stillpoint
// restore create` decodes it.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

boost::asio::awaitable<void> process_restore(ServerContext& ctx, nlohmann::json object);

}  // namespace stillpoint::server
