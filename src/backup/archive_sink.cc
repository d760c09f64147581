#include "backup/archive_sink.h"

#include <boost/asio/post.hpp>

#include "core/async/offload.h"

namespace stillpoint::backup {

namespace asio = boost::asio;

core::Result<std::unique_ptr<ArchiveSink>> ArchiveSink::open(storage::ObjectStore& store,
                                                             const std::string& key,
                                                             asio::any_io_executor pool) {
  auto object = store.put(key);
  if (!object) return core::unexpected(object.error());
  std::unique_ptr<ArchiveSink> sink(
      new ArchiveSink(std::move(*object), asio::make_strand(std::move(pool))));
  storage::ObjectWriter* out = sink->object_.get();
  auto tarball = archive::TarballWriter::open(
      [out](std::string_view bytes) { return out->write(bytes); });
  if (!tarball) return core::unexpected(tarball.error());
  sink->tarball_ = std::move(*tarball);
  return sink;
}

ArchiveSink::ArchiveSink(std::unique_ptr<storage::ObjectWriter> object,
                         asio::strand<asio::any_io_executor> strand)
    : object_(std::move(object)), strand_(std::move(strand)) {}

ArchiveSink::~ArchiveSink() {
  if (!finished_ && object_) object_->abort();
}

core::Status ArchiveSink::write_item(const archive::ItemKey& key, const std::string& json,
                                     const std::string& list_key) {
  if (auto s = tarball_->add_item(key, json); !s) return s;
  ++items_;
  resource_list_[list_key].push_back(
      key.namespace_name.empty() ? key.name : key.namespace_name + "/" + key.name);
  return core::ok();
}

asio::awaitable<core::Status> ArchiveSink::add(archive::ItemKey key,
                                               std::string json,
                                               std::string list_key) {
  // The write runs on the strand (a pool thread); we resume on our own executor.
  co_return co_await core::async::offload(
      strand_, [this, &key, &json, &list_key] { return write_item(key, json, list_key); });
}

core::Status ArchiveSink::enqueue(archive::ItemKey key, std::string json, std::string list_key) {
  std::unique_lock lock(mu_);
  drained_.wait(lock, [this] { return queued_ < kMaxQueued; });
  if (!first_error_) return first_error_;
  ++queued_;
  lock.unlock();
  asio::post(strand_, [this, key = std::move(key), json = std::move(json),
                       list_key = std::move(list_key)] {
    core::Status s = write_item(key, json, list_key);
    std::lock_guard guard(mu_);
    if (!s && first_error_) first_error_ = s;
    --queued_;
    drained_.notify_all();
  });
  return core::ok();
}

core::Status ArchiveSink::finish() {
  {
    std::unique_lock lock(mu_);
    drained_.wait(lock, [this] { return queued_ == 0; });
    if (!first_error_) return first_error_;
  }
  if (auto s = tarball_->finish(); !s) return s;
  if (auto s = object_->commit(); !s) return s;
  finished_ = true;
  return core::ok();
}

}  // namespace stillpoint::backup
