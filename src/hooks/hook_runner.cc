#include "hooks/hook_runner.h"

#include <exception>
#include <optional>
#include <variant>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/this_coro.hpp>

#include "core/text.h"
#include "hooks/timed_out_command.h"

namespace stillpoint::hooks {
namespace {

using boost::asio::awaitable;
using namespace boost::asio::experimental::awaitable_operators;

// The awaitable operators need default-constructible results; Result<T> is not.
awaitable<std::optional<core::Result<ExecResult>>> exec_once(PodExec& exec, ExecRequest request) {
  co_return co_await exec.exec(std::move(request));
}

HookRecord base_record(const Pod& pod, HookPhase phase, const PlannedExecHook& hook) {
  HookRecord r;
  r.namespace_name = pod.namespace_name;
  r.pod = pod.name;
  r.container = hook.container;
  r.phase = to_string(phase);
  r.name = hook.name;
  r.source = hook.source;
  r.index = hook.index;
  return r;
}

// Why a hook cannot run on this pod now, if it cannot.
std::optional<std::string> skip_reason(const Pod& pod, const std::string& container) {
  if (pod.phase != "Running") {
    return "pod phase is " + (pod.phase.empty() ? std::string("unknown") : pod.phase) +
           ", not Running";
  }
  const auto it = pod.container_statuses.find(container);
  if (it != pod.container_statuses.end() && !it->second.running) {
    return "container " + core::go_quote(container) + " is not running";
  }
  return std::nullopt;
}

}  // namespace

awaitable<HookRecord> HookRunner::run_one(const Pod& pod,
                                          HookPhase phase,
                                          const PlannedExecHook& hook) {
  HookRecord r = base_record(pod, phase, hook);
  r.start = r.completion = clock_.now();
  if (auto why = skip_reason(pod, hook.container)) {
    r.result = HookResult::Skipped;
    r.error = *why;
    co_return r;
  }
  r.result = HookResult::Failed;
  if (!pod.has_container(hook.container)) {
    r.error = "no such container: " + core::go_quote(hook.container);
    co_return r;
  }
  if (hook.command.empty()) {
    r.error = "command is required";
    co_return r;
  }
  ExecRequest request;
  request.namespace_name = pod.namespace_name;
  request.pod = pod.name;
  request.container = hook.container;
  request.command = hook.command;
  request.output_limit = output_limit_;
  ExecRequest stop_target = request;  // where to stop the command if it times out
  std::variant<std::optional<core::Result<ExecResult>>, std::monostate> outcome;
  // For progress displays: hooks whose command is running right now.
  struct Running {
    std::atomic<size_t>& n;
    explicit Running(std::atomic<size_t>& c) : n(c) { ++n; }
    ~Running() { --n; }
  } running(running_);
  // When the exec was requested: a timed-out hook's process is looked for by its start time.
  const Clock::TimePoint exec_started = clock_.now();
  try {
    outcome = co_await (exec_once(exec_, std::move(request)) || clock_.sleep_for(hook.timeout));
  } catch (const std::exception& e) {
    r.completion = clock_.now();
    r.error = std::string("exec failed: ") + e.what();
    co_return r;
  }
  r.completion = clock_.now();
  if (outcome.index() == 1) {
    // The exec coroutine lost the race and was cancelled, which closed its stream. On a real
    // cluster that leaves the command running (timed_out_command.h), so it is stopped by a
    // second exec — unless the whole run is being interrupted, when nothing new may start.
    r.error = "timed out after " + core::format_go_duration(hook.timeout) + "; ";
    const auto cancel = co_await boost::asio::this_coro::cancellation_state;
    if (cancel.cancelled() != boost::asio::cancellation_type::none) {
      StopOutcome interrupted;
      interrupted.reason = "interrupted before it could be stopped";
      r.error += describe(interrupted);
      co_return r;
    }
    const StopOutcome stop =
        co_await stop_timed_out_command(exec_, clock_, std::move(stop_target), exec_started);
    r.error += describe(stop);
    co_return r;
  }
  const auto& result = *std::get<0>(outcome);
  if (!result) {
    r.error = result.error().message;
    co_return r;
  }
  r.exit_code = result->exit_code;
  r.stdout_data = result->stdout_data + (result->stdout_truncated ? "\n[truncated]" : "");
  r.stderr_data = result->stderr_data + (result->stderr_truncated ? "\n[truncated]" : "");
  if (result->exit_code != 0) {
    r.error = "command terminated with exit code " + std::to_string(result->exit_code);
    co_return r;
  }
  r.result = HookResult::Succeeded;
  co_return r;
}

awaitable<PhaseOutcome> HookRunner::run_backup_phase(const Pod& pod,
                                                     HookPhase phase,
                                                     const std::vector<PlannedExecHook>& hooks,
                                                     bool* started) {
  PhaseOutcome outcome;
  for (const auto& hook : hooks) {
    if (started != nullptr) {
      *started = true;
    }
    if (outcome.stopped) {
      HookRecord r = base_record(pod, phase, hook);
      r.start = r.completion = clock_.now();
      r.result = HookResult::NotExecuted;
      r.error = "not executed: an earlier hook with onError Fail failed";
      tracker_.record(std::move(r));
      continue;
    }
    HookRecord r = co_await run_one(pod, phase, hook);
    if (r.result == HookResult::Failed) {
      outcome.failed = true;
      outcome.stopped = hook.on_error == OnError::Fail;
    }
    tracker_.record(std::move(r));
  }
  co_return outcome;
}

}  // namespace stillpoint::hooks
