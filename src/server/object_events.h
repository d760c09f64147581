// Events about the server's objects (`kubectl describe schedule nightly` shows them): a skipped
// scheduled backup, an expired backup kept because it could not be deleted. core/v1 Events in
// the object's namespace, named as client-go's recorder names them (<object>.<hex time>). An
// event that cannot be written is logged and otherwise ignored: events are advisory.
#pragma once

#include <string>

#include <boost/asio/awaitable.hpp>
#include <nlohmann/json.hpp>

#include "server/server_context.h"

namespace stillpoint::server {

enum class EventType { Normal, Warning };

boost::asio::awaitable<void> record_event(ServerContext& ctx,
                                          const nlohmann::json& object,
                                          EventType type,
                                          const std::string& reason,
                                          const std::string& message);

}  // namespace stillpoint::server
