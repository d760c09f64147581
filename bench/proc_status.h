// Peak RSS of a process as the kernel keeps it: VmHWM from /proc/<pid>/status, in KiB (0 when
// the process is gone). The benches poll it for child processes because wait4's ru_maxrss
// would count the parent's pages too (a posix_spawn/vfork child starts on them).
#pragma once

#include <cstdlib>
#include <fstream>
#include <string>

namespace stillpoint::bench {

// `pid` is a number or "self".
inline long vm_hwm_kib(const std::string& pid) {
  std::ifstream proc("/proc/" + pid + "/status");
  for (std::string line; std::getline(proc, line);) {
    if (line.rfind("VmHWM:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return 0;
}

}  // namespace stillpoint::bench
