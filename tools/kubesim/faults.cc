#include "faults.h"

namespace stillpoint::kubesim {
namespace {

const char* action_name(FaultRule::Action a) {
  switch (a) {
    case FaultRule::Action::Status:
      return "status";
    case FaultRule::Action::Hang:
      return "hang";
    case FaultRule::Action::Delay:
      return "delay";
    case FaultRule::Action::Cut:
      return "cut";
  }
  return "status";
}

}  // namespace

nlohmann::json FaultRule::to_json() const {
  return {{"id", id},
          {"method", method},
          {"path", path_prefix},
          {"query", query_contains},
          {"action", action_name(action)},
          {"status", status},
          {"reason", reason},
          {"message", message},
          {"retryAfterSeconds", retry_after_seconds},
          {"delayMs", delay_ms},
          {"cutAfterBytes", cut_after_bytes},
          {"count", remaining}};
}

core::Result<FaultRule> Faults::add(const nlohmann::json& spec) {
  if (!spec.is_object()) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "a fault must be a JSON object");
  }
  FaultRule r;
  try {
    r.method = spec.value("method", "");
    r.path_prefix = spec.value("path", "");
    r.query_contains = spec.value("query", "");
    std::string action = spec.value("action", "status");
    if (action == "status") {
      r.action = FaultRule::Action::Status;
    } else if (action == "hang") {
      r.action = FaultRule::Action::Hang;
    } else if (action == "delay") {
      r.action = FaultRule::Action::Delay;
    } else if (action == "cut") {
      r.action = FaultRule::Action::Cut;
    } else {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              "action: expected status, hang, delay or cut, got " + action);
    }
    r.status = spec.value("status", 500);
    r.reason = spec.value("reason", "");
    r.message = spec.value("message", "");
    r.retry_after_seconds = spec.value("retryAfterSeconds", 0);
    r.delay_ms = spec.value("delayMs", 0);
    r.cut_after_bytes = spec.value("cutAfterBytes", 0L);
    r.remaining = spec.value("count", 1);
  } catch (const std::exception& e) {
    return core::unexpected(core::ErrorCode::InvalidArgument, std::string("bad fault: ") + e.what());
  }
  if (r.status < 100 || r.status > 599) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "status: must be an HTTP code");
  }
  if (r.remaining == 0 || r.remaining < -1) {
    return core::unexpected(core::ErrorCode::InvalidArgument, "count: must be positive or -1");
  }
  r.id = next_id_++;
  rules_.push_back(r);
  return r;
}

nlohmann::json Faults::list() const {
  nlohmann::json items = nlohmann::json::array();
  for (const FaultRule& r : rules_) {
    items.push_back(r.to_json());
  }
  return {{"items", items}};
}

std::optional<FaultRule> Faults::take(const std::string& method, const std::string& path,
                                      const std::string& raw_query) {
  for (auto it = rules_.begin(); it != rules_.end(); ++it) {
    if ((!it->method.empty() && it->method != method) ||
        (!it->path_prefix.empty() && !path.starts_with(it->path_prefix)) ||
        (!it->query_contains.empty() && raw_query.find(it->query_contains) == std::string::npos)) {
      continue;
    }
    FaultRule r = *it;
    if (it->remaining > 0 && --it->remaining == 0) {
      rules_.erase(it);
    }
    return r;
  }
  return std::nullopt;
}

}  // namespace stillpoint::kubesim
