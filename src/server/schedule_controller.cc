#include "server/schedule_controller.h"

#include <vector>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "catalog/status_schema.h"
#include "core/json_fields.h"
#include "kube/exec_credential.h"
#include "operation/backup_request_from_object.h"
#include "restore/object_transform.h"
#include "schedule/cron_schedule.h"
#include "schedule/due_run.h"
#include "server/object_events.h"
#include "server/operation_status.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

inline constexpr const char* kScheduleLabel = "velero.io/schedule-name";

std::optional<std::chrono::system_clock::time_point> time_at(const json& object,
                                                             const char* pointer) {
  const std::string text = core::string_at(object, json::json_pointer(pointer));
  if (text.empty()) return std::nullopt;
  auto t = kube::parse_rfc3339(text);
  if (!t) return std::nullopt;
  return *t;
}

bool flag_at(const json& object, const char* pointer) {
  const json::json_pointer p(pointer);
  return object.contains(p) && object[p].is_boolean() && object[p].get<bool>();
}

}  // namespace

ScheduleController::ScheduleController(ServerContext& ctx,
                                       asio::any_io_executor executor,
                                       ObjectWatchOptions watch,
                                       std::function<bool()> may_run)
    : ctx_(ctx),
      watch_(std::move(watch)),
      may_run_(std::move(may_run)),
      wake_(executor, asio::steady_timer::time_point::max()) {
  watch_.namespace_name = ctx_.namespace_name;
}

void ScheduleController::wake() { wake_.cancel(); }

void ScheduleController::on_event(const kube::WatchEvent& event) {
  if (event.type == kSyncedEvent) {
    wake();
    return;
  }
  const std::string name = core::string_at(event.object, json::json_pointer("/metadata/name"));
  if (name.empty()) return;
  if (event.type == "DELETED") {
    schedules_.erase(name);
    paused_.erase(name);
    last_written_.erase(name);
    ctx_.observer.schedule_interval(name, 0);
    return;
  }
  schedules_[name] = event.object;
  wake();
}

namespace {

// Sleeps until `d` has passed on the clock, then wakes the controller unless a newer alarm
// replaced this one. Arguments by value: the coroutine outlives the call that spawned it.
asio::awaitable<void> alarm(core::Clock& clock,
                            core::Duration d,
                            std::shared_ptr<bool> cancelled,
                            std::function<void()> wake) {
  co_await clock.sleep_for(d);
  if (!*cancelled) wake();
}

}  // namespace

void ScheduleController::set_alarm(asio::any_io_executor executor, TimePoint at) {
  if (alarm_cancelled_) *alarm_cancelled_ = true;
  alarm_cancelled_ = std::make_shared<bool>(false);
  const auto d = std::max(core::Duration::zero(),
                          std::chrono::duration_cast<core::Duration>(at - ctx_.clock.now()));
  asio::co_spawn(executor, alarm(ctx_.clock, d, alarm_cancelled_, [this] { wake(); }),
                 asio::detached);
}

asio::awaitable<void> ScheduleController::run() {
  auto executor = co_await asio::this_coro::executor;
  BackgroundWatch watch(executor, ctx_.cluster, ctx_.clock, ctx_.resources.schedules, watch_,
                        [this](const kube::WatchEvent& e) { on_event(e); }, &counters_);
  for (;;) {
    if (may_run_() && !ctx_.stopping) {
      const std::optional<TimePoint> next = co_await look_at_all();
      if (next) set_alarm(executor, *next);
    }
    co_await wake_.async_wait(asio::as_tuple(asio::use_awaitable));
    wake_.expires_at(asio::steady_timer::time_point::max());
    if ((co_await asio::this_coro::cancellation_state).cancelled() !=
        asio::cancellation_type::none) {
      break;
    }
  }
  co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
  // A pending alarm wakes nobody: the controller is going away.
  if (alarm_cancelled_) *alarm_cancelled_ = true;
  co_await watch.stop();
}

asio::awaitable<std::optional<ScheduleController::TimePoint>> ScheduleController::look_at_all() {
  // A copy: the informer may change the map while a look awaits the API server.
  std::vector<json> all;
  for (const auto& [name, s] : schedules_) all.push_back(s);
  std::optional<TimePoint> earliest;
  for (const json& s : all) {
    if (!may_run_() || ctx_.stopping) break;
    const std::optional<TimePoint> next = co_await look_at(s);
    if (next && (!earliest || *next < *earliest)) earliest = next;
  }
  co_return earliest;
}

