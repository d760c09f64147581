// Pod annotations, the most common untrusted hook input. The input is lines of
// "<selector byte><value>": the selector picks one of the hook annotation keys (or, past the
// known keys, uses the value up to '=' as the key), so the fuzzer reaches every value parser.
// Each pod is then planned for backup and restore; a pod object parsed from the whole input
// is planned too, and its volumes selected for data backup (both modes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/documents.h"
#include "hooks/backup_planner.h"
#include "hooks/restore_planner.h"
#include "hooks/volume_selection.h"

using namespace stillpoint;

namespace {

constexpr const char* kKeys[] = {
    "pre.hook.backup.velero.io/container",      "pre.hook.backup.velero.io/command",
    "pre.hook.backup.velero.io/on-error",       "pre.hook.backup.velero.io/timeout",
    "post.hook.backup.velero.io/container",     "post.hook.backup.velero.io/command",
    "post.hook.backup.velero.io/on-error",      "post.hook.backup.velero.io/timeout",
    "hook.backup.velero.io/container",          "hook.backup.velero.io/command",
    "hook.backup.velero.io/on-error",           "hook.backup.velero.io/timeout",
    "post.hook.restore.velero.io/container",    "post.hook.restore.velero.io/command",
    "post.hook.restore.velero.io/on-error",     "post.hook.restore.velero.io/exec-timeout",
    "post.hook.restore.velero.io/wait-timeout", "post.hook.restore.velero.io/wait-for-ready",
    "init.hook.restore.velero.io/container-image", "init.hook.restore.velero.io/container-name",
    "init.hook.restore.velero.io/command",
};
constexpr size_t kKeyCount = sizeof(kKeys) / sizeof(kKeys[0]);

void plan(const hooks::Pod& pod) {
  static const hooks::BackupSpec kBackup;
  static const hooks::RestoreSpec kRestore;
  (void)hooks::BackupPlanner(kBackup).plan(pod);
  (void)hooks::RestorePlanner(kRestore).plan(pod);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  hooks::Pod pod;
  pod.namespace_name = "ns";
  pod.name = "p";
  pod.containers = {"a", "b"};
  pod.sidecars = {"s"};
  pod.phase = "Running";
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      end = text.size();
    }
    const std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty()) {
      continue;
    }
    const auto selector = static_cast<unsigned char>(line[0]);
    std::string_view value = line.substr(1);
    if (selector % 32 < kKeyCount) {
      pod.annotations[kKeys[selector % 32]] = std::string(value);
    } else {
      const size_t eq = value.find('=');
      pod.annotations[std::string(value.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(value.substr(eq + 1));
    }
  }
  plan(pod);
  if (auto docs = core::parse_documents(text, "fuzz")) {
    for (const auto& doc : *docs) {
      (void)hooks::select_pod_volumes(doc.value, false);
      (void)hooks::select_pod_volumes(doc.value, true);
      if (auto parsed = hooks::pod_from_json(doc.value, "fuzz")) {
        plan(*parsed);
      }
    }
  }
  return 0;
}
