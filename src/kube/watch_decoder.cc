#include "kube/watch_decoder.h"

#include "kube/api_status.h"

namespace stillpoint::kube {

using core::ErrorCode;
using core::unexpected;
using nlohmann::json;

core::Result<WatchEvent> parse_watch_event(std::string_view line) {
  auto doc = json::parse(line.begin(), line.end(), nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return unexpected(ErrorCode::Protocol, "watch event is not a JSON object");
  }
  auto type = doc.find("type");
  auto object = doc.find("object");
  if (type == doc.end() || !type->is_string() || object == doc.end() || !object->is_object()) {
    return unexpected(ErrorCode::Protocol, "watch event lacks \"type\" or \"object\"");
  }
  WatchEvent event;
  event.type = type->get<std::string>();
  event.object = std::move(*object);
  return event;
}

core::Status watch_event_error(const WatchEvent& event) {
  if (event.type != "ERROR") {
    return core::ok();
  }
  const std::string body = event.object.dump();
  int code = 500;
  if (auto status = parse_status(body); status && status->code != 0) {
    code = status->code;
  }
  return unexpected(error_from_response(code, body));
}

std::string resource_version_of(const json& object) {
  auto meta = object.find("metadata");
  if (meta == object.end() || !meta->is_object()) {
    return {};
  }
  auto rv = meta->find("resourceVersion");
  return rv != meta->end() && rv->is_string() ? rv->get<std::string>() : std::string();
}

core::Status WatchDecoder::feed(std::string_view piece, const Sink& sink) {
  // Events are split on '\n' only: JSON escapes newlines inside strings, and chunk
  // boundaries carry no meaning.
  size_t start = 0;
  for (;;) {
    const size_t nl = piece.find('\n', start);
    if (nl == std::string_view::npos) {
      break;
    }
    std::string_view line = piece.substr(start, nl - start);
    start = nl + 1;
    std::string joined;
    if (!pending_.empty()) {
      joined = std::move(pending_);
      pending_.clear();
      joined.append(line);
      line = joined;
    }
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) {
      continue;
    }
    auto event = parse_watch_event(line);
    if (!event) {
      return unexpected(event.error());
    }
    if (auto s = sink(std::move(*event)); !s) {
      return s;
    }
  }
  if (pending_.size() + (piece.size() - start) > kMaxWatchLine) {
    return unexpected(ErrorCode::Protocol,
                      "watch event longer than " + std::to_string(kMaxWatchLine) + " bytes");
  }
  pending_.append(piece.substr(start));
  return core::ok();
}

}  // namespace stillpoint::kube
