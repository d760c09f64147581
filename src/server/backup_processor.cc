#include "server/backup_processor.h"

#include <optional>

#include <boost/asio/this_coro.hpp>

#include "backup/backup_runner.h"
#include "server/hook_window_recorder.h"
#include "server/run_object.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

class BackupObjectRunner : public ObjectRunner {
 public:
  BackupObjectRunner(ServerContext& ctx,
                     storage::ObjectStore& store,
                     backup::BackupRequest request,
                     std::unique_ptr<HookWindowRecorder> recorder)
      : recorder_(std::move(recorder)),
        runner_(backup::BackupEnvironment{ctx.cluster, ctx.exec, ctx.clock, store, ctx.pool,
                                          [&ctx, name = recorder_->name()](const std::string& m) {
                                            ctx.log("Backup " + name + ": " + m);
                                          },
                                          [r = recorder_.get()](std::vector<std::string> pods,
                                                                bool open) {
                                            return r->change(std::move(pods), open);
                                          }},
                std::move(request)) {}

  asio::awaitable<core::Result<Outcome>> run() override {
    auto result = co_await runner_.run();
    if (!result) co_return core::unexpected(result.error());
    Outcome outcome;
    outcome.status = result->object.value("status", json::object());
    outcome.hooks = result->status.hook_results;
    outcome.items = result->status.items_backed_up;
    co_return outcome;
  }
  void interrupt() override { runner_.interrupt(); }
  json progress() const override {
    const backup::BackupProgress p = runner_.progress();
    return {{"totalItems", p.items_total}, {"itemsBackedUp", p.items_backed_up}};
  }

 private:
  std::unique_ptr<HookWindowRecorder> recorder_;
  backup::BackupRunner runner_;
};

}  // namespace

asio::awaitable<void> process_backup(ServerContext& ctx, json object) {
  auto request = std::make_shared<std::optional<backup::BackupRequest>>();
  const auto executor = co_await asio::this_coro::executor;
  ObjectRun run{
      OperationKind::Backup, ctx.resources.backups,
      [&ctx, request](const json& o, const std::string& origin) -> core::Status {
        auto decoded = operation::backup_request_from_object(o, origin, ctx.backup_settings);
        if (!decoded) return core::unexpected(decoded.error());
        *request = std::move(*decoded);
        return core::ok();
      },
      [&ctx, request, executor](storage::ObjectStore& store) -> std::unique_ptr<ObjectRunner> {
        auto recorder = std::make_unique<HookWindowRecorder>(
            ctx.cluster, executor, ctx.resources.backups, ctx.namespace_name,
            (*request)->name, ctx.log);
        return std::make_unique<BackupObjectRunner>(ctx, store, std::move(**request),
                                                    std::move(recorder));
      }};
  co_await run_object(ctx, std::move(run), std::move(object));
}

}  // namespace stillpoint::server
