#include "collect.h"

#include <thread>

#include "normalise.h"
#include "reduce.h"
#include "settle.h"

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

// Items of a `kubectl get -o json` list, appended to `out`; "" or what went wrong.
std::string append_items(const kubesim::testing::CommandResult& r,
                         std::vector<json>& out,
                         const std::function<bool(const json&)>& keep) {
  if (r.exit_code != 0)
    return r.describe();
  const json list = json::parse(r.out, nullptr, false);
  if (!list.is_object() || !list.contains("items"))
    return "not a list: " + r.out;
  for (const json& item : list["items"]) {
    if (keep(item))
      out.push_back(item);
  }
  return "";
}

bool ours(const json& volume) {
  const json spec = volume.value("spec", json::object());
  const json claim = spec.value("claimRef", json::object());
  return volume.value("metadata", json::object()).value("name", "") == kStaticVolume ||
         (claim.is_object() && claim.value("namespace", "") == kNamespace);
}

// One read of everything the test compares; "" or the first failure.
std::string read_all(const Kubectl& kubectl, std::vector<json>& objects) {
  objects.clear();
  const auto all = [](const json&) { return true; };
  std::string error = append_items(
      kubectl({"get", "-n", kNamespace, kObjectTypes, "-o", "json"}, ""), objects, all);
  if (error.empty()) {
    error = append_items(kubectl({"get", std::string("namespace/") + kNamespace,
                                  std::string("customresourcedefinition/") + kCrd, "-o", "json"},
                                 ""),
                         objects, all);
  }
  if (error.empty()) {
    error = append_items(kubectl({"get", "persistentvolumes", "-o", "json"}, ""), objects, ours);
  }
  return error;
}

}  // namespace

Answer apply_and_settle(const Kubectl& kubectl,
                        const std::filesystem::path& manifests,
                        std::chrono::seconds limit) {
  const Clock::time_point start = Clock::now();
  Answer answer;
  bool applied = false;
  Reduced previous;
  while (true) {
    answer.errors.clear();
    if (!applied) {
      const kubesim::testing::CommandResult r = kubectl({"apply", "-f", manifests.string()}, "");
      applied = r.exit_code == 0;
      if (!applied)
        answer.errors.push_back("kubectl apply: " + r.describe());
    }
    const std::string read_error = read_all(kubectl, answer.objects);
    if (!read_error.empty())
      answer.errors.push_back("kubectl get: " + read_error);
    answer.unsettled = unsettled(answer.objects);
    Reduced now = reduce_answer(answer.objects);
    const bool steady = now == previous;
    previous = std::move(now);
    answer.took = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    if (answer.settled() && steady)
      return answer;
    if (Clock::now() - start > limit)
      return answer;
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

Reduced reduce_answer(const std::vector<json>& objects) {
  const Normaliser normaliser(objects);
  Reduced out;
  for (const json& o : objects) {
    std::set<std::string> lines = reduce(normaliser.apply(o));
    out[normaliser.key(o)].merge(lines);
  }
  return out;
}

std::string delete_fidelity_objects(const Kubectl& kubectl) {
  std::string failures;
  const auto run = [&](const std::vector<std::string>& args) {
    const kubesim::testing::CommandResult r = kubectl(args, "");
    if (r.exit_code != 0)
      failures += r.describe();
  };
  // A 1.20 kubelet confirms a pod gone (so the API server removes it and the namespace can go)
  // about 45 s after its container stopped, whatever the grace period (measured here: the
  // container exits at once on SIGTERM and its volumes are unmounted within a second). Once
  // the namespace is terminating, so no controller makes new pods, the pods are removed from
  // the API without that confirmation; the kubelet still stops their containers, and
  // realcluster.stop removes every sandbox. This takes the real cluster's cleanup from about
  // 60 s to a few.
  run({"delete", "namespace", kNamespace, "--ignore-not-found", "--wait=false"});
  run({"delete", "pods", "--all", "-n", kNamespace, "--grace-period=0", "--force",
       "--ignore-not-found", "--wait=false"});
  run({"delete", "namespace", kNamespace, "--ignore-not-found", "--wait=true", "--timeout=120s"});
  run({"delete", std::string("persistentvolume/") + kStaticVolume,
       std::string("customresourcedefinition/") + kCrd, "--ignore-not-found", "--wait=true",
       "--timeout=60s"});
  return failures;
}

}  // namespace stillpoint::fidelity
