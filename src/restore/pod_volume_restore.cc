#include "restore/pod_volume_restore.h"

#include <memory>
#include <optional>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "archive/volume_stream.h"
#include "core/async/offload.h"
#include "hooks/pod.h"
#include "hooks/restore_planner.h"
#include "hooks/tar_failure.h"
#include "restore/pod_scheduling.h"
#include "restore/pod_watch.h"
#include "storage/checksummed_store.h"

namespace stillpoint::restore {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using nlohmann::json;

namespace {

// Decompressed pieces handed to the exec stream: a few exec messages' worth.
constexpr size_t kPiece = 256 * 1024;
constexpr size_t kReadSize = 256 * 1024;

std::string marker_path(const std::vector<catalog::VolumeRecord>& volumes) {
  return std::string(kRestoresDir) + "/" + volumes.front().volume + "/" + kDoneMarker;
}

// One volume's stored data on its way into the pod: read and decompressed on a strand of the
// pool in pieces of at most kPiece, one piece ahead of the exec stream (reading overlaps
// sending), and checked against the manifest after the last byte. Shared with the work in
// flight, so an abandoned restore never leaves it dangling.
class VolumeReader : public std::enable_shared_from_this<VolumeReader> {
 public:
  VolumeReader(asio::any_io_executor io, asio::any_io_executor strand,
               const catalog::VolumeRecord& record)
      : io_(io),
        strand_(std::move(strand)),
        idle_(io, asio::steady_timer::time_point::max()),
        expected_size_(record.size),
        expected_sha256_(record.sha256) {}

  // The next piece; "" once all of it was delivered and matched the backup.
  asio::awaitable<core::Result<std::string>> next() {
    if (!busy_ && !ready_) start();
    while (busy_) co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
    core::Result<std::string> piece = std::move(*ready_);
    ready_.reset();
    if (piece && !piece->empty()) start();  // read ahead while this one is sent
    co_return piece;
  }

  // Waits for a read-ahead still in flight (the exec ended early).
  asio::awaitable<void> settle() {
    while (busy_) co_await idle_.async_wait(asio::as_tuple(asio::use_awaitable));
  }

  std::unique_ptr<storage::ObjectReader> object;  // on the strand only, once reading started
  archive::VolumeStreamDecoder decoder;            // on the strand only
  bool verified = false;                           // read on the I/O executor after settle()

 private:
  void start() {
    busy_ = true;
    asio::post(strand_, [self = shared_from_this()]() {
      std::string out;
      core::Status s = self->next_piece(out);
      core::Result<std::string> piece =
          s ? core::Result<std::string>(std::move(out)) : core::unexpected(s.error());
      const bool verified = self->verified_on_strand_;
      asio::post(self->io_, [self, piece = std::move(piece), verified]() mutable {
        self->ready_ = std::move(piece);
        self->verified = verified;
        self->busy_ = false;
        self->idle_.cancel();
      });
    });
  }

  // On the strand: decompress up to kPiece; at the end, finish and compare with the manifest.
  core::Status next_piece(std::string& out) {
    for (;;) {
      if (out.size() >= kPiece) return core::ok();
      if (pending_.empty() && !eof_) {
        compressed_.resize(kReadSize);
        auto n = object->read(compressed_.data(), compressed_.size());
        if (!n) return core::unexpected(n.error());
        compressed_.resize(*n);
        pending_ = compressed_;
        eof_ = *n == 0;
      }
      const size_t before = out.size();
      const size_t input_before = pending_.size();
      if (auto s = decoder.decode_some(pending_, out, kPiece - out.size()); !s) {
        // Damaged stored bytes (the backup's checksum differs) explain a decoder error.
        return storage::settle_verification(*object, std::move(s));
      }
      if (out.size() != before || pending_.size() != input_before) continue;
      if (eof_) break;
      if (!pending_.empty()) {
        return core::unexpected(core::ErrorCode::Io, "volume data: the decoder stalled");
      }
    }
    if (!out.empty()) return core::ok();
    if (auto s = decoder.finish(); !s) return s;
    if (decoder.size() != expected_size_ || decoder.sha256_hex() != expected_sha256_) {
      return core::unexpected(
          core::ErrorCode::Io,
          "the data read back does not match the backup: " + std::to_string(decoder.size()) +
              " bytes with SHA-256 " + decoder.sha256_hex() + ", the backup recorded " +
              std::to_string(expected_size_) + " bytes with SHA-256 " + expected_sha256_);
    }
    verified_on_strand_ = true;
    return core::ok();
  }

