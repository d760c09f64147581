// `stillpoint schedule get [NAME...]` and `schedule describe NAME`: Schedules as the server
// left them (phase, last backup, validation errors), and for describe the Backup objects
// made from the schedule (label velero.io/schedule-name), newest first.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "cli/api_calls.h"
#include "cli/exit_codes.h"
#include "cli/object_fields.h"
#include "cli/report_failure.h"
#include "cli/schedule_commands.h"
#include "cli/table.h"
#include "restore/object_transform.h"
#include "server/api_resources.h"

namespace stillpoint::cli {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

struct ReadOptions {
  std::vector<std::string> names;
  std::string output;
  ScheduleApiFlags api;
};

std::string str(const json& object, const char* pointer) {
  return field_text(object, pointer);
}

// "2026-12-08T00:52:46Z" (what the API server writes) → a time; nullopt for anything else.
std::optional<Clock::time_point> parse_timestamp(const std::string& text) {
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (end == nullptr)
    return std::nullopt;
  return Clock::from_time_t(timegm(&tm));
}

// kubectl's short ages: 45s, 12m, 5h, 3d.
std::string age(const std::string& timestamp) {
  const auto t = parse_timestamp(timestamp);
  if (!t)
    return "<unknown>";
  const long s = std::max<long>(
      0, std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - *t).count());
  if (s < 120)
    return fmt::format("{}s", s);
  if (s < 120 * 60)
    return fmt::format("{}m", s / 60);
  if (s < 48 * 3600)
    return fmt::format("{}h", s / 3600);
  return fmt::format("{}d", s / 86400);
}

std::string paused(const json& s) {
  const json::json_pointer p("/spec/paused");
  return s.contains(p) && s.at(p).is_boolean() && s.at(p).get<bool>() ? "true" : "false";
}

std::string last_backup(const json& s) {
  const std::string t = str(s, "/status/lastBackup");
  return t.empty() ? "n/a" : age(t) + " ago";
}

// Each NAME (NotFound named), or every Schedule of the namespace.
core::Result<std::vector<json>> read_schedules(ApiCalls& api, const ReadOptions& o) {
  const server::ApiResources resources(o.api.api_group);
  if (o.names.empty())
    return api.list(resources.schedules, o.api.ns);
  std::vector<json> found;
  for (const std::string& name : o.names) {
    auto one = api.get(resources.schedules, o.api.ns, name);
    if (!one) {
      if (one.error().code == core::ErrorCode::NotFound) {
        return core::unexpected(core::ErrorCode::NotFound, schedule_not_found(name, o.api.ns));
      }
      return core::unexpected(one.error());
    }
    found.push_back(std::move(*one));
  }
  return found;
}

int run_get(const ReadOptions& o) {
  auto api = ApiCalls::connect(o.api.cluster);
  if (!api)
    return report_failure(api.error());
  auto schedules = read_schedules(**api, o);
  if (!schedules)
    return report_failure(schedules.error());
  if (o.output == "json") {
    const json list = {
        {"apiVersion", o.api.api_group + "/v1"}, {"kind", "ScheduleList"}, {"items", *schedules}};
    std::printf("%s\n", list.dump(2).c_str());
    return kExitOk;
  }
  Table table({"NAME", "STATUS", "SCHEDULE", "LAST BACKUP", "AGE", "PAUSED"});
  for (const json& s : *schedules) {
    const std::string phase = str(s, "/status/phase");
    table.add_row({str(s, "/metadata/name"), phase.empty() ? "New" : phase,
                   str(s, "/spec/schedule"), last_backup(s),
                   age(str(s, "/metadata/creationTimestamp")), paused(s)});
  }
  std::fputs(table.render().c_str(), stdout);
  return kExitOk;
}