asio::awaitable<void> ScheduleController::write_status(const std::string& name,
                                                       const json& status) {
  const kube::GroupVersionResource schedules = ctx_.resources.schedules;
  if (auto s = co_await patch_status(ctx_.cluster, schedules, ctx_.namespace_name, name, status);
      !s) {
    ctx_.log("Schedule " + ctx_.namespace_name + "/" + name + ": status not written: " +
             s.error().message);
  }
}

asio::awaitable<std::optional<ScheduleController::TimePoint>> ScheduleController::look_at(
    const json& schedule) {
  const std::string name = core::string_at(schedule, json::json_pointer("/metadata/name"));
  const std::string origin = "Schedule " + ctx_.namespace_name + "/" + name;
  const std::string phase = core::string_at(schedule, json::json_pointer("/status/phase"));
  const auto now = ctx_.clock.now();

  // Valid? The cron expression (with its time zone) and the template, read as a Backup's spec
  // is read when the backup runs: a schedule that could only make FailedValidation backups is
  // itself FailedValidation.
  std::vector<std::string> errors;
  const std::string text = core::string_at(schedule, json::json_pointer("/spec/schedule"));
  auto cron = schedule::parse_cron(text);
  if (!cron) errors.push_back(origin + ": spec.schedule: " + cron.error().message);
  const json tmpl = schedule.value("spec", json::object()).value("template", json::object());
  const json as_backup = {{"metadata", {{"name", schedule::backup_name_for(name, now)}}},
                          {"spec", tmpl}};
  if (auto r = operation::backup_request_from_object(as_backup, origin + ": spec.template",
                                                     ctx_.backup_settings);
      !r) {
    errors.push_back(r.error().message);
  }
  if (!errors.empty()) {
    ctx_.observer.schedule_interval(name, 0);
    const json current = schedule.value("status", json::object()).value("validationErrors", json());
    if (phase != "FailedValidation" || current != json(errors)) {
      ctx_.log(origin + ": FailedValidation: " + errors.front());
      const json status = {{"phase", "FailedValidation"}, {"validationErrors", errors}};
      co_await write_status(name, status);
    }
    co_return std::nullopt;
  }
  const bool newly_enabled = phase != "Enabled";
  if (newly_enabled) {
    const json status = {{"phase", "Enabled"}, {"validationErrors", nullptr}};
    co_await write_status(name, status);
    ctx_.log(origin + ": Enabled (" + text + ")");
  }

  if (flag_at(schedule, "/spec/paused")) {
    if (paused_.insert(name).second) ctx_.log(origin + ": paused");
    ctx_.observer.schedule_interval(name, 0);
    co_return std::nullopt;
  }
  if (auto interval = schedule::expected_interval(*cron, now)) {
    ctx_.observer.schedule_interval(name, static_cast<double>(interval->count()));
  }
  const bool skip_immediately = flag_at(schedule, "/spec/skipImmediately");
  std::optional<TimePoint> base = time_at(schedule, "/status/lastBackup");
  const std::optional<TimePoint> skipped = time_at(schedule, "/status/lastSkipped");
  if (skipped && (!base || *skipped > *base)) base = skipped;
  if (auto it = last_written_.find(name);
      it != last_written_.end() && (!base || it->second > *base)) {
    base = it->second;
  }
  // Unpaused with skipImmediately: the runs missed while paused are skipped, not caught up
  // (Velero records that as lastSkipped, and so does this).
  const bool unpaused = paused_.erase(name) > 0;
  if (unpaused && skip_immediately) {
    const json status = {{"lastSkipped", catalog::rfc3339(now)}};
    last_written_[name] = now;
    co_await write_status(name, status);
    base = now;
  }
  const TimePoint created =
      time_at(schedule, "/metadata/creationTimestamp").value_or(now);
  const schedule::DueRun run = schedule::due_run(*cron, base, created, skip_immediately, now);
  if (!run.due) co_return run.next;

  std::string running;
  if (co_await previous_backup_running(name, &running)) {
    const std::string why = "backup \"" + running + "\" of the previous run has not ended: this "
                            "run is skipped (a schedule never queues a second backup)";
    ctx_.log(origin + ": " + why);
    last_written_[name] = now;
    const json status = {{"lastSkipped", catalog::rfc3339(now)}};
    co_await write_status(name, status);
    const std::string reason = "BackupSkipped";
    co_await record_event(ctx_, schedule, EventType::Warning, reason, why);
    co_return run.next;
  }
  const std::string backup_name = schedule::backup_name_for(name, now);
  if (auto s = co_await create_backup(schedule, backup_name); !s) {
    // Retried at the next look (an event, or the next activation).
    ctx_.log(origin + ": backup \"" + backup_name + "\" not created: " + s.error().message);
    co_return run.next;
  }
  last_written_[name] = now;
  const json status = {{"lastBackup", catalog::rfc3339(now)}};
  co_await write_status(name, status);
  co_return run.next;
}

