#include <algorithm>
#include <cstdio>
#include <exception>
#include <iostream>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"

namespace stillpoint::cli {
namespace {

// The command words of argv down to the first one that is not a command at its level ("server",
// "hooks frob"), or nullopt when every word down to a leaf command is known (the rest of argv
// is the leaf's own arguments, for CLI11 to judge). CLI11 alone would answer an unknown word
// with "A subcommand is required", or print the top-level help for `server --help`.
std::optional<std::string> unknown_command(CLI::App& app, int argc, char** argv) {
  CLI::App* level = &app;
  std::string words;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto commands = level->get_subcommands([](CLI::App*) { return true; });
    if (arg == "--" || commands.empty()) {
      return std::nullopt;
    }
    if (arg.size() > 1 && arg[0] == '-') {
      // Command groups take flags only (--help, --help-all); should one ever take a value,
      // that value is not a command word.
      const auto eq = arg.find('=');
      const CLI::Option* option = level->get_option_no_throw(arg.substr(0, eq));
      if (option != nullptr && option->get_expected_max() > 0 && eq == std::string::npos) {
        ++i;
      }
      continue;
    }
    words += (words.empty() ? "" : " ") + arg;
    const auto known = std::find_if(commands.begin(), commands.end(),
                                    [&arg](const CLI::App* c) { return c->check_name(arg); });
    if (known == commands.end()) {
      return words;
    }
    level = *known;
  }
  return std::nullopt;
}

}  // namespace

int run(int argc, char** argv) {
  CLI::App app{
      "stillpoint takes application-consistent backups of Kubernetes workloads: it runs hooks "
      "inside pod containers to quiesce applications around the moment their data is "
      "captured, reading Velero's hook annotations and Backup/Restore specs unchanged.\n\n"
      "Exit codes: 0 ok, 1 failed (or problems found), 2 usage, 130 interrupted.",
      "stillpoint"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every command");
  app.failure_message(CLI::FailureMessage::help);

  using AddCommand = void (*)(CLI::App&, Action&);
  static constexpr AddCommand kCommands[] = {
      add_backup_commands, add_restore_commands,  add_schedule_commands, add_cluster_commands,
      add_location_commands, add_server_command, add_hooks_commands, add_install_command,
      add_version_command};
  Action action;
  for (AddCommand add : kCommands) {
    add(app, action);
  }
  if (auto unknown = unknown_command(app, argc, argv)) {
    const auto space = unknown->rfind(' ');
    const std::string group =
        space == std::string::npos ? "stillpoint" : "stillpoint " + unknown->substr(0, space);
    std::fprintf(stderr, "error: unknown command '%s'\nSee '%s --help' for the commands.\n",
                 unknown->c_str(), group.c_str());
    return kExitUsage;
  }
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitUsage;
  }
  try {
    return action ? action() : kExitUsage;
  } catch (const std::exception& e) {
    // Last resort: library code reports errors as values; anything thrown is a bug.
    std::fprintf(stderr, "stillpoint: internal error: %s\n", e.what());
    return kExitFailed;
  }
}

}  // namespace stillpoint::cli
