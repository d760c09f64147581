// The hook protocol around one ItemBlock (../shared/spec/hooks.md §3): pre hooks of every pod
// in block order, then the block's items, then post hooks — and the guarantee that keeps an
// application from staying frozen: once a pod's pre phase has begun, its post hooks run on
// every path (after a pre failure in either mode, after an item error, after cancellation),
// each still bounded by its own timeout. Without interruption every pod of the block gets
// its post hooks after the items, as in Velero; when interrupted, the pods whose pre hooks
// had started do.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "core/result.h"
#include "hooks/hook_runner.h"

namespace stillpoint::hooks {

struct BlockPod {
  const Pod* pod;              // must outlive the call
  const PodBackupPlan* plan;   // must outlive the call
};

struct BlockHookOutcome {
  std::vector<std::string> pods_not_backed_up;  // "ns/name": a Fail-mode pre hook failed
  bool hook_failed = false;
  core::Status items = core::ok();  // what the items step returned
};

// Backs up the block's items; gets the pods ("ns/name") whose JSON and volume data must not be
// written. Its error is reported in BlockHookOutcome::items; post hooks run regardless.
using ItemsStep =
    std::function<boost::asio::awaitable<core::Status>(std::vector<std::string> excluded_pods)>;

// If the awaiting operation is cancelled, cancellation stops the pre hooks and the items
// step, then is shut out while post hooks run; the call then rethrows the cancellation.
boost::asio::awaitable<BlockHookOutcome> run_item_block(HookRunner& runner,
                                                        std::vector<BlockPod> pods,
                                                        ItemsStep items);

}  // namespace stillpoint::hooks
