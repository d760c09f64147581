// ArchiveSink: where a backup's items go. One tarball writer (archive/tarball_writer.h)
// streaming into the backup location, fed from many coroutines: each add() hops to a strand
// on the blocking-work pool (JSON is compressed and written there, never on the I/O thread)
// and back, so the caller waits for its own item and memory holds only items in flight.
// Also keeps the resource list (`<name>-resource-list.json.gz`: {"v1/Pod": ["ns/name"]}).
#pragma once

#include <cstddef>
#include <condition_variable>
#include <map>
#include <mutex>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/strand.hpp>

#include "archive/tarball_writer.h"
#include "core/result.h"
#include "storage/object_store.h"

namespace stillpoint::backup {

class ArchiveSink {
 public:
  // Starts `key` (backups/<name>/<name>.tar.gz) in `store`; nothing is visible until finish().
  static core::Result<std::unique_ptr<ArchiveSink>> open(storage::ObjectStore& store,
                                                         const std::string& key,
                                                         boost::asio::any_io_executor pool);
  ~ArchiveSink();

  // `list_key` is "<apiVersion>/<Kind>" ("v1/Pod", "apps/v1/Deployment").
  boost::asio::awaitable<core::Status> add(archive::ItemKey key,
                                           std::string json,
                                           std::string list_key);

  // For synchronous callers (a list's item callback): queues the item for the strand and
  // returns at once, blocking only while kMaxQueued items are already waiting — the
  // backpressure that keeps memory bounded. Returns the first write error seen so far.
  core::Status enqueue(archive::ItemKey key, std::string json, std::string list_key);

  // Waits for queued items, ends the archive and commits it. Call once every add() has
  // completed.
  core::Status finish();

  size_t items() const { return items_; }
  uint64_t bytes() const { return object_ ? object_->bytes_written() : 0; }
  // {"v1/Pod": ["ns/name", ...]} with Velero's key shapes; cluster-scoped entries are names.
  const std::map<std::string, std::vector<std::string>>& resource_list() const {
    return resource_list_;
  }

 private:
  ArchiveSink(std::unique_ptr<storage::ObjectWriter> object,
              boost::asio::strand<boost::asio::any_io_executor> strand);
  core::Status write_item(const archive::ItemKey& key, const std::string& json,
                          const std::string& list_key);

  std::unique_ptr<storage::ObjectWriter> object_;
  std::unique_ptr<archive::TarballWriter> tarball_;
  boost::asio::strand<boost::asio::any_io_executor> strand_;
  static constexpr size_t kMaxQueued = 256;
  std::mutex mu_;
  std::condition_variable drained_;
  size_t queued_ = 0;
  core::Status first_error_ = core::ok();
  size_t items_ = 0;
  std::map<std::string, std::vector<std::string>> resource_list_;
  bool finished_ = false;
};

}  // namespace stillpoint::backup
