#include "server/run_object.h"

#include <atomic>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/this_coro.hpp>

#include "catalog/status_schema.h"
#include "core/json_fields.h"
#include "server/operation_status.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

const char* kind_name(OperationKind kind) {
  return kind == OperationKind::Backup ? "Backup" : "Restore";
}

// Writes status.progress while the run goes on, when it changed; signals `stopped` at the end.
asio::awaitable<void> write_progress(ServerContext& ctx,
                                     kube::GroupVersionResource gvr,
                                     std::string name,
                                     ObjectRunner& runner,
                                     std::shared_ptr<bool> done,
                                     std::shared_ptr<asio::steady_timer> stopped) {
  // Cancellation (the run ended) only cuts the pause short; it must not throw past the signal.
  co_await asio::this_coro::throw_if_cancelled(false);
  json last;
  try {
    while (!*done) {
      co_await ctx.clock.sleep_for(ctx.progress_interval);
      if (*done) break;
      json progress = runner.progress();
      if (progress != last) {
        json status = {{"progress", progress}};
        co_await patch_status(ctx.cluster, gvr, ctx.namespace_name, name, status);
        last = std::move(progress);
      }
    }
  } catch (const std::exception& e) {
    ctx.log("progress of " + name + " no longer written: " + e.what());
  }
  stopped->cancel();
}

}  // namespace

asio::awaitable<void> run_object(ServerContext& ctx, ObjectRun run, json object) {
  const std::string name = core::string_at(object, json::json_pointer("/metadata/name"));
  const std::string rv = core::string_at(object, json::json_pointer("/metadata/resourceVersion"));
  const std::string origin =
      std::string(kind_name(run.kind)) + " " + ctx.namespace_name + "/" + name;
  const std::string schedule = core::string_at(object, json::json_pointer("/metadata/labels/velero.io~1schedule-name"));
  const auto began = std::chrono::steady_clock::now();
  FinishedOperation finished;
  finished.kind = run.kind;
  finished.schedule = schedule;
  auto report = [&](const json& status) {
    finished.phase = status.value("phase", "");
    finished.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
    finished.completion = std::chrono::system_clock::now();
    ctx.observer.finished(finished);
    ctx.log(origin + ": " + finished.phase +
            (status.contains("failureReason") ? ": " + status["failureReason"].get<std::string>()
                                              : std::string()));
  };

  if (auto decoded = run.decode(object, origin); !decoded) {
    const json status = failed_validation_status(decoded.error().message);
    if (auto s = co_await patch_status(ctx.cluster, run.gvr, ctx.namespace_name, name, status, rv);
        !s) {
      ctx.log(origin + ": not processed: " + s.error().message);
      co_return;
    }
    report(status);
    co_return;
  }
  const json claim = {{"phase", "InProgress"},
                      {"startTimestamp", catalog::rfc3339(ctx.clock.now())}};
  if (auto s = co_await patch_status(ctx.cluster, run.gvr, ctx.namespace_name, name, claim, rv);
      !s) {
    // Conflict: it changed since it was read (another replica claimed it, or it was deleted
    // and re-created); NotFound: deleted. Either way it is not ours to run.
    ctx.log(origin + ": not started: " + s.error().message);
    co_return;
  }
  ctx.observer.started(run.kind, schedule);
  ctx.log(origin + ": InProgress");

  std::string failed_location;
  const std::string requested = core::string_at(object, json::json_pointer("/spec/storageLocation"));
  auto location = co_await resolve_location(ctx.cluster, ctx.resources, ctx.namespace_name,
                                            requested, ctx.default_location, &failed_location);
  if (!location) {
    if (!failed_location.empty()) {
      co_await mark_location(ctx.cluster, ctx.resources, ctx.namespace_name, failed_location,
                             false, location.error().message);
    }
    const json status = failed_status(location.error().message);
    co_await patch_status(ctx.cluster, run.gvr, ctx.namespace_name, name, status);
    report(status);
    co_return;
  }
  if (!location->location_name.empty()) {
    const std::string no_message;
    co_await mark_location(ctx.cluster, ctx.resources, ctx.namespace_name,
                           location->location_name, true, no_message);
  }

  if (run.kind == OperationKind::Backup && location->read_only) {
    const json status = failed_validation_status(read_only_backup_error(location->location_name));
    co_await patch_status(ctx.cluster, run.gvr, ctx.namespace_name, name, status);
    report(status);
    co_return;
  }

  std::unique_ptr<ObjectRunner> runner = run.make(*location->store);
  const uint64_t interrupt_id = ctx.register_interrupt([r = runner.get()] { r->interrupt(); });
  if (ctx.stopping) runner->interrupt();

  // Progress, written while the run goes on; stopped (and awaited) before the final status so
  // that a late progress patch cannot land after it.
  auto done = std::make_shared<bool>(false);
  auto progress_stopped = std::make_shared<asio::steady_timer>(
      co_await asio::this_coro::executor, asio::steady_timer::time_point::max());
  asio::cancellation_signal stop_progress;
  asio::co_spawn(co_await asio::this_coro::executor,
                 write_progress(ctx, run.gvr, name, *runner, done, progress_stopped),
                 asio::bind_cancellation_slot(stop_progress.slot(), asio::detached));

  auto result = co_await runner->run();
  *done = true;
  stop_progress.emit(asio::cancellation_type::terminal);  // ends its pause early
  co_await progress_stopped->async_wait(asio::as_tuple(asio::use_awaitable));
  ctx.interrupts.erase(interrupt_id);

  json status;
  if (result) {
    status = status_for_object(std::move(result->status));
    finished.items = result->items;
    finished.errors = status.value("errors", 0);
    finished.hooks = std::move(result->hooks);
  } else {
    status = result.error().code == core::ErrorCode::InvalidArgument
                 ? failed_validation_status(result.error().message)
                 : failed_status(result.error().message);
  }
  if (!status.contains("progress")) status["progress"] = runner->progress();
  if (auto s = co_await patch_status(ctx.cluster, run.gvr, ctx.namespace_name, name, status); !s) {
    ctx.log(origin + ": final status not written: " + s.error().message);
  }
  report(status);
}

}  // namespace stillpoint::server