  asio::any_io_executor io_;
  asio::any_io_executor strand_;
  asio::steady_timer idle_;  // cancelled whenever a piece is ready
  bool busy_ = false;
  std::optional<core::Result<std::string>> ready_;
  const uint64_t expected_size_;
  const std::string expected_sha256_;
  std::string compressed_;
  std::string_view pending_;
  bool eof_ = false;
  bool verified_on_strand_ = false;
};

}  // namespace

json restore_wait_container(const std::string& image,
                            const std::vector<catalog::VolumeRecord>& volumes,
                            bool run_as_root) {
  json mounts = json::array();
  for (const auto& v : volumes) {
    mounts.push_back({{"name", v.volume}, {"mountPath", std::string(kRestoresDir) + "/" + v.volume}});
  }
  // The marker lives in the first volume and is removed on the way out, so the restored
  // data has no trace of it. "$0" is the marker path, passed as an argument, not spliced in.
  json container = {
      {"name", hooks::kRestoreWaitContainer},
      {"image", image},
      {"command",
       {"/bin/sh", "-c", "until [ -e \"$0\" ]; do sleep 0.2; done; rm -f \"$0\"",
        marker_path(volumes)}},
      {"volumeMounts", std::move(mounts)}};
  if (run_as_root) {
    // tar as root restores owners and modes exactly (a pod's user could not even set the
    // volume root's mode: GNU tar fails on the "./" entry of a root:fsGroup directory).
    container["securityContext"] = {{"runAsUser", 0}, {"runAsGroup", 0}};
  }
  return container;
}

bool pod_allows_root_helper(const json& pod) {
  const json::json_pointer ptr("/spec/securityContext/runAsNonRoot");
  return !(pod.contains(ptr) && pod.at(ptr) == true);
}

void remove_restore_wait(json& pod) {
  if (!pod.is_object() || !pod.contains("spec") || !pod["spec"].is_object()) return;
  json& spec = pod["spec"];
  if (!spec.contains("initContainers") || !spec["initContainers"].is_array()) return;
  json& list = spec["initContainers"];
  auto helper = [](const json& c) {
    const std::string name = c.is_object() && c.contains("name") && c["name"].is_string()
                                 ? c["name"].get<std::string>()
                                 : "";
    return name == hooks::kRestoreWaitContainer || name == "restic-wait";
  };
  for (auto it = list.begin(); it != list.end();) {
    it = helper(*it) ? list.erase(it) : it + 1;
  }
}

void inject_restore_wait(json& pod, json container) {
  if (!pod.is_object()) return;
  remove_restore_wait(pod);
  json& spec = pod["spec"];
  if (!spec.is_object()) spec = json::object();
  json list = json::array({std::move(container)});
  if (spec.contains("initContainers") && spec["initContainers"].is_array()) {
    for (json& c : spec["initContainers"]) list.push_back(std::move(c));
  }
  spec["initContainers"] = std::move(list);
}

std::vector<catalog::VolumeRecord> volumes_to_restore(
    const json& pod, const std::vector<catalog::VolumeRecord>& records,
    std::vector<std::string>& not_restored) {
  std::vector<catalog::VolumeRecord> out;
  const json::json_pointer ptr("/spec/volumes");
  auto has_volume = [&](const std::string& name) {
    if (!pod.contains(ptr) || !pod.at(ptr).is_array()) return false;
    for (const json& v : pod.at(ptr)) {
      if (v.is_object() && v.value("name", "") == name) return true;
    }
    return false;
  };
  for (const auto& r : records) {
    if (!r.completed()) {
      not_restored.push_back("volume \"" + r.volume +
                             "\" has no data in the backup (its copy failed: " + r.error + ")");
    } else if (!has_volume(r.volume)) {
      not_restored.push_back("volume \"" + r.volume + "\" is not in the pod's spec");
    } else {
      out.push_back(r);
    }
  }
  return out;
}

void PodVolumeRestorer::stop() {
  stop_.stop();
}

// "" once restore-wait runs; otherwise why it will not.
asio::awaitable<std::string> PodVolumeRestorer::wait_for_helper(const std::string& ns,
                                                                const std::string& name) {
  const auto deadline = env_.clock.now() + wait_;
  for (;;) {
    if (stop_.stopped()) co_return "the restore was interrupted";
    auto current = co_await env_.cluster.get(kPodsResource, ns, name);
    if (!current) {
      if (current.error().code == core::ErrorCode::NotFound) co_return "the pod was deleted";
      co_return "reading the pod failed: " + current.error().message;
    }
    if (auto blocked = co_await unbindable_claim(env_.cluster, *current)) {
      co_return "it cannot start: " + *blocked;
    }
    if (auto pod = hooks::pod_from_json(*current, ns + "/" + name)) {
      const auto it = pod->container_statuses.find(hooks::kRestoreWaitContainer);
      if (it != pod->container_statuses.end()) {
        if (it->second.running) co_return "";
        if (it->second.state == "terminated") {
          co_return "its restore-wait init container ended before the data was restored";
        }
      }
    }
    const auto now = env_.clock.now();
    if (now >= deadline) {
      const auto scheduler = unschedulable_message(*current);
      co_return "its restore-wait init container did not start within " +
                core::format_go_duration(wait_) +
                (scheduler ? "; the pod is unschedulable: " + *scheduler : "");
    }
    const auto left = std::chrono::duration_cast<core::Duration>(deadline - now);
    const auto watch_limit =
        std::chrono::duration_cast<std::chrono::seconds>(left) + std::chrono::seconds(1);
    std::string rv = resource_version_of(*current);
    std::string n = ns;
    std::string p = name;
    (void)co_await (next_pod_change(env_.cluster, n, p, rv, watch_limit) ||
                    env_.clock.sleep_for(left) || stop_.wait());
  }
}

asio::awaitable<VolumeRestoreResult> PodVolumeRestorer::copy_volume(
    const std::string& ns, const std::string& pod, const catalog::VolumeRecord& record) {
  VolumeRestoreResult result;
  result.volume = record.volume;
  const std::string what = "volume \"" + record.volume + "\"";
  asio::any_io_executor strand = asio::make_strand(env_.pool);

  auto in = std::make_shared<VolumeReader>(co_await asio::this_coro::executor, strand, record);
  auto opened = co_await core::async::offload(strand, [&]() -> core::Status {
    auto r = env_.store.get(record.key);
    if (!r) return core::unexpected(r.error());
    in->object = std::move(*r);
    return core::ok();
  });
  if (!opened) {
    result.error = what + ": its data cannot be read from the backup location: " +
                   opened.error().message;
    co_return result;
  }

  hooks::ExecRequest request;
  request.namespace_name = ns;
  request.pod = pod;
  request.container = hooks::kRestoreWaitContainer;
  // `head -c SIZE` ends tar's input after exactly the backed-up tar bytes, so nothing waits for
  // stdin to be closed: a server speaking only v4.channel.k8s.io (every cluster before 1.30;
  // seen on 1.20) has no way to close it. The helper image already needs sh (restore-wait's
  // own command); head is in busybox and coreutils.
  request.command = {"/bin/sh", "-c", "head -c \"$0\" | tar -C \"$1\" -xf -",
                     std::to_string(record.size),
                     std::string(kRestoresDir) + "/" + record.volume};
  request.stdin_self_delimited = true;
  request.output_limit = 16 * 1024;
  std::optional<core::Error> source_error;
  request.stdin_source = [&]() -> asio::awaitable<core::Result<std::string>> {
    auto piece = co_await in->next();
    if (!piece) source_error = piece.error();
    if (piece && env_.bytes_copied != nullptr) *env_.bytes_copied += piece->size();
    co_return piece;
  };
  auto ran = co_await env_.exec.exec(std::move(request));
  if (!ran || ran->exit_code != 0) {
    // The source's own error (a mismatch, a damaged object, a truncated stream) says more
    // than tar's.
    if (source_error) {
      result.error = what + ": " + source_error->message;
    } else if (!ran && ran.error().code == core::ErrorCode::Io) {
      result.error = what + ": " + ran.error().message;
    } else {
      result.error = what + ": " + hooks::tar_failure(hooks::kRestoreWaitContainer, "write", ran);
    }
    co_return result;
  }
  co_await in->settle();
  if (!in->verified) {
    result.error = what + ": tar finished before all of the data was delivered";
    co_return result;
  }
  result.ok = true;
  result.bytes = in->decoder.size();
  co_return result;
}

asio::awaitable<PodVolumesOutcome> PodVolumeRestorer::run(
    std::string ns, std::string pod, std::vector<catalog::VolumeRecord> volumes) {
  PodVolumesOutcome outcome;
  const std::string who = "pod " + ns + "/" + pod;
  const std::string held =
      "; the pod is held in its restore-wait init container so that it never starts on "
      "missing or damaged data";
  if (volumes.empty()) {
    outcome.released = true;
    co_return outcome;
  }
  if (std::string why = co_await wait_for_helper(ns, pod); !why.empty()) {
    outcome.error = who + ": volume data not restored: " + why;
    co_return outcome;
  }
  bool all_ok = true;
  for (const auto& record : volumes) {
    VolumeRestoreResult r = co_await copy_volume(ns, pod, record);
    all_ok = all_ok && r.ok;
    outcome.volumes.push_back(std::move(r));
    if (!all_ok) break;  // the pod stays held: the rest would not be used
  }
  if (!all_ok) {
    outcome.error = who + ": " + outcome.volumes.back().error + held;
    co_return outcome;
  }
  hooks::ExecRequest release;
  release.namespace_name = ns;
  release.pod = pod;
  release.container = hooks::kRestoreWaitContainer;
  release.command = {"touch", marker_path(volumes)};
  auto released = co_await env_.exec.exec(std::move(release));
  if (!released || released->exit_code != 0) {
    outcome.error = who + ": volume data restored, but restore-wait could not be released: " +
                    (released ? "touch exited with code " + std::to_string(released->exit_code)
                              : released.error().message);
    co_return outcome;
  }
  outcome.released = true;
  co_return outcome;
}

}  // namespace stillpoint::restore
