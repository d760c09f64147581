// kubesim serve: the loopback Kubernetes API server as a process (README.md).
#include <signal.h>

#include <CLI/CLI.hpp>
#include <cstdio>

#include "kubesim.h"

int main(int argc, char** argv) {
  CLI::App app{"kubesim: a Kubernetes API server for tests and demos"};
  app.require_subcommand(1);
  stillpoint::kubesim::Options options;
  auto* serve = app.add_subcommand("serve", "serve until SIGTERM/SIGINT");
  serve->add_option("--listen", options.listen, "host:port (port 0 = any free port)");
  serve->add_option("--data-dir", options.data_dir, "pod sandboxes and volumes")->required();
  serve->add_option("--kubeconfig", options.kubeconfig, "kubeconfig file to write")->required();
  bool no_pods = false;
  serve->add_flag("--no-pods", no_pods, "store pods without running their processes");
  bool no_controllers = false;
  serve->add_flag("--no-controllers", no_controllers,
                  "run no controllers (Deployments make no pods, no garbage collection)");
  bool legacy_discovery = false;
  serve->add_flag("--no-aggregated-discovery", legacy_discovery,
                  "serve only the legacy discovery documents");
  std::string release = "current";
  serve->add_option("--release", release,
                    "answer like this Kubernetes release where releases differ: current or 1.20 "
                    "(Secret-based service account tokens, no later defaults)")
      ->check(CLI::IsMember({"current", "1.20"}));
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  options.run_pods = !no_pods;
  options.run_controllers = !no_controllers;
  options.aggregated_discovery = !legacy_discovery;
  options.release = release == "1.20" ? stillpoint::kubesim::KubeRelease::V1_20
                                      : stillpoint::kubesim::KubeRelease::Current;
  // Block the stop signals in every thread (the server thread inherits this mask) and wait
  // for them here; children get their own mask reset before exec.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  signal(SIGPIPE, SIG_IGN);
  try {
    auto server = stillpoint::kubesim::Server::start(options);
    if (!server) {
      std::fprintf(stderr, "kubesim: %s\n", server.error().message.c_str());
      return 1;
    }
    std::fprintf(stderr, "kubesim: serving on %s, kubeconfig %s\n", (*server)->url().c_str(),
                 options.kubeconfig.c_str());
    int sig = 0;
    sigwait(&stop_signals, &sig);
    std::fprintf(stderr, "kubesim: signal %d, stopping pods\n", sig);
    (*server)->stop();
    std::fprintf(stderr, "kubesim: stopped\n");
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kubesim: fatal: %s\n", e.what());
    return 1;
  }
}
