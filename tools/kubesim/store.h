// The object store: every object of every type, the cluster-wide resourceVersion counter, the
// recent event history watches resume from, and the live watchers. It is etcd and the watch
// cache in one, and like them it knows nothing about what objects mean.
//
// Thread affinity: single-threaded. Everything runs on the server's io_context thread; the
// store has no locks on purpose.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "selectors.h"

namespace stillpoint::kubesim {

// Objects are immutable once stored; the serialized form is cached because lists and watches
// send the same bytes many times (a 10,000-pod list is concatenation, not serialization).
struct Stored {
  std::shared_ptr<const nlohmann::json> object;
  std::shared_ptr<const std::string> text;
  // The list-item form: built-in lists carry items without kind/apiVersion (wire reference
  // §3.2); for custom resources this is the same text.
  std::shared_ptr<const std::string> item_text;
};

struct Event {
  int64_t rv = 0;
  std::string type;  // ADDED, MODIFIED, DELETED
  std::string resource;  // ResourceType::key()
  std::string ns;
  Stored item;
};

// A watch's subscription. The server's watch session drains `lines` and sleeps until `wake`.
struct Watcher {
  std::string resource;
  std::string ns;  // empty = all namespaces
  LabelQuery labels;
  FieldQuery fields;
  std::deque<std::string> lines;  // ready-to-send JSON event lines, newline included
  // Renders an event's object (e.g. as a one-row Table); null = the stored JSON.
  std::function<std::string(const Stored&)> render;
  std::function<void()> wake;
  bool matches(const Event& e) const;
};

std::string watch_line(const std::string& type, const std::string& object_text);

class Store {
 public:
  explicit Store(size_t history_limit = 50'000) : history_limit_(history_limit) {}

  int64_t revision() const { return revision_; }
  // Allocates the next resourceVersion (without storing anything).
  int64_t next_revision() { return ++revision_; }

  const Stored* get(const std::string& resource, const std::string& ns,
                    const std::string& name) const;
  // Stores `object` (its metadata.resourceVersion is set here), emits ADDED or MODIFIED.
  Stored put(const std::string& resource, const std::string& ns, const std::string& name,
             nlohmann::json object, bool strip_type_in_lists = true);
  // Removes and emits DELETED with a fresh resourceVersion; false when absent.
  bool remove(const std::string& resource, const std::string& ns, const std::string& name);

  using Bucket = std::map<std::string, Stored>;  // "ns/name" → object, etcd key order
  const Bucket& bucket(const std::string& resource) const;
  static std::string object_key(const std::string& ns, const std::string& name) {
    return ns + "/" + name;
  }
  // Names of objects of `resource` in `ns`.
  std::vector<std::string> names_in(const std::string& resource, const std::string& ns) const;

  // Events after `rv` for replay; nullopt when `rv` is older than the kept history.
  std::optional<std::vector<const Event*>> events_after(int64_t rv) const;
  int64_t oldest_resumable() const;

  // In-process observers (the controllers) see every event after the watchers. An observer
  // must not write to the store from the callback: it queues work instead.
  void add_observer(std::function<void(const Event&)> observer) {
    observers_.push_back(std::move(observer));
  }

  void add_watcher(std::shared_ptr<Watcher> w);
  void remove_watcher(const Watcher* w);
  size_t watcher_count() const { return watchers_.size(); }

 private:
  void emit(Event e);

  size_t history_limit_;
  int64_t revision_ = 1;
  std::map<std::string, Bucket> buckets_;
  std::deque<Event> history_;
  int64_t trimmed_through_ = 1;  // the rv of the newest event dropped from history
  std::vector<std::shared_ptr<Watcher>> watchers_;
  std::vector<std::function<void(const Event&)>> observers_;
};

}  // namespace stillpoint::kubesim
