// Decoding a watch response body (wire reference §3.6): newline-delimited JSON events
// {"type":…,"object":…} arriving in arbitrary pieces, and the ERROR event's Status turned into
// an error (410 Expired/Gone → ErrorCode::Gone). Pure: no I/O, so it is tested on canned bytes.
// It does not resume or reconnect; RestClient::watch does.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "kube/rest_client.h"

namespace stillpoint::kube {

// One event line is one object; etcd caps objects near 1.5 MiB and CRs rarely exceed a few,
// so a line this long means the stream is not a watch stream.
inline constexpr size_t kMaxWatchLine = 64 * 1024 * 1024;

// A single line → an event; Protocol error when it is not {"type": string, "object": object}.
core::Result<WatchEvent> parse_watch_event(std::string_view line);

// For an ERROR event: the error its Status describes (code from the Status's `code`, 410 →
// Gone). Returns ok for every other event type.
core::Status watch_event_error(const WatchEvent& event);

// The object's metadata.resourceVersion, or "" (Status objects of ERROR events carry none).
std::string resource_version_of(const nlohmann::json& object);

class WatchDecoder {
 public:
  using Sink = std::function<core::Status(WatchEvent event)>;

  // Appends a piece of the body and hands every completed line's event to `sink`. An error
  // (malformed line, or the sink's) stops decoding and is returned.
  core::Status feed(std::string_view piece, const Sink& sink);

  // Bytes of an incomplete last line (a stream cut mid-event).
  size_t pending() const { return pending_.size(); }

 private:
  std::string pending_;
};

}  // namespace stillpoint::kube
