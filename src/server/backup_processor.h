// The server's Backup: run_object with BackupRunner, the spec decoded as `stillpoint backup
// create` decodes it, and the pods between pre and post hooks recorded on the object as they
// go (hook_window_recorder.h).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

boost::asio::awaitable<void> process_backup(ServerContext& ctx, nlohmann::json object);

}  // namespace stillpoint::server
