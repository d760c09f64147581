// Backup/Restore spec files: YAML or JSON → documents → spec → plans for a fixed pod.
// Any input must end in a value or an error, never a crash, hang or unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "core/documents.h"
#include "hooks/backup_planner.h"
#include "hooks/restore_planner.h"
#include "hooks/spec_file.h"

using namespace stillpoint;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto docs = core::parse_documents(text, "fuzz");
  if (!docs) {
    return 0;
  }
  hooks::Pod pod;
  pod.namespace_name = "prod";
  pod.name = "db-0";
  pod.labels = {{"app", "db"}};
  pod.containers = {"db", "sidecar"};
  pod.phase = "Running";
  for (const auto& doc : *docs) {
    auto spec = hooks::parse_spec_object(doc.value, "fuzz");
    if (!spec) {
      continue;
    }
    if (spec->is_restore()) {
      hooks::RestorePlanner planner(std::get<hooks::RestoreSpec>(spec->spec));
      (void)planner.why_not_restored(pod);
      (void)planner.plan(pod);
    } else {
      hooks::BackupPlanner planner(std::get<hooks::BackupSpec>(spec->spec));
      (void)planner.why_not_item(pod);
      (void)planner.plan(pod);
    }
  }
  return 0;
}
