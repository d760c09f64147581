#include "restore/pod_exec_hooks.h"

#include <algorithm>
#include <optional>
#include <variant>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/go_duration.h"
#include "restore/pod_scheduling.h"
#include "restore/pod_watch.h"

namespace stillpoint::restore {
namespace {

namespace asio = boost::asio;
using namespace asio::experimental::awaitable_operators;
using hooks::Clock;
using hooks::HookRecord;
using hooks::HookResult;
using hooks::PlannedRestoreExecHook;
using nlohmann::json;

const kube::GroupVersionResource& kPods = kPodsResource;

struct Group {
  std::string container;
  std::vector<PlannedRestoreExecHook> hooks;
  bool needs_ready = false;
  Clock::TimePoint deadline;
};

HookRecord not_executed(const hooks::Pod& pod,
                        const PlannedRestoreExecHook& h,
                        const std::string& reason,
                        Clock::TimePoint now) {
  HookRecord r;
  r.namespace_name = pod.namespace_name;
  r.pod = pod.name;
  r.container = h.container;
  r.phase = "post";
  r.name = h.name;
  r.source = h.source;
  r.index = h.index;
  r.result = HookResult::NotExecuted;
  r.start = r.completion = now;
  r.error = "hook " + h.name + " in container " + h.container + " in pod " + pod.key() +
            " not executed: " + reason;
  return r;
}

bool is_up(const hooks::Pod& pod, const Group& g) {
  const auto it = pod.container_statuses.find(g.container);
  if (it == pod.container_statuses.end()) return false;
  return g.needs_ready ? it->second.ready : it->second.running;
}

}  // namespace

hooks::PlannedExecHook as_exec_hook(const hooks::PlannedRestoreExecHook& h) {
  hooks::PlannedExecHook e;
  e.name = h.name;
  e.source = h.source;
  e.index = h.index;
  e.container = h.container;
  e.command = h.command;
  e.on_error = h.on_error;
  e.timeout = h.exec_timeout;
  return e;
}

void PodExecHooks::give_up(const hooks::Pod& pod, const hooks::PodRestorePlan& plan,
                           const std::string& reason) {
  const auto now = clock_.now();
  for (const auto& h : plan.exec) tracker_.record(not_executed(pod, h, reason, now));
}

void PodExecHooks::stop() {
  stop_.stop();
}

asio::awaitable<PodHooksOutcome> PodExecHooks::run(hooks::Pod pod,
                                                   hooks::PodRestorePlan plan,
                                                   Clock::TimePoint created_at) {
  PodHooksOutcome outcome;
  // The plan already made an unset waitTimeout the restore's limit; an explicit one is kept,
  // longer or not (docs/hooks.md: waits are not capped, as in Velero). Either way finite.
  auto wait_of = [&](const PlannedRestoreExecHook& h) {
    return created_at + (h.wait_timeout > core::Duration::zero() ? h.wait_timeout : wait_limit_);
  };
  // Hooks on a container the pod does not have can never run: fail them now, not after a wait.
  std::vector<Group> groups;
  for (auto& h : plan.exec) {
    if (!pod.has_container(h.container)) {
      HookRecord r = not_executed(pod, h, "", clock_.now());
      r.result = HookResult::Failed;
      r.error = "hook " + h.name + " in pod " + pod.key() + ": no such container: \"" +
                h.container + "\"";
      tracker_.record(std::move(r));
      outcome.failed = true;
      continue;
    }
    if (groups.empty() || groups.back().container != h.container) {
      groups.push_back(Group{h.container, {}, false, created_at});
    }
    Group& g = groups.back();
    g.needs_ready = g.needs_ready || h.wait_for_ready;
    g.deadline = std::max(g.deadline, wait_of(h));
    g.hooks.push_back(std::move(h));
  }
  auto give_up_all = [&](const std::string& reason) {
    for (const Group& g : groups) {
      for (const auto& h : g.hooks) tracker_.record(not_executed(pod, h, reason, clock_.now()));
    }
    if (!groups.empty()) outcome.failed = true;
    groups.clear();
  };

  std::string rv;
  bool need_read = true;
  while (!groups.empty()) {
    if (stop_.stopped()) {
      give_up_all("the restore was interrupted");
      break;
    }
    if (need_read) {
      auto current = co_await cluster_.get(kPods, pod.namespace_name, pod.name);
      if (!current) {
        if (current.error().code == core::ErrorCode::NotFound) {
          give_up_all("the pod was deleted");
          break;
        }
        // A transient error: try again shortly, within the waits.
      } else {
        if (auto blocked = co_await unbindable_claim(cluster_, *current)) {
          give_up_all("the pod cannot start: " + *blocked);
          break;
        }
        auto decoded = hooks::pod_from_json(*current, pod.key());
        if (decoded) pod = std::move(*decoded);
        rv = resource_version_of(*current);
        need_read = false;
      }
    }
    if (pod.phase == "Succeeded" || pod.phase == "Failed") {
      give_up_all("the pod entered phase " + pod.phase + " before its hooks ran");
      break;
    }
    // Containers that are up run their hooks, in the order the plan grouped them.
    bool ran = false;
    for (auto it = groups.begin(); it != groups.end();) {
      if (!need_read && is_up(pod, *it)) {
        std::vector<hooks::PlannedExecHook> runnable;
        const auto now = clock_.now();
        for (const auto& h : it->hooks) {
          if (now > wait_of(h)) {
            tracker_.record(not_executed(
                pod, h,
                "container came up after the hook's waitTimeout (" +
                    core::format_go_duration(std::chrono::duration_cast<core::Duration>(
                        wait_of(h) - created_at)) +
                    ")",
                now));
            outcome.failed = true;
          } else {
            runnable.push_back(as_exec_hook(h));
          }
        }
        const hooks::PhaseOutcome phase =
            co_await runner_.run_backup_phase(pod, hooks::HookPhase::Post, runnable);
        it = groups.erase(it);
        ran = true;
        // onError: Fail stops that container's later hooks (the runner records them
        // NotExecuted); other containers' hooks still run (docs/hooks.md).
        if (phase.failed) outcome.failed = true;
      } else {
        ++it;
      }
    }
    if (ran) {
      need_read = true;  // time passed while hooks ran
      continue;
    }
    // Waits that ran out.
    const auto now = clock_.now();
    for (auto it = groups.begin(); it != groups.end();) {
      if (now >= it->deadline) {
        const std::string reason =
            "container did not become " + std::string(it->needs_ready ? "ready" : "running") +
            " within " + core::format_go_duration(std::chrono::duration_cast<core::Duration>(
                             it->deadline - created_at));
        for (const auto& h : it->hooks) tracker_.record(not_executed(pod, h, reason, now));
        outcome.failed = true;
        it = groups.erase(it);
      } else {
        ++it;
      }
    }
    if (groups.empty()) break;
    Clock::TimePoint next_deadline = groups.front().deadline;
    for (const Group& g : groups) next_deadline = std::min(next_deadline, g.deadline);
    const auto left = std::chrono::duration_cast<core::Duration>(next_deadline - now);
    if (need_read) {
      co_await clock_.sleep_for(std::min<core::Duration>(left, std::chrono::seconds(1)));
      continue;
    }
    const auto watch_limit = std::chrono::duration_cast<std::chrono::seconds>(left) +
                             std::chrono::seconds(1);
    std::string ns = pod.namespace_name;
    std::string name = pod.name;
    std::variant<std::optional<PodChange>, std::monostate, std::monostate> result =
        co_await (next_pod_change(cluster_, ns, name, rv, watch_limit) || clock_.sleep_for(left) ||
                  stop_.wait());
    if (result.index() != 0) continue;  // a wait ran out, or stop(): handled at the top
    auto& change = std::get<0>(result);
    if (!change) {
      // The watch failed (e.g. 410 Gone): read the pod again and watch from there.
      need_read = true;
      co_await clock_.sleep_for(std::min<core::Duration>(left, std::chrono::milliseconds(200)));
      continue;
    }
    if (change->deleted) {
      give_up_all("the pod was deleted");
      break;
    }
    if (auto blocked = co_await unbindable_claim(cluster_, change->object)) {
      give_up_all("the pod cannot start: " + *blocked);
      break;
    }
    if (auto decoded = hooks::pod_from_json(change->object, pod.key())) pod = std::move(*decoded);
    rv = resource_version_of(change->object);
  }
  co_return outcome;
}

}  // namespace stillpoint::restore
