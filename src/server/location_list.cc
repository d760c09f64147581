#include "server/location_list.h"

#include <algorithm>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/go_duration.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

asio::awaitable<core::Result<std::vector<json>>> list_locations(kube::ClusterApi& cluster,
                                                                const ApiResources& resources,
                                                                const std::string& ns) {
  std::vector<json> found;
  kube::ListOptions options;
  options.namespace_name = ns;
  // Named arguments only in co_await expressions (GCC 12 destroys temporaries twice).
  kube::ItemCallback keep = [&](json item) {
    found.push_back(std::move(item));
    return core::ok();
  };
  auto listed = co_await cluster.list(resources.locations, options, keep);
  if (!listed && listed.error().code != core::ErrorCode::NotFound) {
    co_return core::unexpected(listed.error());
  }
  co_return found;
}

bool has_default_location(const std::vector<json>& locations) {
  for (const json& l : locations) {
    const json spec = l.value("spec", json::object());
    if (spec.is_object() && spec.value("default", json(false)) == json(true)) return true;
  }
  return false;
}

core::Duration location_period(const json& location,
                               const char* field,
                               core::Duration fallback,
                               std::string* problem) {
  const json spec = location.value("spec", json::object());
  if (!spec.is_object() || !spec.contains(field) || spec[field].is_null()) return fallback;
  if (!spec[field].is_string()) {
    if (problem) *problem = std::string("spec.") + field + ": " + spec[field].dump() + " is not a duration";
    return fallback;
  }
  auto d = core::parse_go_duration(spec[field].get<std::string>());
  if (!d || *d < core::Duration::zero()) {
    if (problem) {
      *problem = std::string("spec.") + field + ": " +
                 (d ? "\"" + spec[field].get<std::string>() + "\" is negative" : d.error().message);
    }
    return fallback;
  }
  return *d;
}

bool DueTimes::due(const std::string& name, core::Duration period,
                   core::Clock::TimePoint now) const {
  auto it = last_.find(name);
  return it == last_.end() || now - it->second >= period;
}

asio::awaitable<void> run_every(core::Clock& clock,
                                core::Duration tick,
                                std::function<bool()> may_run,
                                std::function<asio::awaitable<void>()> pass) {
  // Cancellation is checked between steps, never thrown from one (a pass cut short must not
  // leave a half-written object behind an exception).
  co_await asio::this_coro::throw_if_cancelled(false);
  auto cancelled = []() -> asio::awaitable<bool> {
    co_return (co_await asio::this_coro::cancellation_state).cancelled() !=
        asio::cancellation_type::none;
  };
  if (tick <= core::Duration::zero()) {
    // Off: wait for the end like the other loops, so that `a && b` of the server ends together.
    asio::steady_timer never(co_await asio::this_coro::executor,
                             asio::steady_timer::time_point::max());
    while (!co_await cancelled()) {
      co_await never.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    co_return;
  }
  while (!co_await cancelled()) {
    // Passes are `tick` apart from start to start: a pass that ran long (or a clock moved while
    // it ran) does not push every later pass back.
    const auto started = clock.now();
    if (may_run()) co_await pass();
    if (co_await cancelled()) break;
    const auto elapsed = std::chrono::duration_cast<core::Duration>(clock.now() - started);
    co_await clock.sleep_for(std::max(core::Duration::zero(), tick - elapsed));
  }
}

}  // namespace stillpoint::server
