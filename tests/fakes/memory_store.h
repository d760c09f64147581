// An ObjectStore in memory, for in-process tests of the orchestrators: committed objects in a
// map, uncommitted writes invisible until commit() (as the contract in
// storage/object_store.h says), every commit recorded in order (`commits()`), and injectable
// failures of the backup location: the Nth put() fails, or writes to matching keys fail once
// the object holds a given number of bytes (a disk that fills up).
//
// Thread-safe: the runners write from their blocking pool while the test reads on its own
// thread. Not here: latency, listing pagination, S3's eventual consistency.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::testing {

class MemoryStore : public storage::ObjectStore {
 public:
  // The `nth` put() from now on (1 = the next one) fails with `error`.
  void fail_put(size_t nth, core::Error error) {
    std::lock_guard lock(mu_);
    put_fault_ = PutFault{puts_ + nth, std::move(error)};
  }
  // A write to a key containing `key_contains` fails with `error` once the object would hold
  // more than `after_bytes` bytes; its commit fails too.
  void fail_writes(std::string key_contains, uint64_t after_bytes, core::Error error) {
    std::lock_guard lock(mu_);
    write_fault_ = WriteFault{std::move(key_contains), after_bytes, std::move(error)};
  }

  // Committed keys, in the order they were committed (a key committed twice appears twice).
  std::vector<std::string> commits() const {
    std::lock_guard lock(mu_);
    return commits_;
  }
  bool has(const std::string& key) const {
    std::lock_guard lock(mu_);
    return objects_.count(key) > 0;
  }
  std::optional<std::string> object(const std::string& key) const {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end())
      return std::nullopt;
    return it->second;
  }
  std::vector<std::string> keys() const {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (const auto& [k, v] : objects_)
      out.push_back(k);
    return out;
  }

  core::Result<std::unique_ptr<storage::ObjectWriter>> put(const std::string& key) override {
    std::lock_guard lock(mu_);
    ++puts_;
    if (put_fault_ && put_fault_->nth == puts_) {
      return core::unexpected(put_fault_->error);
    }
    std::optional<WriteFault> fault;
    if (write_fault_ && key.find(write_fault_->key_contains) != std::string::npos) {
      fault = write_fault_;
    }
    return std::unique_ptr<storage::ObjectWriter>(new Writer(*this, key, std::move(fault)));
  }

  core::Result<std::unique_ptr<storage::ObjectReader>> get(const std::string& key) override {
    std::lock_guard lock(mu_);
    auto it = objects_.find(key);
    if (it == objects_.end()) {
      return core::unexpected(core::ErrorCode::NotFound, "no object " + key + " in memory");
    }
    return std::unique_ptr<storage::ObjectReader>(new Reader(it->second));
  }

  core::Result<bool> exists(const std::string& key) override {
    std::lock_guard lock(mu_);
    return objects_.count(key) > 0;
  }

  core::Result<std::vector<std::string>> list(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    std::vector<std::string> out;
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0; ++it) {
      out.push_back(it->first);
    }
    return out;
  }

  core::Status remove(const std::string& key) override {
    std::lock_guard lock(mu_);
    objects_.erase(key);
    return core::ok();
  }

  core::Status remove_prefix(const std::string& prefix) override {
    std::lock_guard lock(mu_);
    for (auto it = objects_.lower_bound(prefix);
         it != objects_.end() && it->first.compare(0, prefix.size(), prefix) == 0;) {
      it = objects_.erase(it);
    }
    return core::ok();
  }

  std::string describe() const override { return "memory://"; }

 private:
  struct PutFault {
    size_t nth;
    core::Error error;
  };
  struct WriteFault {
    std::string key_contains;
    uint64_t after_bytes;
    core::Error error;
  };

  class Writer : public storage::ObjectWriter {
   public:
    Writer(MemoryStore& store, std::string key, std::optional<WriteFault> fault)
        : store_(store), key_(std::move(key)), fault_(std::move(fault)) {}
    core::Status write(std::string_view bytes) override {
      if (fault_ && data_.size() + bytes.size() > fault_->after_bytes) {
        failed_ = true;
        return core::unexpected(fault_->error);
      }
      data_.append(bytes);
      return core::ok();
    }
    core::Status commit() override {
      if (failed_)
        return core::unexpected(fault_->error);
      std::lock_guard lock(store_.mu_);
      store_.objects_[key_] = data_;
      store_.commits_.push_back(key_);
      return core::ok();
    }
    void abort() override { data_.clear(); }
    uint64_t bytes_written() const override { return data_.size(); }

   private:
    MemoryStore& store_;
    std::string key_;
    std::optional<WriteFault> fault_;
    std::string data_;
    bool failed_ = false;
  };

  class Reader : public storage::ObjectReader {
   public:
    explicit Reader(std::string data) : data_(std::move(data)) {}
    core::Result<size_t> read(char* buffer, size_t size) override {
      const size_t n = std::min(size, data_.size() - offset_);
      data_.copy(buffer, n, offset_);
      offset_ += n;
      return n;
    }

   private:
    std::string data_;
    size_t offset_ = 0;
  };

  mutable std::mutex mu_;
  std::map<std::string, std::string> objects_;
  std::vector<std::string> commits_;
  size_t puts_ = 0;
  std::optional<PutFault> put_fault_;
  std::optional<WriteFault> write_fault_;
};

}  // namespace stillpoint::testing
