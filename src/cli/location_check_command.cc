// `stillpoint location check [--storage ...]`: can backups be written to and read from this
// location? (storage/location_check.h does the work.) Exit 0 when every step passed, 1 with
// each failure's reason otherwise, 2 for bad flags or a location that cannot be opened (no
// credentials, a bad bucket name, an unreadable --s3-ca-file).
#include <cmath>
#include <cstdio>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "cli/storage_flags.h"
#include "storage/location_check.h"

namespace stillpoint::cli {
namespace {

struct CheckOptions {
  StorageFlags storage;
  std::string output = "text";
};

int run_check(const CheckOptions& options) {
  auto store = open_storage(options.storage);
  if (!store) {
    std::fprintf(stderr, "error: %s\n", store.error().message.c_str());
    return kExitUsage;
  }
  const storage::LocationReport report = storage::check_location(**store);
  if (options.output == "json") {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& step : report.steps) {
      steps.push_back({{"name", step.name},
                       {"ok", step.ok},
                       {"warning", step.warning},
                       {"detail", step.detail},
                       {"durationMs", std::lround(step.duration_ms * 10) / 10.0}});
    }
    const nlohmann::json out = {{"location", report.location}, {"ok", report.ok()}, {"checks", steps}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("Location: %s\n", report.location.c_str());
    for (const auto& step : report.steps) {
      const char* mark = !step.ok ? "FAIL" : step.warning ? "WARN" : "ok";
      std::printf("  %-4s  %-12s %-7s %s\n", mark, step.name.c_str(),
                  (std::to_string(std::lround(step.duration_ms)) + "ms").c_str(),
                  step.detail.c_str());
    }
    std::printf("%s\n", report.ok() ? "Backups can be written to and read from this location."
                                    : "This location cannot hold backups (see FAIL above).");
  }
  return report.ok() ? kExitOk : kExitFailed;
}

}  // namespace

void add_location_commands(CLI::App& app, Action& action) {
  CLI::App* location = app.add_subcommand("location", "Backup locations");
  location->require_subcommand(1);
  auto options = std::make_shared<CheckOptions>();
  CLI::App* check = location->add_subcommand(
      "check",
      "Verify a backup location: list its backups, write, read back and delete a probe "
      "object; for S3, count multipart uploads left open");
  add_storage_flags(*check, options->storage);
  check->add_option("-o,--output", options->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  check->callback([options, &action] { action = [options] { return run_check(*options); }; });
}

}  // namespace stillpoint::cli
