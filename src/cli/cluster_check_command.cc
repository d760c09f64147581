// `stillpoint cluster check`: can this kubeconfig back up this cluster? Reports the server
// version (GET /version), which discovery protocol answered, how many groups and resources it
// found and which groups failed, whether the user may list pods in all namespaces and create
// pods/exec (SelfSubjectAccessReview, as `kubectl auth can-i` asks), and the API round trip
// (median of a few GET /version). Exit 0 when backups can work, 1 otherwise with the reason.
// It only reads and asks: nothing is created in the cluster (access reviews are not stored).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/cluster_flags.h"
#include "cli/commands.h"
#include "cli/exit_codes.h"
#include "kube/discovery.h"
#include "kube/rest_client.h"

namespace stillpoint::cli {
namespace {

namespace asio = boost::asio;
using nlohmann::json;

// GET /version this many times for the round-trip median (the first opens the connection
// and is not counted).
constexpr int kRoundTripSamples = 5;

struct CheckOptions {
  std::string output = "text";
  ClusterFlags cluster;
};

struct Access {
  std::optional<bool> allowed;  // nullopt: the review itself failed
  std::string reason;           // the server's reason, or why the review failed
};

struct CheckReport {
  std::string server;
  std::string context;
  bool reachable = false;
  std::string git_version;
  std::optional<double> round_trip_ms;
  bool discovered = false;
  bool aggregated = false;
  size_t groups = 0;
  size_t resources = 0;
  std::vector<std::string> discovery_warnings;
  Access list_pods;
  Access exec_pods;
  std::vector<std::string> problems;  // why backups would not work; empty = ready
};

// Asks the server whether the current user may `verb` `resource`[/`subresource`] in all
// namespaces. `rest` outlives the call (the caller's frame). C strings, not std::string: no
// temporaries with destructors in a co_await call (GCC 12).
asio::awaitable<Access> may(kube::RestClient& rest, const char* verb, const char* resource,
                            const char* subresource) {
  const kube::GroupVersionResource gvr{"authorization.k8s.io", "v1", "selfsubjectaccessreviews"};
  json attributes = {{"verb", verb}, {"resource", resource}};
  if (*subresource != '\0') attributes["subresource"] = subresource;
  const json review = {{"apiVersion", "authorization.k8s.io/v1"},
                       {"kind", "SelfSubjectAccessReview"},
                       {"spec", {{"resourceAttributes", attributes}}}};
  const std::string no_namespace;
  auto answer = co_await rest.create(gvr, no_namespace, review);
  Access access;
  if (!answer) {
    access.reason = answer.error().message;
    co_return access;
  }
  const json& status = (*answer)["status"];
  access.allowed = status.is_object() && status.value("allowed", false);
  if (status.is_object()) {
    access.reason = status.value("reason", "");
    if (access.reason.empty()) access.reason = status.value("evaluationError", "");
  }
  co_return access;
}

double median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// `http` is kept alive by the caller until the io_context has run.
asio::awaitable<void> check(std::shared_ptr<kube::HttpClient> http, CheckReport* report) {
  // Reachable, and the version.
  std::vector<double> samples;
  for (int i = 0; i <= kRoundTripSamples; ++i) {
    kube::HttpRequest req;
    req.target = "/version";
    const auto started = std::chrono::steady_clock::now();
    auto r = co_await http->request(std::move(req));
    const auto elapsed = std::chrono::steady_clock::now() - started;
    if (!r) {
      report->problems.push_back("cannot reach the API server at " + report->server + ": " +
                                 r.error().message);
      co_return;
    }
    if (i == 0) {
      report->reachable = true;
      auto doc = json::parse(r->body, nullptr, /*allow_exceptions=*/false);
      if (doc.is_object()) report->git_version = doc.value("gitVersion", "");
      continue;
    }
    samples.push_back(std::chrono::duration<double, std::milli>(elapsed).count());
  }
  report->round_trip_ms = median(samples);

  auto discovered = co_await kube::discover(*http);
  if (!discovered) {
    report->problems.push_back("discovery failed: " + discovered.error().message);
  } else {
    report->discovered = true;
    report->aggregated = discovered->aggregated;
    report->resources = discovered->resources.size();
    std::vector<std::string> groups;
    for (const auto& r : discovered->resources) groups.push_back(r.gvr.group);
    std::sort(groups.begin(), groups.end());
    report->groups = std::unique(groups.begin(), groups.end()) - groups.begin();
    report->discovery_warnings = discovered->warnings;
  }

  kube::RestClient rest(http);
  report->list_pods = co_await may(rest, "list", "pods", "");
  report->exec_pods = co_await may(rest, "create", "pods", "exec");
  auto require = [report](const Access& a, const char* what) {
    if (!a.allowed) {
      report->problems.push_back(std::string("cannot check whether the user may ") + what +
                                 ": " + a.reason);
    } else if (!*a.allowed) {
      report->problems.push_back(std::string("the user may not ") + what +
                                 (a.reason.empty() ? "" : " (" + a.reason + ")"));
    }
  };
  require(report->list_pods, "list pods in all namespaces");
  require(report->exec_pods, "create pods/exec (run hooks)");
}

json access_json(const Access& a) {
  json j = {{"allowed", a.allowed ? json(*a.allowed) : json(nullptr)}};
  if (!a.reason.empty()) j["reason"] = a.reason;
  return j;
}

json report_json(const CheckReport& r) {
  json j = {{"server", r.server},
            {"context", r.context},
            {"reachable", r.reachable},
            {"serverVersion", r.git_version},
            {"roundTripMillis", r.round_trip_ms ? json(*r.round_trip_ms) : json(nullptr)},
            {"roundTripSamples", r.round_trip_ms ? kRoundTripSamples : 0}};
  if (r.discovered) {
    j["discovery"] = {{"protocol", r.aggregated ? "aggregated" : "legacy"},
                      {"groups", r.groups},
                      {"resources", r.resources},
                      {"warnings", r.discovery_warnings}};
  } else {
    j["discovery"] = nullptr;
  }
  if (r.reachable) {
    j["access"] = {{"listPods", access_json(r.list_pods)},
                   {"createPodsExec", access_json(r.exec_pods)}};
  } else {
    j["access"] = nullptr;
  }
  j["ready"] = r.problems.empty();
  j["problems"] = r.problems;
  return j;
}

const char* yes_no(const Access& a) {
  return !a.allowed ? "unknown" : *a.allowed ? "yes" : "no";
}

void print_text(const CheckReport& r) {
  std::printf("Server:      %s (%s)\n", r.server.c_str(), r.git_version.c_str());
  if (r.round_trip_ms) {
    std::printf("Round trip:  %.1f ms (median of %d GET /version)\n", *r.round_trip_ms,
                kRoundTripSamples);
  }
  if (r.discovered) {
    std::printf("Discovery:   %s; %zu groups, %zu resources\n",
                r.aggregated ? "aggregated (apidiscovery.k8s.io)" : "legacy (per group version)",
                r.groups, r.resources);
  }
  for (const auto& w : r.discovery_warnings) {
    std::printf("warning: discovery: %s\n", w.c_str());
  }
  std::printf("May list pods (all namespaces): %s\n", yes_no(r.list_pods));
  std::printf("May create pods/exec:           %s\n", yes_no(r.exec_pods));
  if (r.problems.empty()) std::printf("Ready for backups.\n");
}

int run_check(const CheckOptions& options) {
  asio::io_context io;
  auto http = connect(options.cluster, io.get_executor());
  if (!http) {
    std::fprintf(stderr, "error: %s\n", http.error().message.c_str());
    return kExitFailed;
  }
  CheckReport report;
  report.server = (*http)->config().cluster.server;
  report.context = (*http)->config().context;
  asio::co_spawn(io, check(*http, &report), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);  // a bug: run()'s last-resort catch reports it
  });
  io.run();
  if (!report.reachable) {
    // One line, naming the address: the usual first thing to fix.
    if (options.output == "json") std::printf("%s\n", report_json(report).dump(2).c_str());
    std::fprintf(stderr, "error: %s\n", report.problems.front().c_str());
    return kExitFailed;
  }
  if (options.output == "json") {
    std::printf("%s\n", report_json(report).dump(2).c_str());
  } else {
    print_text(report);
  }
  for (const auto& p : report.problems) std::fprintf(stderr, "error: %s\n", p.c_str());
  return report.problems.empty() ? kExitOk : kExitFailed;
}

}  // namespace

void add_cluster_commands(CLI::App& app, Action& action) {
  auto* cluster = app.add_subcommand("cluster", "Check the connection to a cluster");
  cluster->require_subcommand(1);
  auto options = std::make_shared<CheckOptions>();
  auto* cmd = cluster->add_subcommand(
      "check",
      "Can this kubeconfig back up this cluster? Server version, discovery, the permissions "
      "backups need (list pods in all namespaces, create pods/exec) and the API round trip.\n"
      "Exit codes: 0 ready, 1 not (with the reason)");
  cmd->add_option("-o,--output", options->output, "text or json")
      ->check(CLI::IsMember({"text", "json"}))
      ->capture_default_str();
  add_cluster_flags(*cmd, options->cluster);
  cmd->callback([options, &action] { action = [options] { return run_check(*options); }; });
}

}  // namespace stillpoint::cli
