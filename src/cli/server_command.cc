// `stillpoint server`: runs the in-cluster controllers (src/server) on the kubeconfig's
// cluster, or the pod's own service account when run in the cluster. One io_context runs
// everything; SIGTERM/SIGINT stop starting work and interrupt what runs (post hooks still
// run), then the process exits 0.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <memory>
#include <optional>
#include <stdexcept>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/thread_pool.hpp>
#include <CLI/CLI.hpp>

#include "cli/cluster_flags.h"
#include "cli/commands.h"
#include "cli/duration_flag.h"
#include "cli/exit_codes.h"
#include "cli/report_failure.h"
#include "cli/storage_flags.h"
#include "catalog/status_schema.h"
#include "core/async/clock.h"
#include "core/async/manual_clock.h"
#include "core/go_duration.h"
#include "kube/exec_credential.h"
#include "kube/leader_election.h"
#include "kube/rest_client.h"
#include "kube/websocket_pod_exec.h"
#include "metrics/http_endpoints.h"
#include "metrics/listen_address.h"
#include "metrics/server_metrics.h"
#include "server/metrics_observer.h"
#include "server/server.h"

namespace stillpoint::cli {
namespace {

namespace asio = boost::asio;

struct ServerFlags {
  ClusterFlags cluster;
  StorageFlags storage;
  server::ServerOptions options;
  std::string metrics_address = ":8085";
  bool leader_elect = true;
  std::string lease_name = "stillpoint-server";
  std::string lease_duration = "15s";
  std::string renew_deadline = "10s";
  std::string retry_period = "2s";
  std::string backup_sync_period = "1m";
  std::string store_validation_frequency = "1m";
  std::string default_backup_ttl = "720h";
  std::string gc_frequency = "1h";
  std::string test_clock;  // RFC 3339: the server's time starts there and moves on request
};

// A Go duration of zero or more ("0" turns the periodic task off), else a usage error.
const CLI::Validator& period_or_zero() {
  static const CLI::Validator validator(
      [](std::string& value) -> std::string {
        auto d = core::parse_go_duration(value);
        if (!d) return d.error().message;
        if (*d < core::Duration::zero()) return "must be a duration such as 1m or 30s, or 0 (off)";
        return {};
      },
      "DURATION");
  return validator;
}

core::Result<kube::LeaderElectionConfig> election_config(const ServerFlags& flags) {
  kube::LeaderElectionConfig config;
  config.namespace_name = flags.options.namespace_name;
  config.name = flags.lease_name;
  config.identity = kube::default_leader_identity();
  const std::pair<const char*, const std::string*> durations[] = {
      {"--leader-elect-lease-duration", &flags.lease_duration},
      {"--leader-elect-renew-deadline", &flags.renew_deadline},
      {"--leader-elect-retry-period", &flags.retry_period}};
  core::Duration* fields[] = {&config.lease_duration, &config.renew_deadline,
                              &config.retry_period};
  for (size_t i = 0; i < 3; ++i) {
    auto d = core::parse_go_duration(*durations[i].second);
    if (!d) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              std::string(durations[i].first) + ": " + d.error().message);
    }
    *fields[i] = *d;
  }
  if (auto valid = kube::validate(config); !valid) return core::unexpected(valid.error());
  return config;
}

void log_line(const std::string& line) {
  char stamp[32];
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::fprintf(stderr, "%s %s\n", stamp, line.c_str());
  std::fflush(stderr);
}

// The elector's run, its outcome logged (co_spawn needs a default-constructible result).
asio::awaitable<void> stand_for_election(kube::LeaderElector& elector,
                                         kube::LeaderCallbacks callbacks) {
  core::Status s = co_await elector.run(std::move(callbacks));
  if (!s && s.error().code != core::ErrorCode::Cancelled) {
    log_line("leader election ended: " + s.error().message);
  }
}

