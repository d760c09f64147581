#include "hooks/item_block_hooks.h"

#include <exception>
#include <memory>

#include <boost/asio/this_coro.hpp>

namespace stillpoint::hooks {

namespace asio = boost::asio;

asio::awaitable<BlockHookOutcome> run_item_block(HookRunner& runner,
                                                 std::vector<BlockPod> pods,
                                                 ItemsStep items) {
  BlockHookOutcome outcome;
  // Heap-held flags: run_backup_phase sets them through a pointer while it is suspended.
  std::unique_ptr<bool[]> pre_started(new bool[pods.size()]());
  std::exception_ptr interrupted;
  try {
    for (size_t i = 0; i < pods.size(); ++i) {
      const PhaseOutcome pre = co_await runner.run_backup_phase(
          *pods[i].pod, HookPhase::Pre, pods[i].plan->pre, &pre_started[i]);
      outcome.hook_failed = outcome.hook_failed || pre.failed;
      if (pre.stopped) {
        outcome.pods_not_backed_up.push_back(pods[i].pod->key());
      }
    }
    outcome.items = co_await items(outcome.pods_not_backed_up);
  } catch (...) {
    interrupted = std::current_exception();
  }
  // From here on nothing may stop us: a frozen application must be thawed. Each post hook is
  // still bounded by its own timeout.
  co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
  for (size_t i = 0; i < pods.size(); ++i) {
    // Normally every pod gets its post hooks after the items. When interrupted, only pods
    // that may have been quiesced do: those where a pre hook started.
    if (interrupted && !pre_started[i]) {
      continue;
    }
    const PhaseOutcome post =
        co_await runner.run_backup_phase(*pods[i].pod, HookPhase::Post, pods[i].plan->post);
    outcome.hook_failed = outcome.hook_failed || post.failed;
  }
  if (interrupted) {
    std::rethrow_exception(interrupted);
  }
  co_return outcome;
}

}  // namespace stillpoint::hooks
