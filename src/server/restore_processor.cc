#include "server/restore_processor.h"

#include <optional>

#include "restore/restore_runner.h"
#include "server/run_object.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

class RestoreObjectRunner : public ObjectRunner {
 public:
  RestoreObjectRunner(ServerContext& ctx, storage::ObjectStore& store,
                      restore::RestoreRequest request)
      : name_(request.name),
        runner_(restore::RestoreEnvironment{ctx.cluster, ctx.exec, ctx.clock, store, ctx.pool,
                                            [&ctx, name = name_](const std::string& m) {
                                              ctx.log("Restore " + name + ": " + m);
                                            }},
                std::move(request)) {}

  asio::awaitable<core::Result<Outcome>> run() override {
    auto result = co_await runner_.run();
    if (!result) co_return core::unexpected(result.error());
    Outcome outcome;
    outcome.status = result->object.value("status", json::object());
    outcome.hooks = result->status.hook_results;
    outcome.items = result->status.items_restored;
    co_return outcome;
  }
  void interrupt() override { runner_.interrupt(); }
  json progress() const override {
    const restore::RestoreProgress p = runner_.progress();
    return {{"totalItems", p.items_total}, {"itemsRestored", p.items_done}};
  }

 private:
  std::string name_;  // before runner_: its milestone sink names the restore
  restore::RestoreRunner runner_;
};

}  // namespace

asio::awaitable<void> process_restore(ServerContext& ctx, json object) {
  auto request = std::make_shared<std::optional<restore::RestoreRequest>>();
  ObjectRun run{
      OperationKind::Restore, ctx.resources.restores,
      [&ctx, request](const json& o, const std::string& origin) -> core::Status {
        auto decoded = operation::restore_request_from_object(o, origin, ctx.restore_settings);
        if (!decoded) return core::unexpected(decoded.error());
        *request = std::move(*decoded);
        return core::ok();
      },
      [&ctx, request](storage::ObjectStore& store) -> std::unique_ptr<ObjectRunner> {
        return std::make_unique<RestoreObjectRunner>(ctx, store, std::move(**request));
      }};
  co_await run_object(ctx, std::move(run), std::move(object));
}

}  // namespace stillpoint::server
