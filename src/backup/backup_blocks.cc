// The ItemBlock half of BackupRunner (backup_runner_state.h): a worker takes blocks one at a
// time and runs pre hooks, the pods' items and volume data, and post hooks around them.
#include "backup/backup_runner.h"

#include <algorithm>

#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>

#include "backup/backup_runner_state.h"
#include "backup/pod_volume_backup.h"
#include "core/json_fields.h"
#include "hooks/item_block_hooks.h"

namespace stillpoint::backup {

namespace asio = boost::asio;
using core::string_at;
using nlohmann::json;

asio::awaitable<void> BackupRunner::block_worker(size_t) {
  State& st = *state_;
  while (!interrupted_ && st.next_block < st.blocks.size()) {
    const BlockLayout& layout = st.blocks[st.next_block++];
    std::vector<hooks::BlockPod> pods;
    for (size_t i : layout.pods) {
      pods.push_back({&st.collected[i].pod, &st.collected[i].plan});
    }
    auto items = [this, &st, &layout](std::vector<std::string> excluded)
        -> asio::awaitable<core::Status> {
      for (size_t i : layout.pods) {
        const CollectedPod& c = st.collected[i];
        if (std::find(excluded.begin(), excluded.end(), c.pod.key()) != excluded.end()) {
          st.log->error("pod not backed up: a pre hook with onError Fail failed",
                        {{"namespace", c.pod.namespace_name}, {"pod", c.pod.name}});
          continue;
        }
        if ((co_await asio::this_coro::cancellation_state).cancelled() !=
            asio::cancellation_type::none) {
          co_return interrupted_status();
        }
        archive::ItemKey key{"pods", "", st.pods->gvr.version, c.pod.namespace_name, c.pod.name};
        std::string text = c.json;
        std::string kind_key = "v1/Pod";
        auto s = co_await st.sink->add(std::move(key), std::move(text), std::move(kind_key));
        if (!s) co_return s;
        ++progress_.items_backed_up;
        if (auto v = co_await back_up_volumes(c); !v) co_return v;
      }
      for (const std::string& claim_key : layout.claims) {
        if (auto s = co_await write_claim(claim_key); !s) co_return s;
      }
      co_return core::ok();
    };
    std::vector<std::string> hooked;
    for (size_t i : layout.pods) {
      const CollectedPod& c = st.collected[i];
      if (!c.plan.pre.empty() || !c.plan.post.empty()) hooked.push_back(c.pod.key());
    }
    const bool record = env_.hook_window && !hooked.empty();
    if (record) co_await env_.hook_window(hooked, true);
    try {
      hooks::BlockHookOutcome outcome =
          co_await hooks::run_item_block(*st.runner, std::move(pods), items);
      if (!outcome.items && outcome.items.error().code != core::ErrorCode::Cancelled) {
        ++st.item_errors;
        st.log->error("items of a block not backed up: " + outcome.items.error().message);
      }
    } catch (const std::exception& e) {
      // Cancellation (interrupt()) surfaces as an exception once the post hooks have run.
      if (!interrupted_) {
        ++st.item_errors;
        st.log->error(std::string("block failed: ") + e.what());
      }
    }
    if (record) {
      // The post hooks have run: the window closes even when interrupted (the worker then
      // stops, so shutting cancellation out here costs nothing).
      if ((co_await asio::this_coro::cancellation_state).cancelled() !=
          asio::cancellation_type::none) {
        co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
      }
      co_await env_.hook_window(std::move(hooked), false);
    }
    ++progress_.blocks_done;
  }
}

// The pod's selected volumes, one after another, while its pre hooks' effect holds.
asio::awaitable<core::Status> BackupRunner::back_up_volumes(const CollectedPod& c) {
  State& st = *state_;
  if (c.plan.volumes.empty()) co_return core::ok();
  const json where = {{"namespace", c.pod.namespace_name}, {"pod", c.pod.name}};
  if (c.pod.phase != "Running") {
    st.log->warning("pod volume data not copied: the pod is " +
                        (c.pod.phase.empty() ? std::string("not running") : c.pod.phase),
                    where);
    co_return core::ok();
  }
  for (const hooks::PodVolume& v : c.plan.volumes) {
    VolumeBackupContext ctx{env_.exec, env_.clock, env_.store, env_.pool, request_.name,
                            std::chrono::duration_cast<core::Duration>(request_.volume_timeout),
                            &progress_.volume_bytes};
    ++progress_.volumes_running;
    VolumeBackupOutcome outcome =
        co_await back_up_pod_volume(ctx, c.pod.namespace_name, c.pod.name, v);
    --progress_.volumes_running;
    const catalog::VolumeRecord& r = outcome.record;
    json fields = where;
    fields["volume"] = r.volume;
    if (r.completed()) {
      fields["bytes"] = r.size;
      fields["sha256"] = r.sha256;
      st.log->info("pod volume backed up", fields);
    } else {
      fields["error"] = r.error;
      st.log->error("pod volume not backed up", fields);
    }
    st.volume_records.push_back(r);
    if (!outcome.storage_error) {
      if (st.storage) st.storage = outcome.storage_error;
      // Stop everything (post hooks still run); posted, since interrupt() cancels this worker.
      asio::post(co_await asio::this_coro::executor, [this] { interrupt(); });
      co_return outcome.storage_error;
    }
  }
  co_return core::ok();
}

// A claim ("ns/name") and the volume bound to it, each written at most once: claims shared
// by several pods, and volumes reached again after the blocks, are not duplicated.
asio::awaitable<core::Status> BackupRunner::write_claim(const std::string& key) {
  State& st = *state_;
  auto claim = st.claims.find(key);
  if (claim == st.claims.end() || !st.claims_written.insert(key).second) co_return core::ok();
  if (auto s = co_await add_item(claim->second, *st.pvcs); !s) co_return s;
  const std::string volume = string_at(claim->second, json::json_pointer("/spec/volumeName"));
  auto pv = st.volumes.find(volume);
  if (pv == st.volumes.end() || !st.volumes_written.insert(volume).second) co_return core::ok();
  co_return co_await add_item(pv->second, *st.pvs);
}

// Claims no backed-up pod mounts, and (with cluster resources on) volumes no written claim is
// bound to: backed up after the blocks, as plain items.
asio::awaitable<core::Status> BackupRunner::write_leftover_volumes() {
  State& st = *state_;
  for (const auto& entry : st.claims) {
    if (interrupted_) co_return interrupted_status();
    if (auto s = co_await write_claim(entry.first); !s) co_return s;
  }
  if (st.pvs && st.pv_keep == SelectedResource::Keep::All) {
    for (const auto& [name, volume] : st.volumes) {
      if (interrupted_) co_return interrupted_status();
      if (st.volumes_written.count(name)) continue;
      st.volumes_written.insert(name);
      if (auto s = co_await add_item(volume, *st.pvs); !s) co_return s;
    }
  }
  co_return core::ok();
}


}  // namespace stillpoint::backup
