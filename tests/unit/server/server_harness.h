// The server's parts in-process: the orchestration Harness (FakeCluster, FakePodExec, FakeClock,
// an I/O context and a pool) with the server's CRDs served, namespaces stillpoint and db, a
// temporary directory as the default location, and the ServerContext over them.
#pragma once

#include <string>
#include <vector>

#include "server/server_context.h"
#include "unit/orchestration/harness.h"

namespace stillpoint::server {

inline nlohmann::json backup_object(const std::string& name,
                                    nlohmann::json spec,
                                    const std::string& created = "") {
  nlohmann::json o = {{"apiVersion", "stillpoint.io/v1"},
                      {"kind", "Backup"},
                      {"metadata", {{"name", name}, {"namespace", "stillpoint"}}},
                      {"spec", std::move(spec)}};
  if (!created.empty()) o["metadata"]["creationTimestamp"] = created;
  return o;
}

struct ServerHarness : testing::Harness {
  testing::TempDir location;
  NoObserver no_observer;
  std::vector<std::string> log;
  ServerContext ctx;

  explicit ServerHarness(OperationObserver* observer = nullptr)
      : ctx{cluster,
            exec,
            clock,
            pool.get_executor(),
            ApiResources(kStillpointGroup),
            "stillpoint",
            DefaultLocation{location.path().string(), {}},
            {},
            {},
            observer ? *observer : no_observer,
            [this](const std::string& line) { log.push_back(line); }} {
    for (const auto& [plural, kind] :
         std::vector<std::pair<std::string, std::string>>{
             {"backups", "Backup"},
             {"restores", "Restore"},
             {"backupstoragelocations", "BackupStorageLocation"},
             {"schedules", "Schedule"},
             {"deletebackuprequests", "DeleteBackupRequest"}}) {
      cluster.serve(testing::FakeCluster::resource("stillpoint.io", "v1", plural, kind, true));
    }
    cluster.serve(testing::FakeCluster::resource("", "v1", "events", "Event", true));
    cluster.update("namespaces", testing::namespace_object("stillpoint"));
    cluster.update("namespaces", testing::namespace_object("db"));
  }

  nlohmann::json object(const std::string& plural, const std::string& name) {
    return cluster.object("stillpoint.io", plural, "stillpoint", name).value_or(nlohmann::json());
  }
  nlohmann::json backup(const std::string& name) { return object("backups", name); }
  std::vector<std::string> names(const std::string& plural) {
    return cluster.names("stillpoint.io", plural, "stillpoint");
  }
  std::string log_text() const {
    std::string all;
    for (const auto& l : log) all += l + "\n";
    return all;
  }
};

}  // namespace stillpoint::server
