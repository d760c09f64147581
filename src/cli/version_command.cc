#include <cstdio>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

#ifndef STILLPOINT_VERSION
#define STILLPOINT_VERSION "0.0.0"
#endif

namespace stillpoint::cli {

void add_version_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("version", "Print stillpoint's version");
  cmd->callback([&action] {
    action = [] {
      std::printf("stillpoint %s\n", STILLPOINT_VERSION);
      return kExitOk;
    };
  });
}

}  // namespace stillpoint::cli
