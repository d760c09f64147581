#include "synthetic_cluster.h"

#include <fmt/format.h>

namespace stillpoint::bench {

namespace {
constexpr const char* kApps[] = {"postgres", "mysql", "redis", "nginx", "api", "worker", "kafka"};
constexpr size_t kApps_n = sizeof(kApps) / sizeof(kApps[0]);
}  // namespace

nlohmann::json make_pod_list(size_t count) {
  nlohmann::json items = nlohmann::json::array();
  for (size_t i = 0; i < count; ++i) {
    const std::string app = kApps[i % kApps_n];
    const std::string ns = fmt::format("team-{}", i % 50);
    nlohmann::json annotations = {
        {"kubectl.kubernetes.io/last-applied-configuration", std::string(600, 'x')},
        {"prometheus.io/scrape", "true"},
    };
    if (i % 10 == 0) {
      annotations["pre.hook.backup.velero.io/command"] =
          R"(["/bin/sh","-c","pg_dump -U app db > /scratch/db.sql"])";
      annotations["pre.hook.backup.velero.io/timeout"] = "2m";
    }
    nlohmann::json containers = nlohmann::json::array();
    nlohmann::json statuses = nlohmann::json::array();
    for (size_t c = 0; c < 1 + i % 3; ++c) {
      const std::string name = c == 0 ? app : fmt::format("sidecar-{}", c);
      containers.push_back({{"name", name},
                            {"image", fmt::format("registry.example/{}:1.{}", name, i % 9)},
                            {"ports", {{{"containerPort", 8080 + c}}}},
                            {"resources", {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}}}},
                            {"volumeMounts", {{{"name", "data"}, {"mountPath", "/data"}}}}});
      statuses.push_back({{"name", name},
                          {"ready", true},
                          {"restartCount", 0},
                          {"state", {{"running", {{"startedAt", "2026-11-22T08:00:00Z"}}}}}});
    }
    items.push_back({
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata",
         {{"name", fmt::format("{}-{}", app, i)},
          {"namespace", ns},
          {"uid", fmt::format("00000000-0000-0000-0000-{:012}", i)},
          {"resourceVersion", std::to_string(1000 + i)},
          {"labels", {{"app", app}, {"tier", i % 2 ? "backend" : "frontend"},
                      {"pod-template-hash", "7d9f8c6b5"}}},
          {"annotations", annotations},
          {"ownerReferences",
           {{{"apiVersion", "apps/v1"}, {"kind", "ReplicaSet"}, {"name", app + "-7d9f8c6b5"},
             {"uid", "11111111-2222-3333-4444-555555555555"}, {"controller", true}}}}}},
        {"spec",
         {{"containers", containers},
          {"volumes", {{{"name", "data"}, {"persistentVolumeClaim", {{"claimName", "data-" + app}}}}}},
          {"nodeName", fmt::format("node-{}", i % 20)}}},
        {"status",
         {{"phase", i % 25 == 0 ? "Pending" : "Running"},
          {"podIP", fmt::format("10.0.{}.{}", (i / 250) % 250, i % 250)},
          {"containerStatuses", statuses}}},
    });
  }
  return {{"apiVersion", "v1"}, {"kind", "PodList"}, {"items", items}};
}

std::string make_backup_spec_yaml(size_t entries) {
  std::string yaml =
      "apiVersion: velero.io/v1\nkind: Backup\nmetadata: {name: bench}\nspec:\n  hooks:\n"
      "    resources:\n";
  for (size_t e = 0; e < entries; ++e) {
    const std::string app = kApps[e % kApps_n];
    yaml += fmt::format(
        "    - name: entry-{0}\n"
        "      includedNamespaces: [\"team-{1}*\", \"team-{{4,5}}?\"]\n"
        "      excludedNamespaces: [\"team-9?\"]\n"
        "      includedResources: [pods]\n"
        "      labelSelector:\n"
        "        matchLabels: {{app: {2}}}\n"
        "        matchExpressions:\n"
        "        - {{key: tier, operator: In, values: [backend, frontend]}}\n"
        "      pre:\n"
        "      - exec: {{command: [/bin/sh, -c, \"sync\"], timeout: 1m, onError: Fail}}\n"
        "      post:\n"
        "      - exec: {{command: [/bin/true], onError: Continue}}\n",
        e, e % 5, app);
  }
  return yaml;
}

}  // namespace stillpoint::bench