int run_server(ServerFlags& flags) {
  std::optional<kube::LeaderElectionConfig> election;
  if (flags.leader_elect) {
    auto config = election_config(flags);
    if (!config) return report_failure(config.error());
    election = std::move(*config);
  }
  asio::io_context io;
  auto http = connect(flags.cluster, io.get_executor());
  if (!http) return report_failure(http.error());
  kube::RestClient rest(*http);
  kube::WebSocketPodExec exec(*http);
  // The Lease is always renewed on the wall clock; the rest of the server reads `clock`, which
  // --test-clock replaces by one that moves only on POST /debug/clock.
  core::SteadyClock wall_clock;
  std::unique_ptr<core::ManualClock> test_clock;
  if (!flags.test_clock.empty()) {
    auto start = kube::parse_rfc3339(flags.test_clock);
    if (!start) {
      return report_failure(core::Error{core::ErrorCode::InvalidArgument,
                                        "--test-clock: " + start.error().message});
    }
    test_clock = std::make_unique<core::ManualClock>(*start);
  }
  core::Clock& clock = test_clock ? static_cast<core::Clock&>(*test_clock) : wall_clock;
  auto gc_frequency = core::parse_go_duration(flags.gc_frequency);
  if (!gc_frequency) {
    return report_failure(core::Error{core::ErrorCode::InvalidArgument,
                                      "--garbage-collection-frequency: " +
                                          gc_frequency.error().message});
  }
  flags.options.gc_frequency = *gc_frequency;
  if (auto ttl = core::parse_go_duration(flags.default_backup_ttl); !ttl) {
    return report_failure(core::Error{core::ErrorCode::InvalidArgument,
                                      "--default-backup-ttl: " + ttl.error().message});
  }
  flags.options.backup_settings.default_ttl = flags.default_backup_ttl;
  asio::thread_pool pool(2);
  metrics::ServerMetrics server_metrics;
  server::MetricsObserver observer(server_metrics, log_line);
  flags.options.default_location = {flags.storage.location, flags.storage.s3};
  // Checked by period_or_zero() when given; the defaults parse.
  if (auto d = core::parse_go_duration(flags.backup_sync_period)) {
    flags.options.backup_sync_period = *d;
  }
  if (auto d = core::parse_go_duration(flags.store_validation_frequency)) {
    flags.options.store_validation_frequency = *d;
  }
  server::ServerContext ctx{rest,
                            exec,
                            clock,
                            pool.get_executor(),
                            server::ApiResources(flags.options.api_group),
                            flags.options.namespace_name,
                            flags.options.default_location,
                            flags.options.backup_settings,
                            flags.options.restore_settings,
                            observer,
                            log_line};
  server::Server srv(ctx, flags.options);
  std::unique_ptr<kube::LeaderElector> elector;
  if (election) elector = std::make_unique<kube::LeaderElector>(rest, wall_clock, *election);
  bool lost_leadership = false;
  std::unique_ptr<metrics::HttpEndpoints> endpoints;
  if (!flags.metrics_address.empty()) {
    auto where = metrics::parse_listen_address(flags.metrics_address);
    if (!where) return report_failure(where.error());
    metrics::EndpointHandlers handlers;
    // Ready once the objects are listed, leader or standby: a standby is healthy, and the
    // Deployment must not hold back a rollout waiting for a replica that cannot lead.
    handlers.readiness = [&srv] {
      return srv.synced() ? metrics::Readiness{}
                          : metrics::Readiness{false, "Backups and Restores not listed yet"};
    };
    handlers.metrics = [&server_metrics] { return server_metrics.serialize(); };
    if (test_clock) {
      handlers.advance_clock = [&test_clock](std::string_view by) {
        auto d = core::parse_go_duration(by);
        if (!d) throw std::invalid_argument("advance=" + std::string(by) + ": " + d.error().message);
        test_clock->advance(*d);
        return catalog::rfc3339(test_clock->now());
      };
    }
    auto started = metrics::HttpEndpoints::start(io.get_executor(), *where, std::move(handlers));
    if (!started) return report_failure(started.error());
    endpoints = std::move(*started);
    log_line("/healthz, /readyz and /metrics on port " + std::to_string(endpoints->port()));
  }
  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](const boost::system::error_code& ec, int number) {
    if (ec) return;
    log_line("signal " + std::to_string(number) +
             ": no new work; interrupting running operations (their post hooks still run)");
    srv.stop();
  });
  bool finished = false;
  bool srv_stopping = false;
  log_line("serving " + flags.options.api_group + "/v1 Backups and Restores in namespace " +
           flags.options.namespace_name);
  asio::cancellation_signal stop_election;
  std::function<bool()> leading = [] { return true; };
  if (elector) {
    leading = [&elector] { return elector->is_leader(); };
    kube::LeaderCallbacks callbacks;
    callbacks.on_started_leading = [&] {
      log_line("leading (Lease " + flags.options.namespace_name + "/" + flags.lease_name +
               ", identity " + elector->identity() + ")");
      srv.leadership_changed();
    };
    callbacks.on_stopped_leading = [&] {
      if (srv_stopping) return;
      // As client-go's users do: a replica that lost the lease exits (its Deployment restarts
      // it as a candidate), after the post hooks of what it ran.
      lost_leadership = true;
      log_line("lost the lease: interrupting running operations and exiting");
      srv.stop();
    };
    callbacks.on_new_leader = [](const std::string& who) {
      if (!who.empty()) log_line("leader is " + who);
    };
    callbacks.on_event = log_line;
    asio::co_spawn(io, stand_for_election(*elector, std::move(callbacks)),
                   asio::bind_cancellation_slot(stop_election.slot(), [](std::exception_ptr e) {
                     if (e) std::rethrow_exception(e);
                   }));
  }
  asio::co_spawn(io, srv.run(leading),
                 [&](std::exception_ptr e) {
                   signals.cancel();
                   if (endpoints) endpoints->stop();
                   srv_stopping = true;
                   stop_election.emit(asio::cancellation_type::terminal);  // releases the Lease
                   if (e) std::rethrow_exception(e);
                   finished = true;
                 });
  io.run();
  pool.join();
  if (!finished) {
    return report_failure(core::Error{core::ErrorCode::Internal, "server stopped unexpectedly"});
  }
  if (!srv.status()) return report_failure(srv.status().error());
  if (lost_leadership) {
    return report_failure(core::Error{core::ErrorCode::Unavailable, "lost the leader lease"});
  }
  log_line("stopped");
  return kExitOk;
}

}  // namespace