asio::awaitable<bool> ScheduleController::previous_backup_running(const std::string& schedule,
                                                                  std::string* which) {
  kube::ListOptions options;
  options.namespace_name = ctx_.namespace_name;
  // A label value holds 63 characters: a longer schedule name is shortened as the CLI
  // (`schedule describe`) and restores shorten it (restore::label_value).
  const std::string value = restore::label_value(schedule);
  options.label_selector = std::string(kScheduleLabel) + "=" + value;
  bool running = false;
  const json::json_pointer label("/metadata/labels/velero.io~1schedule-name");
  kube::ItemCallback look = [&](json item) {
    // The selector does the work on a real API server; checked here too, for any that ignores it.
    if (core::string_at(item, label) != value) return core::ok();
    const std::string phase = core::string_at(item, json::json_pointer("/status/phase"));
    if (phase.empty() || phase == "New" || phase == "InProgress") {
      running = true;
      *which = core::string_at(item, json::json_pointer("/metadata/name"));
    }
    return core::ok();
  };
  const kube::GroupVersionResource backups = ctx_.resources.backups;
  auto listed = co_await ctx_.cluster.list(backups, options, look);
  if (!listed) {
    // Unknown: do not risk a second backup beside a running one.
    *which = "(backups could not be listed: " + listed.error().message + ")";
    co_return true;
  }
  co_return running;
}

asio::awaitable<core::Status> ScheduleController::create_backup(const json& schedule,
                                                                const std::string& name) {
  const std::string schedule_name = core::string_at(schedule, json::json_pointer("/metadata/name"));
  const json tmpl = schedule.value("spec", json::object()).value("template", json::object());
  // Velero's BackupBuilder.FromSchedule: the Schedule's labels, the template's labels, and the
  // schedule-name label; the template as the spec; an owner reference when asked.
  json labels = json::object();
  if (schedule.contains("metadata") && schedule["metadata"].contains("labels") &&
      schedule["metadata"]["labels"].is_object()) {
    labels.update(schedule["metadata"]["labels"]);
  }
  const json::json_pointer template_labels("/metadata/labels");
  if (tmpl.contains(template_labels) && tmpl[template_labels].is_object()) {
    labels.update(tmpl[template_labels]);
  }
  labels[kScheduleLabel] = restore::label_value(schedule_name);
  json backup = {{"apiVersion", ctx_.resources.group + "/v1"},
                 {"kind", "Backup"},
                 {"metadata",
                  {{"name", name}, {"namespace", ctx_.namespace_name}, {"labels", labels}}},
                 {"spec", tmpl}};
  if (flag_at(schedule, "/spec/useOwnerReferencesInBackup")) {
    backup["metadata"]["ownerReferences"] = json::array(
        {{{"apiVersion", ctx_.resources.group + "/v1"},
          {"kind", "Schedule"},
          {"name", schedule_name},
          {"uid", core::string_at(schedule, json::json_pointer("/metadata/uid"))},
          {"controller", true}}});
  }
  const kube::GroupVersionResource backups = ctx_.resources.backups;
  auto created = co_await ctx_.cluster.create(backups, ctx_.namespace_name, backup);
  // Conflict: it exists already (this second's backup was made before a restart).
  if (!created && created.error().code != core::ErrorCode::Conflict) {
    co_return core::unexpected(created.error());
  }
  ++created_;
  ctx_.log("Schedule " + ctx_.namespace_name + "/" + schedule_name + ": created backup \"" +
           name + "\"");
  co_return core::ok();
}

}  // namespace stillpoint::server