std::string list_text(const json& t, const char* pointer, const char* empty) {
  const json::json_pointer p(pointer);
  if (!t.contains(p) || !t.at(p).is_array() || t.at(p).empty())
    return empty;
  std::string out;
  for (const json& v : t.at(p)) {
    out += (out.empty() ? "" : ", ") + (v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out;
}

std::string or_text(const std::string& value, const char* otherwise) {
  return value.empty() ? otherwise : value;
}

std::string template_text(const json& s) {
  const json t = s.contains(json::json_pointer("/spec/template"))
                     ? s.at(json::json_pointer("/spec/template"))
                     : json::object();
  const json::json_pointer hooks("/hooks/resources");
  const size_t hook_resources =
      t.contains(hooks) && t.at(hooks).is_array() ? t.at(hooks).size() : 0;
  return fmt::format(
      "Template:\n"
      "  Included namespaces: {}\n  Excluded namespaces: {}\n"
      "  Included resources:  {}\n  Excluded resources:  {}\n"
      "  Cluster resources:   {}\n  Label selector:      {}\n"
      "  Storage location:    {}\n  TTL:                 {}\n"
      "  Hook resources:      {}\n",
      list_text(t, "/includedNamespaces", "*"), list_text(t, "/excludedNamespaces", "<none>"),
      list_text(t, "/includedResources", "*"), list_text(t, "/excludedResources", "<none>"),
      or_text(str(t, "/includeClusterResources"), "auto"),
      or_text(str(t, "/labelSelector"), "<none>"),
      or_text(str(t, "/storageLocation"), "<the server's default>"),
      or_text(str(t, "/ttl"), "720h0m0s (default)"), hook_resources);
}

std::string backups_text(std::vector<json> backups) {
  std::sort(backups.begin(), backups.end(), [](const json& a, const json& b) {
    const auto key = [](const json& x) {
      return std::make_pair(str(x, "/metadata/creationTimestamp"), str(x, "/metadata/name"));
    };
    return key(a) > key(b);
  });
  if (backups.empty())
    return "Backups:\n  <none>\n";
  Table table({"NAME", "STATUS", "CREATED", "EXPIRES"});
  for (const json& b : backups) {
    const std::string phase = str(b, "/status/phase");
    table.add_row({str(b, "/metadata/name"), phase.empty() ? "New" : phase,
                   str(b, "/metadata/creationTimestamp"), str(b, "/status/expiration")});
  }
  std::string out = "Backups:\n";
  const std::string rendered = table.render();
  size_t start = 0;
  while (start < rendered.size()) {
    const size_t end = rendered.find('\n', start);
    out += "  " + rendered.substr(start, end - start) + "\n";
    if (end == std::string::npos)
      break;
    start = end + 1;
  }
  return out;
}

std::string describe_text(const json& s, const std::vector<json>& backups) {
  const std::string phase = str(s, "/status/phase");
  std::string out = fmt::format(
      "Name:             {}\nNamespace:        {}\nPhase:            {}\n"
      "Schedule:         {}\nPaused:           {}\nSkip immediately: {}\n"
      "Owns its backups: {}\nLast backup:      {}\nLast skipped:     {}\n",
      str(s, "/metadata/name"), str(s, "/metadata/namespace"), phase.empty() ? "New" : phase,
      str(s, "/spec/schedule"), paused(s), or_text(str(s, "/spec/skipImmediately"), "false"),
      or_text(str(s, "/spec/useOwnerReferencesInBackup"), "false"),
      or_text(str(s, "/status/lastBackup"), "<never>"),
      or_text(str(s, "/status/lastSkipped"), "<never>"));
  const json::json_pointer errors("/status/validationErrors");
  if (s.contains(errors) && s.at(errors).is_array() && !s.at(errors).empty()) {
    out += "Validation errors:\n";
    for (const json& e : s.at(errors)) {
      out += "  " + (e.is_string() ? e.get<std::string>() : e.dump()) + "\n";
    }
  }
  return out + template_text(s) + backups_text(backups);
}

int run_describe(const ReadOptions& o) {
  auto api = ApiCalls::connect(o.api.cluster);
  if (!api)
    return report_failure(api.error());
  auto schedules = read_schedules(**api, o);
  if (!schedules)
    return report_failure(schedules.error());
  const json& schedule = schedules->front();
  if (o.output == "json") {
    std::printf("%s\n", schedule.dump(2).c_str());
    return kExitOk;
  }
  const server::ApiResources resources(o.api.api_group);
  const std::string selector = "velero.io/schedule-name=" + restore::label_value(o.names.front());
  auto backups = (*api)->list(resources.backups, o.api.ns, selector);
  if (!backups)
    return report_failure(backups.error());
  std::fputs(describe_text(schedule, *backups).c_str(), stdout);
  return kExitOk;
}

}  // namespace

void add_schedule_read_commands(CLI::App& schedule, Action& action) {
  auto get = std::make_shared<ReadOptions>();
  get->output = "table";
  CLI::App* g = schedule.add_subcommand(
      "get",
      "List Schedules (all of the namespace, or the ones named) with their phase, cron "
      "schedule, last backup and whether they are paused");
  g->add_option("NAME", get->names, "Schedule names (default: all)");
  g->add_option("-o,--output", get->output, "table, or json: the Schedule objects")
      ->check(CLI::IsMember({"table", "json"}));
  add_schedule_api_flags(*g, get->api);
  g->callback([get, &action] { action = [get] { return run_get(*get); }; });

  auto describe = std::make_shared<ReadOptions>();
  describe->output = "text";
  CLI::App* d = schedule.add_subcommand(
      "describe",
      "A Schedule's phase, cron schedule, template, last backup, validation errors and the "
      "Backups made from it (label velero.io/schedule-name), newest first");
  d->add_option("NAME", describe->names, "Schedule name")->required()->expected(1);
  d->add_option("-o,--output", describe->output, "text, or json: the Schedule object")
      ->check(CLI::IsMember({"text", "json"}));
  add_schedule_api_flags(*d, describe->api);
  d->callback([describe, &action] { action = [describe] { return run_describe(*describe); }; });
}

}  // namespace stillpoint::cli
