// The order in which a controller starts Backups (or Restores): by creation time, oldest
// first, names breaking ties — the order the user created them in, whatever order the watch
// delivered them in. Pure bookkeeping: a name is queued at most once, and a name that has
// been taken (started) is never queued again by this process, so a re-list after a dropped
// watch cannot start an object twice.
#pragma once

#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace stillpoint::server {

class OperationQueue {
 public:
  // `created` is metadata.creationTimestamp (RFC 3339 in UTC sorts as text). False when the
  // name is queued already or was taken before.
  bool offer(const std::string& name, const std::string& created);
  // The object was deleted, or is no longer new: it leaves the queue (not the taken set).
  void remove(const std::string& name);
  // The oldest queued name, now taken; nullopt when the queue is empty.
  std::optional<std::string> take();
  // Forget that `name` was taken (its run was handed back: this replica lost the lease
  // before starting it), so a later offer queues it again.
  void release(const std::string& name);

  size_t size() const { return order_.size(); }
  bool queued(const std::string& name) const { return created_of_.count(name) > 0; }
  bool taken(const std::string& name) const { return taken_.count(name) > 0; }

 private:
  std::set<std::pair<std::string, std::string>> order_;  // (created, name)
  std::unordered_map<std::string, std::string> created_of_;
  std::unordered_set<std::string> taken_;
};

}  // namespace stillpoint::server
