#include "cli/via_server.h"

#include <csignal>
#include <cstdio>
#include <optional>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <fmt/format.h>

#include "cli/exit_codes.h"
#include "cli/report_failure.h"
#include "kube/rest_client.h"

namespace stillpoint::cli {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

bool final_phase(const std::string& phase) {
  return phase == "Completed" || phase == "PartiallyFailed" || phase == "Failed" ||
         phase == "FailedValidation";
}

std::string phase_of(const json& object) {
  const json status = object.value("status", json::object());
  return status.is_object() ? status.value("phase", "") : "";
}

// Creates the object, then reads it every half second until its phase is final.
asio::awaitable<core::Result<json>> create_and_follow(kube::RestClient& rest,
                                                      kube::GroupVersionResource gvr,
                                                      std::string ns,
                                                      json object,
                                                      bool* interrupted) {
  auto created = co_await rest.create(gvr, ns, object);
  if (!created) co_return core::unexpected(created.error());
  const std::string name = object["metadata"]["name"];
  std::fprintf(stderr, "created %s %s/%s; waiting for the server\n",
               object["kind"].get<std::string>().c_str(), ns.c_str(), name.c_str());
  asio::steady_timer pause(co_await asio::this_coro::executor);
  std::string shown;
  for (;;) {
    auto got = co_await rest.get(gvr, ns, name);
    if (!got) co_return core::unexpected(got.error());
    const std::string phase = phase_of(*got);
    if (phase != shown && !phase.empty()) {
      std::fprintf(stderr, "phase %s\n", phase.c_str());
      shown = phase;
    }
    if (final_phase(phase)) co_return *got;
    pause.expires_after(std::chrono::milliseconds(500));
    co_await pause.async_wait(asio::as_tuple(asio::use_awaitable));
    if (*interrupted) {
      co_return core::unexpected(core::ErrorCode::Cancelled,
                                 "interrupted: the server goes on with " + ns + "/" + name +
                                     " (kubectl get " + gvr.resource + " -n " + ns + ")");
    }
  }
}

asio::awaitable<void> create_into(kube::RestClient& rest,
                                  kube::GroupVersionResource gvr,
                                  std::string ns,
                                  json object,
                                  std::optional<core::Result<json>>* out) {
  out->emplace(co_await rest.create(gvr, ns, object));
}

// --wait=false: the object as created, or the error.
int create_only(asio::io_context& io,
                kube::RestClient& rest,
                const kube::GroupVersionResource& gvr,
                const OperationFlags& flags,
                const json& object) {
  std::optional<core::Result<json>> created;
  asio::co_spawn(io, create_into(rest, gvr, flags.server_namespace, object, &created),
                 [&](std::exception_ptr e) {
                   if (e) std::rethrow_exception(e);
                 });
  io.run();
  if (!created || !*created) {
    return report_failure(created ? created->error()
                                  : core::Error{core::ErrorCode::Internal, "not created"});
  }
  if (flags.output == "json") {
    std::printf("%s\n", (*created)->dump(2).c_str());
  } else {
    std::printf("%s \"%s\" created in namespace %s; the server runs it (kubectl get %s -n %s %s)\n",
                object["kind"].get<std::string>().c_str(),
                object["metadata"]["name"].get<std::string>().c_str(),
                flags.server_namespace.c_str(), gvr.resource.c_str(),
                flags.server_namespace.c_str(),
                object["metadata"]["name"].get<std::string>().c_str());
  }
  return kExitOk;
}

// co_spawn needs a default-constructible result: the outcome goes through `out`.
asio::awaitable<void> follow_into(kube::RestClient& rest,
                                  kube::GroupVersionResource gvr,
                                  std::string ns,
                                  json object,
                                  bool* interrupted,
                                  std::optional<core::Result<json>>* out) {
  out->emplace(co_await create_and_follow(rest, gvr, ns, object, interrupted));
}

}  // namespace

int run_via_server(const OperationFlags& flags,
                   const std::string& kind,
                   const std::string& name,
                   const json& spec) {
  const json object = {{"kind", kind}, {"metadata", {{"name", name}}}, {"spec", spec}};
  return run_object_via_server(flags, object);
}

int run_object_via_server(const OperationFlags& flags, const json& given) {
  json object = given;
  object["apiVersion"] = flags.server_api_group + "/v1";
  object["metadata"]["namespace"] = flags.server_namespace;
  const std::string kind = object["kind"];
  const std::string name = object["metadata"]["name"];
  asio::io_context io;
  auto http = connect(flags.cluster, io.get_executor());
  if (!http) return report_failure(http.error());
  kube::RestClient rest(*http);
  const std::string plural = kind == "Backup" ? "backups" : "restores";
  const kube::GroupVersionResource gvr{flags.server_api_group, "v1", plural};
  if (!flags.wait) return create_only(io, rest, gvr, flags, object);
  bool interrupted = false;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int) {
    if (!ec) interrupted = true;
  });
  std::optional<core::Result<json>> result;
  asio::co_spawn(io, follow_into(rest, gvr, flags.server_namespace, object, &interrupted, &result),
                 [&](std::exception_ptr e) {
                   signals.cancel();
                   if (e) std::rethrow_exception(e);
                 });
  io.run();
  if (!result || !*result) {
    report_failure(result ? result->error()
                          : core::Error{core::ErrorCode::Internal, "not followed to its end"});
    return interrupted ? kExitInterrupted : kExitFailed;
  }
  const json& done = **result;
  const std::string phase = phase_of(done);
  if (flags.output == "json") {
    std::printf("%s\n", done.dump(2).c_str());
  } else {
    const json status = done.value("status", json::object());
    const json hooks = status.value("hookStatus", json::object());
    std::printf("%s \"%s\": %s (hooks: %d attempted, %d failed; %d errors, %d warnings)\n",
                kind.c_str(), name.c_str(), phase.c_str(), hooks.value("hooksAttempted", 0),
                hooks.value("hooksFailed", 0), status.value("errors", 0),
                status.value("warnings", 0));
    if (status.contains("failureReason")) {
      std::printf("Failure: %s\n", status["failureReason"].get<std::string>().c_str());
    }
    for (const json& v : status.value("validationErrors", json::array())) {
      if (v.is_string()) std::printf("Validation: %s\n", v.get<std::string>().c_str());
    }
  }
  return phase == "Completed" ? kExitOk : kExitFailed;
}

}  // namespace stillpoint::cli
