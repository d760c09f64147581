#include "store.h"

#include <algorithm>

#include "go_json.h"

namespace stillpoint::kubesim {

bool Watcher::matches(const Event& e) const {
  if (e.resource != resource || (!ns.empty() && e.ns != ns)) {
    return false;
  }
  const nlohmann::json& obj = *e.item.object;
  if (!labels.empty()) {
    auto md = obj.find("metadata");
    static const nlohmann::json kNull;
    const nlohmann::json& l =
        (md != obj.end() && md->contains("labels")) ? (*md)["labels"] : kNull;
    if (!labels.matches(l)) {
      return false;
    }
  }
  return fields.empty() || fields.matches(obj);
}

std::string watch_line(const std::string& type, const std::string& object_text) {
  std::string line;
  line.reserve(object_text.size() + type.size() + 24);
  line += "{\"type\":\"";
  line += type;
  line += "\",\"object\":";
  line += object_text;
  line += "}\n";
  return line;
}

const Stored* Store::get(const std::string& resource, const std::string& ns,
                         const std::string& name) const {
  auto b = buckets_.find(resource);
  if (b == buckets_.end()) {
    return nullptr;
  }
  auto it = b->second.find(object_key(ns, name));
  return it == b->second.end() ? nullptr : &it->second;
}

Stored Store::put(const std::string& resource, const std::string& ns, const std::string& name,
                  nlohmann::json object, bool strip_type_in_lists) {
  int64_t rv = next_revision();
  object["metadata"]["resourceVersion"] = std::to_string(rv);
  Stored s{std::make_shared<const nlohmann::json>(std::move(object)), nullptr, nullptr};
  s.text = std::make_shared<const std::string>(go_dump(*s.object));
  if (strip_type_in_lists) {
    // Cut from the text rather than serialising a copy without the two keys: same bytes, and a
    // pod write (create, every status update) costs one serialisation instead of two plus a
    // deep copy.
    if (auto item = without_members(*s.text, "kind", "apiVersion")) {
      s.item_text = std::make_shared<const std::string>(std::move(*item));
    } else {
      nlohmann::json copy = *s.object;
      copy.erase("kind");
      copy.erase("apiVersion");
      s.item_text = std::make_shared<const std::string>(go_dump(copy));
    }
  } else {
    s.item_text = s.text;
  }
  Bucket& b = buckets_[resource];
  auto [it, inserted] = b.insert_or_assign(object_key(ns, name), s);
  emit(Event{rv, inserted ? "ADDED" : "MODIFIED", resource, ns, s});
  return s;
}

bool Store::remove(const std::string& resource, const std::string& ns, const std::string& name) {
  auto b = buckets_.find(resource);
  if (b == buckets_.end()) {
    return false;
  }
  auto it = b->second.find(object_key(ns, name));
  if (it == b->second.end()) {
    return false;
  }
  int64_t rv = next_revision();
  // The DELETED event carries the last state with the deletion's resourceVersion, as etcd
  // watchers see it.
  nlohmann::json last = *it->second.object;
  last["metadata"]["resourceVersion"] = std::to_string(rv);
  Stored s{std::make_shared<const nlohmann::json>(std::move(last)), nullptr, nullptr};
  s.text = std::make_shared<const std::string>(go_dump(*s.object));
  s.item_text = s.text;
  b->second.erase(it);
  emit(Event{rv, "DELETED", resource, ns, s});
  return true;
}

const Store::Bucket& Store::bucket(const std::string& resource) const {
  static const Bucket kEmpty;
  auto b = buckets_.find(resource);
  return b == buckets_.end() ? kEmpty : b->second;
}

std::vector<std::string> Store::names_in(const std::string& resource,
                                         const std::string& ns) const {
  std::vector<std::string> out;
  const Bucket& b = bucket(resource);
  std::string prefix = ns + "/";
  for (auto it = b.lower_bound(prefix); it != b.end() && it->first.starts_with(prefix); ++it) {
    out.push_back(it->first.substr(prefix.size()));
  }
  return out;
}

std::optional<std::vector<const Event*>> Store::events_after(int64_t rv) const {
  if (rv < trimmed_through_) {
    return std::nullopt;
  }
  std::vector<const Event*> out;
  auto it = std::upper_bound(history_.begin(), history_.end(), rv,
                             [](int64_t v, const Event& e) { return v < e.rv; });
  for (; it != history_.end(); ++it) {
    out.push_back(&*it);
  }
  return out;
}

int64_t Store::oldest_resumable() const { return trimmed_through_; }

void Store::add_watcher(std::shared_ptr<Watcher> w) { watchers_.push_back(std::move(w)); }

void Store::remove_watcher(const Watcher* w) {
  watchers_.erase(std::remove_if(watchers_.begin(), watchers_.end(),
                                 [w](const auto& p) { return p.get() == w; }),
                  watchers_.end());
}

void Store::emit(Event e) {
  for (const auto& w : watchers_) {
    if (w->matches(e)) {
      w->lines.push_back(watch_line(e.type, w->render ? w->render(e.item) : *e.item.text));
      if (w->wake) {
        w->wake();
      }
    }
  }
  for (const auto& o : observers_) {
    o(e);
  }
  history_.push_back(std::move(e));
  while (history_.size() > history_limit_) {
    trimmed_through_ = history_.front().rv;
    history_.pop_front();
  }
}

}  // namespace stillpoint::kubesim
