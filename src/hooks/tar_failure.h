// What went wrong when stillpoint ran tar in a pod's container to copy a volume's data out
// (backup) or in (restore): the container has no tar, the exec failed, or tar exited non-zero.
#pragma once

#include <string>

#include "core/result.h"
#include "hooks/pod_exec.h"

namespace stillpoint::hooks {

// `action` is "read" or "write". A missing tar shows as exit code 126/127 without output, or
// as the runtime's "executable file not found" in the exec error or stderr.
std::string tar_failure(const std::string& container, const std::string& action,
                        const core::Result<ExecResult>& result);

}  // namespace stillpoint::hooks
