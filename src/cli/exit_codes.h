// Named exit codes, the same for every command (scripts branch on them).
#pragma once

namespace stillpoint::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;       // the work failed, or lint found problems
inline constexpr int kExitUsage = 2;        // bad flags or arguments
inline constexpr int kExitInterrupted = 130;  // SIGINT/SIGTERM

}  // namespace stillpoint::cli
