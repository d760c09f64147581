// Faults on demand for reliability tests: rules posted to /kubesim/v1/faults make matching
// requests fail with a status (500, 429 with Retry-After, 410…), hang, answer slowly, or cut a
// watch/exec/log stream after N bytes — each for a given number of requests. Rules are
// consumed in the order they were added.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"

namespace stillpoint::kubesim {

struct FaultRule {
  int id = 0;
  // Matching: empty = any.
  std::string method;
  std::string path_prefix;  // matched against the request path
  std::string query_contains;  // substring of the raw query, e.g. "watch=true"
  // Action.
  enum class Action { Status, Hang, Delay, Cut } action = Action::Status;
  int status = 500;
  std::string reason;      // Status reason; default from the code
  std::string message;
  int retry_after_seconds = 0;  // sets Retry-After (and details.retryAfterSeconds)
  int delay_ms = 0;             // Delay: then handle normally
  long cut_after_bytes = 0;     // Cut: close the stream after this many body bytes
  int remaining = 1;            // -1 = until removed
  nlohmann::json to_json() const;
};

class Faults {
 public:
  core::Result<FaultRule> add(const nlohmann::json& spec);
  void clear() { rules_.clear(); }
  nlohmann::json list() const;
  // The first rule matching, with one use consumed; nullopt when none.
  std::optional<FaultRule> take(const std::string& method, const std::string& path,
                                const std::string& raw_query);
  bool empty() const { return rules_.empty(); }

 private:
  std::vector<FaultRule> rules_;
  int next_id_ = 1;
};

}  // namespace stillpoint::kubesim
