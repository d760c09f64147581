#include "backup/pod_volume_backup.h"

#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "archive/volume_stream.h"
#include "backup/run_blocking.h"

namespace stillpoint::backup {

namespace asio = boost::asio;

namespace {

// Batches of this much tar go to the pool at once: few thread hops, bounded memory.
constexpr size_t kBatch = 1 << 20;
constexpr size_t kStderrLimit = 16 * 1024;

// How runtimes say the executable does not exist: containerd/runc ("exec: \"tar\":
// executable file not found in $PATH"), kubesim ("exec tar: No such file or directory"), a
// shell ("tar: not found"). Not tar's own "Cannot open: No such file or directory".
bool looks_like_missing_tar(const std::string& text) {
  return text.find("executable file not found") != std::string::npos ||
         text.find("exec tar: No such file") != std::string::npos ||
         text.find("exec: \"tar\"") != std::string::npos ||
         text.find("tar: not found") != std::string::npos;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string tar_failure(const std::string& container, const std::string& action,
                        const core::Result<hooks::ExecResult>& result) {
  const std::string no_tar = "container \"" + container +
                             "\" has no tar executable, which stillpoint runs there to " + action +
                             " the volume's data (add tar to its image)";
  if (!result) {
    if (looks_like_missing_tar(result.error().message)) return no_tar;
    return "exec into container \"" + container + "\" failed: " + result.error().message;
  }
  if (looks_like_missing_tar(result->stderr_data) ||
      ((result->exit_code == 126 || result->exit_code == 127) && result->stderr_data.empty())) {
    return no_tar + (result->stderr_data.empty() ? "" : ": " + trimmed(result->stderr_data));
  }
  return "tar exited with code " + std::to_string(result->exit_code) + " in container \"" +
         container + "\"" +
         (result->stderr_data.empty() ? "" : ": " + trimmed(result->stderr_data));
}

asio::awaitable<VolumeBackupOutcome> back_up_pod_volume(VolumeBackupContext ctx,
                                                        std::string namespace_name,
                                                        std::string pod,
                                                        hooks::PodVolume volume) {
  using namespace asio::experimental::awaitable_operators;
  VolumeBackupOutcome out;
  VolumeRecord& r = out.record;
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
  asio::any_io_executor strand = asio::make_strand(ctx.pool);
  const std::string key = volume_data_key(ctx.backup, namespace_name, pod, volume.name);
  std::unique_ptr<storage::ObjectWriter> writer;
  out.storage_error = co_await run_blocking(strand, [&]() -> core::Status {
    auto w = ctx.store.put(key);
    if (!w) return core::unexpected(w.error());
    writer = std::move(*w);
    return core::ok();
  });
  if (!out.storage_error) {
    fail("the backup location failed: " + out.storage_error.error().message);
    co_return out;
  }

  archive::VolumeStreamEncoder encoder;
  std::string batch;
  batch.reserve(kBatch);
  std::string compressed;
  auto flush = [&](bool last) -> asio::awaitable<core::Status> {
    co_return co_await run_blocking(strand, [&]() -> core::Status {
      compressed.clear();
      if (auto s = encoder.encode(batch, compressed); !s) return s;
      batch.clear();
      if (last) {
        if (auto s = encoder.finish(compressed); !s) return s;
      }
      return writer->write(compressed);
    });
  };
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
    storage = co_await flush(false);
    co_return storage;
  };
  std::variant<core::Result<hooks::ExecResult>, std::monostate> ended =
      co_await (ctx.exec.exec(std::move(request)) || ctx.clock.sleep_for(ctx.timeout));

  if (!storage) {
    writer->abort();
    out.storage_error = storage;
    fail("the backup location failed: " + storage.error().message);
    co_return out;
  }
  if (ended.index() == 1) {
    writer->abort();
    fail("copying the volume did not finish within " + core::format_go_duration(ctx.timeout) +
         "; the copy was stopped");
    co_return out;
  }
  auto& result = std::get<0>(ended);
  if (!result || result->exit_code != 0) {
    writer->abort();
    fail(tar_failure(volume.container, "read", result));
    co_return out;
  }
  storage = co_await flush(true);
  if (storage) {
    storage = co_await run_blocking(strand, [&]() { return writer->commit(); });
  }
  if (!storage) {
    writer->abort();
    out.storage_error = storage;
    fail("the backup location failed: " + storage.error().message);
    co_return out;
  }
  r.key = key;
  r.result = "Completed";
  r.size = encoder.size();
  r.sha256 = encoder.sha256_hex();
  r.stored_size = writer->bytes_written();
  r.completion = ctx.clock.now();
  co_return out;
}

}  // namespace stillpoint::backup
