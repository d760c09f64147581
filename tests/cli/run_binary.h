// Runs the real stillpoint binary as a user would, capturing exit code, stdout and stderr.
// CLI tests drive the binary (not the library) so that argument parsing, exit codes and
// output formats are tested end to end.
#pragma once

#include <string>
#include <vector>

namespace stillpoint::testing {

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `binary args...` with `stdin_data` on standard input, in the current directory.
RunResult run_binary(const std::string& binary,
                     const std::vector<std::string>& args,
                     const std::string& stdin_data = {});

}  // namespace stillpoint::testing
