// Hook selection and planning speed (issue 2): 10,000 pods against 20 spec entries.
// Measures the pure engine (no file I/O): pods/s for backup and restore planning, and the
// cost of decoding the pods from JSON. The whole command is timed by scripts/bench.
#include <benchmark/benchmark.h>

#include "core/documents.h"
#include "hooks/backup_planner.h"
#include "hooks/restore_planner.h"
#include "hooks/spec_file.h"
#include "synthetic_cluster.h"

namespace stillpoint::bench {
namespace {

constexpr size_t kPods = 10'000;
constexpr size_t kEntries = 20;

std::vector<hooks::Pod> decoded_pods() {
  const nlohmann::json list = make_pod_list(kPods);
  std::vector<hooks::Pod> pods;
  for (const auto& item : list["items"]) {
    pods.push_back(*hooks::pod_from_json(item, "bench"));
  }
  return pods;
}

hooks::BackupSpec backup_spec() {
  auto docs = core::parse_documents(make_backup_spec_yaml(kEntries), "bench");
  return std::get<hooks::BackupSpec>(hooks::parse_spec_object(docs->front().value, "bench")->spec);
}

void BM_BackupHookSelection(benchmark::State& state) {
  const auto pods = decoded_pods();
  const auto spec = backup_spec();
  hooks::BackupPlanner planner(spec);
  size_t hooks_planned = 0;
  for (auto _ : state) {
    for (const auto& pod : pods) {
      if (!planner.why_not_item(pod)) {
        auto plan = planner.plan(pod);
        hooks_planned += plan.pre.size() + plan.post.size();
        benchmark::DoNotOptimize(plan);
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pods.size()));
  state.counters["hooks_per_iter"] =
      static_cast<double>(hooks_planned) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_BackupHookSelection)->Unit(benchmark::kMillisecond);

void BM_RestoreHookSelection(benchmark::State& state) {
  const auto pods = decoded_pods();
  std::string yaml = make_backup_spec_yaml(kEntries);
  // Same selectors as restore hooks: pre/post exec become postHooks exec.
  hooks::RestoreSpec spec;
  for (const auto& entry : backup_spec().hooks) {
    hooks::RestoreResourceHookSpec r;
    r.name = entry.name;
    r.selector = entry.selector;
    for (const auto& h : entry.pre) {
      r.post_hooks.push_back({hooks::RestoreExecHook{h->container, h->command, h->on_error,
                                                     h->timeout, std::nullopt, std::nullopt},
                              std::nullopt});
    }
    spec.hooks.push_back(std::move(r));
  }
  hooks::RestorePlanner planner(spec);
  for (auto _ : state) {
    for (const auto& pod : pods) {
      auto plan = planner.plan(pod);
      benchmark::DoNotOptimize(plan);
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * pods.size()));
}
BENCHMARK(BM_RestoreHookSelection)->Unit(benchmark::kMillisecond);

void BM_DecodePodsFromJson(benchmark::State& state) {
  const std::string text = make_pod_list(kPods).dump();
  for (auto _ : state) {
    auto docs = core::parse_documents(text, "bench");
    std::vector<hooks::Pod> pods;
    for (const auto& item : docs->front().value["items"]) {
      pods.push_back(*hooks::pod_from_json(item, "bench"));
    }
    benchmark::DoNotOptimize(pods);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kPods));
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * text.size()));
}
BENCHMARK(BM_DecodePodsFromJson)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace stillpoint::bench

BENCHMARK_MAIN();
