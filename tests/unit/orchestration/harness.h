// What the in-process orchestration tests share: an I/O context and a blocking pool, the
// fakes a runner's environment takes (FakeCluster, FakePodExec, FakeClock, MemoryStore), a
// loop that runs a runner to completion and can act once at a chosen moment (an interrupt
// while a hook runs), and JSON builders for the objects the tests put in a cluster.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "backup/backup_runner.h"
#include "catalog/backup_catalog.h"
#include "catalog/backup_keys.h"
#include "fakes/fake_clock.h"
#include "fakes/fake_cluster.h"
#include "fakes/fake_pod_exec.h"
#include "fakes/memory_store.h"
#include "fakes/temp_dir.h"
#include "hooks/spec_file.h"
#include "restore/restore_runner.h"

namespace stillpoint::testing {

using nlohmann::json;

template <class T>
boost::asio::awaitable<void> complete_into(boost::asio::awaitable<T> task, std::optional<T>& out) {
  out.emplace(co_await std::move(task));
}

// Members are destroyed in reverse order: the pool joins first (nothing of it posts to `io`
// afterwards), then `io` (its pending handlers may refer to the fakes), then the fakes.
struct Harness {
  FakeCluster cluster;
  FakePodExec exec;
  FakeClock clock;
  MemoryStore store;
  TempDir spool;
  boost::asio::io_context io;
  boost::asio::thread_pool pool{1};

  ~Harness() { pool.join(); }

  // A moment in a run (`when`, checked between two handlers) and what the test does then.
  struct Step {
    std::function<bool()> when;
    std::function<void()> then;
  };

  // Runs `task` on `io` until it completes, taking `steps` in order: each step's `then()` runs
  // once, as soon as its `when()` is true. Empty when `task` did not complete within 30 s of
  // wall time (a broken rule that leaves a wait hanging fails the test instead of hanging it).
  template <class T>
  std::optional<T> run(boost::asio::awaitable<T> task, std::vector<Step> steps = {}) {
    std::optional<T> result;
    io.restart();  // the run before, if any, stopped it when its work ran out
    auto guard = boost::asio::make_work_guard(io);
    boost::asio::co_spawn(io, complete_into(std::move(task), result), boost::asio::detached);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    size_t next = 0;
    while (!result) {
      if (next < steps.size() && steps[next].when()) {
        steps[next++].then();
        continue;
      }
      if (io.run_one_until(deadline) == 0)
        break;
    }
    EXPECT_EQ(next, steps.size()) << "a step's moment never came";
    return result;
  }

  backup::BackupEnvironment backup_env() {
    return backup::BackupEnvironment{cluster, exec, clock, store, pool.get_executor(), {}};
  }
  restore::RestoreEnvironment restore_env(FakeCluster& target) {
    return restore::RestoreEnvironment{target, exec,        clock, store, pool.get_executor(),
                                       {},     spool.path()};
  }
};

inline backup::BackupRequest backup_request(const std::string& name, json spec = json::object()) {
  json object = {{"apiVersion", "velero.io/v1"},
                 {"kind", "Backup"},
                 {"metadata", {{"name", name}}},
                 {"spec", spec}};
  auto parsed = hooks::parse_spec_object(object, "test");
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  backup::BackupRequest r;
  r.name = name;
  r.spec = spec;
  r.hooks_spec = std::get<hooks::BackupSpec>(std::move(parsed->spec));
  return r;
}

inline restore::RestoreRequest restore_request(const std::string& name,
                                               const std::string& backup,
                                               json spec = json::object()) {
  spec["backupName"] = backup;
  json object = {{"apiVersion", "velero.io/v1"},
                 {"kind", "Restore"},
                 {"metadata", {{"name", name}}},
                 {"spec", spec}};
  auto parsed = hooks::parse_spec_object(object, "test");
  EXPECT_TRUE(parsed) << (parsed ? "" : parsed.error().message);
  restore::RestoreRequest r;
  r.name = name;
  r.backup_name = backup;
  r.spec = spec;
  r.hooks_spec = std::get<hooks::RestoreSpec>(std::move(parsed->spec));
  return r;
}

inline json namespace_object(const std::string& name) {
  return {{"apiVersion", "v1"}, {"kind", "Namespace"}, {"metadata", {{"name", name}}}};
}

inline json config_map(const std::string& ns, const std::string& name, json data) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", std::move(data)}};
}

inline json secret(const std::string& ns, const std::string& name, json data) {
  return {{"apiVersion", "v1"},
          {"kind", "Secret"},
          {"metadata", {{"name", name}, {"namespace", ns}}},
          {"data", std::move(data)}};
}

// A running pod with one container "app", `annotations`, and an emptyDir volume "data"
// mounted at /data.
inline json running_pod(const std::string& ns,
                        const std::string& name,
                        std::map<std::string, std::string> annotations = {}) {
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", ns}, {"uid", "uid-" + ns + "-" + name}}},
              {"spec",
               {{"containers",
                 {{{"name", "app"},
                   {"image", "busybox"},
                   {"volumeMounts", {{{"name", "data"}, {"mountPath", "/data"}}}}}}},
                {"volumes", {{{"name", "data"}, {"emptyDir", json::object()}}}}}},
              {"status",
               {{"phase", "Running"},
                {"containerStatuses",
                 {{{"name", "app"}, {"ready", true}, {"state", {{"running", json::object()}}}}}}}}};
  if (!annotations.empty())
    pod["metadata"]["annotations"] = annotations;
  return pod;
}

// Backup hook annotations: `pre` and `post` commands (argv0 only) in container "app".
inline std::map<std::string, std::string> backup_hooks(const std::string& pre,
                                                       const std::string& post) {
  std::map<std::string, std::string> a;
  if (!pre.empty()) {
    a["pre.hook.backup.velero.io/container"] = "app";
    a["pre.hook.backup.velero.io/command"] = json::array({pre}).dump();
  }
  if (!post.empty()) {
    a["post.hook.backup.velero.io/container"] = "app";
    a["post.hook.backup.velero.io/command"] = json::array({post}).dump();
  }
  return a;
}

// The items of a backup's resource list ("v1/Pod" -> ["ns/name", ...]).
inline json resource_list(MemoryStore& store, const std::string& backup) {
  std::string text;
  auto s =
      catalog::read_gzip_object(store, catalog::backup_resource_list_key(backup), "resource list",
                                [&](std::string_view piece) { text.append(piece); });
  if (!s)
    return json::object();
  return json::parse(text, nullptr, false);
}

// FakePodExec scripts: a command that exits with `code`, one that prints `out`, one that runs
// until it is cancelled.
inline FakePodExec::Script exits(int code) {
  FakePodExec::Script s;
  s.exit_code = code;
  return s;
}
inline FakePodExec::Script prints(std::string out) {
  FakePodExec::Script s;
  s.out = std::move(out);
  return s;
}
inline FakePodExec::Script hangs() {
  FakePodExec::Script s;
  s.hang = true;
  return s;
}

inline bool ran(const FakePodExec& exec, const std::string& entry) {
  for (const auto& c : exec.commands_ran) {
    if (c == entry)
      return true;
  }
  return false;
}

}  // namespace stillpoint::testing
