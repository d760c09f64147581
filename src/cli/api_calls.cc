#include "cli/api_calls.h"

#include <exception>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "kube/rest_client.h"

namespace stillpoint::cli {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

// co_spawn needs a default-constructible result, which core::Result is not: the outcome goes
// through `out`.
template <class T>
asio::awaitable<void> run_into(asio::awaitable<core::Result<T>> op,
                               std::optional<core::Result<T>>* out) {
  out->emplace(co_await std::move(op));
}

}  // namespace

struct ApiCalls::State {
  asio::io_context io;
  std::optional<kube::RestClient> rest;

  // Runs `op` to its end. The io_context is stopped when it ends, so that an idle keep-alive
  // connection's pending read does not hold run() open; the next call restarts it.
  template <class T>
  core::Result<T> wait(asio::awaitable<core::Result<T>> op) {
    std::optional<core::Result<T>> out;
    std::exception_ptr crashed;
    io.restart();
    asio::co_spawn(io, run_into(std::move(op), &out), [&](std::exception_ptr e) {
      crashed = e;
      io.stop();
    });
    io.run();
    if (crashed)
      std::rethrow_exception(crashed);  // a bug: run() reports it
    if (!out)
      return core::unexpected(core::ErrorCode::Internal, "request did not finish");
    return std::move(*out);
  }
};

ApiCalls::ApiCalls(std::unique_ptr<State> state) : state_(std::move(state)) {}
ApiCalls::~ApiCalls() = default;

core::Result<std::unique_ptr<ApiCalls>> ApiCalls::connect(const ClusterFlags& flags) {
  auto state = std::make_unique<State>();
  auto http = cli::connect(flags, state->io.get_executor());
  if (!http)
    return core::unexpected(http.error());
  state->rest.emplace(*http);
  return std::unique_ptr<ApiCalls>(new ApiCalls(std::move(state)));
}

core::Result<json> ApiCalls::get(const kube::GroupVersionResource& gvr,
                                 const std::string& ns,
                                 const std::string& name) {
  return state_->wait(state_->rest->get(gvr, ns, name));
}

core::Result<std::vector<json>> ApiCalls::list(const kube::GroupVersionResource& gvr,
                                               const std::string& ns,
                                               const std::string& label_selector) {
  std::vector<json> items;
  kube::ListOptions options;
  options.namespace_name = ns;
  options.label_selector = label_selector;
  kube::ItemCallback collect = [&items](json item) -> core::Status {
    items.push_back(std::move(item));
    return core::ok();
  };
  auto listed = state_->wait(state_->rest->list(gvr, options, collect));
  if (!listed)
    return core::unexpected(listed.error());
  return items;
}

core::Result<json> ApiCalls::create(const kube::GroupVersionResource& gvr,
                                    const std::string& ns,
                                    const json& object) {
  return state_->wait(state_->rest->create(gvr, ns, object));
}

core::Result<json> ApiCalls::merge_patch(const kube::GroupVersionResource& gvr,
                                         const std::string& ns,
                                         const std::string& name,
                                         const json& patch) {
  return state_->wait(state_->rest->patch(gvr, ns, name, kube::PatchType::Merge, patch));
}

core::Status ApiCalls::remove(const kube::GroupVersionResource& gvr,
                              const std::string& ns,
                              const std::string& name,
                              const std::string& propagation) {
  return state_->wait(state_->rest->remove(gvr, ns, name, propagation));
}

}  // namespace stillpoint::cli
