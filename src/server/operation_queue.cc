#include "server/operation_queue.h"

namespace stillpoint::server {

bool OperationQueue::offer(const std::string& name, const std::string& created) {
  if (taken_.count(name) || created_of_.count(name)) return false;
  created_of_.emplace(name, created);
  order_.emplace(created, name);
  return true;
}

void OperationQueue::remove(const std::string& name) {
  auto it = created_of_.find(name);
  if (it == created_of_.end()) return;
  order_.erase({it->second, name});
  created_of_.erase(it);
}

std::optional<std::string> OperationQueue::take() {
  if (order_.empty()) return std::nullopt;
  std::string name = order_.begin()->second;
  order_.erase(order_.begin());
  created_of_.erase(name);
  taken_.insert(name);
  return name;
}

void OperationQueue::release(const std::string& name) { taken_.erase(name); }

}  // namespace stillpoint::server
