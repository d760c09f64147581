// The hook runner's clock is core's (core/async/clock.h), shared with the kube transport's retry
// pauses; these names keep hooks::Clock and hooks::SteadyClock for the hooks, backup, restore
// and cli code that uses them.
#pragma once

#include "core/async/clock.h"

namespace stillpoint::hooks {

using core::Clock;
using core::SteadyClock;

}  // namespace stillpoint::hooks
