#include "server/location_validator.h"

#include "catalog/backup_catalog.h"
#include "catalog/status_schema.h"
#include "core/async/offload.h"
#include "core/go_duration.h"
#include "core/json_fields.h"
#include "server/location_resolver.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

LocationValidator::LocationValidator(ServerContext& ctx,
                                     core::Duration frequency,
                                     std::function<bool()> may_run)
    : ctx_(ctx), frequency_(frequency), may_run_(std::move(may_run)) {}

asio::awaitable<void> LocationValidator::run() {
  // Not a coroutine lambda: the pass is a member coroutine, the lambda only starts it.
  std::function<asio::awaitable<void>()> pass = [this] { return pass_once(); };
  co_await run_every(ctx_.clock, frequency_, may_run_, pass);
}

asio::awaitable<void> LocationValidator::pass_once() { co_await validate_once(); }

asio::awaitable<size_t> LocationValidator::validate_once() {
  size_t validated = 0;
  const std::string& ns = ctx_.namespace_name;
  auto locations = co_await list_locations(ctx_.cluster, ctx_.resources, ns);
  if (!locations) {
    ctx_.log("location validation: listing BackupStorageLocations: " +
             locations.error().message);
    co_return validated;
  }
  const core::Clock::TimePoint now = ctx_.clock.now();
  for (const json& l : *locations) {
    if (!may_run_()) break;
    const std::string name = core::string_at(l, json::json_pointer("/metadata/name"));
    const core::Duration frequency =
        location_period(l, "validationFrequency", frequency_, nullptr);
    if (name.empty() || frequency == core::Duration::zero() || !due_.due(name, frequency, now)) {
      continue;
    }
    due_.done(name, now);
    ++validated;
    std::string failure;
    std::string unused;
    auto location = co_await resolve_location(ctx_.cluster, ctx_.resources, ns, name,
                                              ctx_.default_location, &unused);
    if (!location) {
      failure = location.error().message;
    } else {
      storage::ObjectStore* store = location->store.get();
      auto list = [store] { return catalog::list_backup_names(*store); };
      auto names = co_await core::async::offload(ctx_.pool, list);
      if (!names) failure = "listing backups: " + names.error().message;
    }
    const bool available = failure.empty();
    const std::string phase = available ? "Available" : "Unavailable";
    const std::string before = core::string_at(l, json::json_pointer("/status/phase"));
    if (phase != before) {
      ctx_.log("BackupStorageLocation " + ns + "/" + name + ": " + phase +
               (available ? std::string() : ": " + failure));
    }
    const std::string access = is_read_only(l) ? "ReadOnly" : "ReadWrite";
    const json patch = {{"status",
                         {{"phase", phase},
                          {"message", available ? json() : json(failure)},
                          {"lastValidationTime", catalog::rfc3339(ctx_.clock.now())},
                          {"accessMode", access}}}};
    const kube::GroupVersionResource status = ApiResources::status_of(ctx_.resources.locations);
    auto patched = co_await ctx_.cluster.patch(status, ns, name, kube::PatchType::Merge, patch);
    if (!patched && patched.error().code != core::ErrorCode::NotFound) {
      ctx_.log("BackupStorageLocation " + ns + "/" + name + ": status not written: " +
               patched.error().message);
    }
  }
  co_return validated;
}

}  // namespace stillpoint::server