void add_server_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ServerFlags>();
  CLI::App* cmd = app.add_subcommand(
      "server",
      "Run the in-cluster server: watch Backup and Restore objects in --namespace, run each\n"
      "new one (hooks included) with the same runners as `backup create` and `restore\n"
      "create`, and write its status back; make the backups of Schedules, delete expired\n"
      "backups and those a DeleteBackupRequest names. docs/server.md and docs/schedules.md\n"
      "have the whole story.");
  add_cluster_flags(*cmd, flags->cluster);
  add_storage_flags(*cmd, flags->storage);
  cmd->add_option("--namespace", flags->options.namespace_name,
                  "Namespace of the Backup, Restore and BackupStorageLocation objects served "
                  "(default stillpoint)");
  cmd->add_option("--api-group", flags->options.api_group,
                  "API group served: stillpoint.io (our CRDs) or velero.io (Velero's CRDs, with "
                  "Velero's own server stopped)")
      ->check(CLI::IsMember({std::string(server::kStillpointGroup),
                             std::string(server::kVeleroGroup)}));
  cmd->add_option("--metrics-address", flags->metrics_address,
                  "Where /healthz, /readyz and /metrics listen: [HOST]:PORT (default :8085; "
                  "port 0 picks a free one; empty turns them off)");
  cmd->add_option("--leader-elect", flags->leader_elect,
                  "Run only while holding the Lease --lease-name in --namespace (default true; "
                  "false only for a single replica you will never scale)");
  cmd->add_option("--lease-name", flags->lease_name,
                  "The coordination.k8s.io/v1 Lease replicas elect a leader on "
                  "(default stillpoint-server)");
  cmd->add_option("--leader-elect-lease-duration", flags->lease_duration,
                  "How long a leader's Lease holds without renewal (default 15s, client-go's)")
      ->check(positive_go_duration());
  cmd->add_option("--leader-elect-renew-deadline", flags->renew_deadline,
                  "How long a leader tries to renew before it stops leading (default 10s)")
      ->check(positive_go_duration());
  cmd->add_option("--leader-elect-retry-period", flags->retry_period,
                  "Pause between a candidate's attempts and a leader's renewals (default 2s)")
      ->check(positive_go_duration());
  cmd->add_flag("--force", flags->options.force,
                "With --api-group velero.io: start even if a Velero deployment is found");
  cmd->add_option("--backup-sync-period", flags->backup_sync_period,
                  "How often each BackupStorageLocation's backups are synced into the cluster "
                  "as Backup objects, and objects whose data left it removed (default 1m, as "
                  "Velero; a BSL's spec.backupSyncPeriod overrides it; 0 turns the sync off)")
      ->check(period_or_zero());
  cmd->add_option("--store-validation-frequency", flags->store_validation_frequency,
                  "How often each BackupStorageLocation is listed and its status.phase set "
                  "Available or Unavailable (default 1m, as Velero; a BSL's "
                  "spec.validationFrequency overrides it; 0 turns validation off)")
      ->check(period_or_zero());
  cmd->add_option("--max-concurrent-backups", flags->options.max_concurrent_backups,
                  "Backups run at once (default 1)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--max-concurrent-restores", flags->options.max_concurrent_restores,
                  "Restores run at once (default 1)")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--default-backup-ttl", flags->default_backup_ttl,
                  "How long a backup without spec.ttl is kept before garbage collection deletes "
                  "it with its data (default 720h, Velero's)");
  cmd->add_option("--garbage-collection-frequency", flags->gc_frequency,
                  "How often expired backups are looked for and deleted (default 1h; 0 never)");
  cmd->add_option("--test-clock", flags->test_clock,
                  "For tests: the server's clock starts at this RFC 3339 time and moves only on "
                  "POST /debug/clock?advance=<duration> to the metrics address (the Lease keeps "
                  "the wall clock). Never in production.");
  cmd->callback([flags, &action] { action = [flags] { return run_server(*flags); }; });
}

}  // namespace stillpoint::cli
