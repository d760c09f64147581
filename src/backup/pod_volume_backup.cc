#include "backup/pod_volume_backup.h"

#include <memory>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "archive/volume_stream.h"
#include "core/async/offload.h"
#include "hooks/tar_failure.h"

namespace stillpoint::backup {

namespace asio = boost::asio;

namespace {

// Batches of this much tar go to the pool at once: few thread hops, bounded memory.
constexpr size_t kBatch = 1 << 20;
constexpr size_t kStderrLimit = 16 * 1024;

// How runtimes say the executable does not exist: containerd/runc ("exec: \"tar\":
// executable file not found in $PATH"), kubesim ("exec tar: No such file or directory"), a
// shell ("tar: not found"). Not tar's own "Cannot open: No such file or directory".
// Compression, hashing and writes of one volume's data on a strand of the pool. One batch is
// in flight there while the exec stream receives the next (double buffering: receiving and
// compressing overlap, memory stays at two batches). Shared, so that work in flight never
// outlives what it writes to, even if the copy is abandoned.
class VolumeWriter : public std::enable_shared_from_this<VolumeWriter> {
 public:
  VolumeWriter(asio::any_io_executor io, asio::any_io_executor strand_executor)
      : strand(std::move(strand_executor)),
        io_(io),
        idle_(io, asio::steady_timer::time_point::max()) {}

  // Waits until no batch is in flight; the first error any batch had.
  asio::awaitable<core::Status> drain() {
    while (busy_) co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
    co_return status_;
  }

  // Hands `batch` to the pool once the one before it is written.
  asio::awaitable<core::Status> submit(std::string batch, bool last) {
    if (auto s = co_await drain(); !s) co_return s;
    busy_ = true;
    asio::post(strand, [self = shared_from_this(), batch = std::move(batch), last]() {
      core::Status s = self->encode_and_write(batch, last);
      asio::post(self->io_, [self, s = std::move(s)]() {
        self->busy_ = false;
        if (!s && self->status_) self->status_ = s;
        self->idle_.cancel();
      });
    });
    co_return core::ok();
  }

  asio::any_io_executor strand;
  archive::VolumeStreamEncoder encoder;            // used on the strand only
  std::unique_ptr<storage::ObjectWriter> object;  // on the strand, or when nothing is in flight

 private:
  core::Status encode_and_write(const std::string& batch, bool last) {
    std::string compressed;
    if (auto s = encoder.encode(batch, compressed); !s) return s;
    if (last) {
      if (auto s = encoder.finish(compressed); !s) return s;
    }
    return object->write(compressed);
  }

  asio::any_io_executor io_;
  asio::steady_timer idle_;  // cancelled whenever a batch is done
  bool busy_ = false;
  core::Status status_ = core::ok();
};

}  // namespace

asio::awaitable<VolumeBackupOutcome> back_up_pod_volume(VolumeBackupContext ctx,
                                                        std::string namespace_name,
                                                        std::string pod,
                                                        hooks::PodVolume volume) {
  using namespace asio::experimental::awaitable_operators;
  VolumeBackupOutcome out;
  catalog::VolumeRecord& r = out.record;
  r.namespace_name = namespace_name;
  r.pod = pod;
  r.volume = volume.name;
  r.type = volume.type;
  r.container = volume.container;
  r.mount_path = volume.mount_path;
  r.start = ctx.clock.now();
  auto fail = [&](std::string why) {
    r.result = "Failed";
    r.error = std::move(why);
    r.key.clear();
    r.completion = ctx.clock.now();
  };

  // One strand: the batches of one volume are written in order, on the pool.
  auto out_stream = std::make_shared<VolumeWriter>(co_await asio::this_coro::executor,
                                                   asio::make_strand(ctx.pool));
  const std::string key = catalog::volume_data_key(ctx.backup, namespace_name, pod, volume.name);
  out.storage_error = co_await core::async::offload(out_stream->strand, [&]() -> core::Status {
    auto w = ctx.store.put(key);
    if (!w) return core::unexpected(w.error());
    out_stream->object = std::move(*w);
    return core::ok();
  });
  if (!out.storage_error) {
    fail("the backup location failed: " + out.storage_error.error().message);
    co_return out;
  }

  std::string batch;
  batch.reserve(kBatch);
  core::Status storage = core::ok();
  hooks::ExecRequest request;
  request.namespace_name = namespace_name;
  request.pod = pod;
  request.container = volume.container;
  request.command = {"tar", "-C", volume.mount_path, "-cf", "-", "."};
  request.output_limit = kStderrLimit;
  request.stdout_sink = [&](std::string_view piece) -> asio::awaitable<core::Status> {
    batch.append(piece);
    if (ctx.bytes_copied != nullptr) *ctx.bytes_copied += piece.size();
    if (batch.size() < kBatch) co_return core::ok();
    std::string full;
    full.reserve(kBatch + kBatch / 8);
    full.swap(batch);
    storage = co_await out_stream->submit(std::move(full), false);
    co_return storage;
  };
  std::variant<core::Result<hooks::ExecResult>, std::monostate> ended =
      co_await (ctx.exec.exec(std::move(request)) || ctx.clock.sleep_for(ctx.timeout));
  if (storage) storage = co_await out_stream->drain();

  if (!storage) {
    out_stream->object->abort();
    out.storage_error = storage;
    fail("the backup location failed: " + storage.error().message);
    co_return out;
  }
  if (ended.index() == 1) {
    out_stream->object->abort();
    fail("copying the volume did not finish within " + core::format_go_duration(ctx.timeout) +
         "; the copy was stopped");
    co_return out;
  }
  auto& result = std::get<0>(ended);
  if (!result || result->exit_code != 0) {
    out_stream->object->abort();
    fail(hooks::tar_failure(volume.container, "read", result));
    co_return out;
  }
  storage = co_await out_stream->submit(std::move(batch), true);
  if (storage) storage = co_await out_stream->drain();
  if (storage) {
    storage = co_await core::async::offload(out_stream->strand,
                                    [&]() { return out_stream->object->commit(); });
  }
  if (!storage) {
    out_stream->object->abort();
    out.storage_error = storage;
    fail("the backup location failed: " + storage.error().message);
    co_return out;
  }
  r.key = key;
  r.result = "Completed";
  r.size = out_stream->encoder.size();
  r.sha256 = out_stream->encoder.sha256_hex();
  r.stored_size = out_stream->object->bytes_written();
  r.completion = ctx.clock.now();
  co_return out;
}

}  // namespace stillpoint::backup
