// Writes the whole-command benchmark inputs: make_hook_inputs DIR [PODS] [ENTRIES]
// → DIR/pods.json (a PodList) and DIR/backup.yaml (a Backup with hook entries).
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "synthetic_cluster.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_hook_inputs DIR [PODS] [ENTRIES]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const size_t pods = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10'000;
  const size_t entries = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 20;
  std::ofstream(dir + "/pods.json") << stillpoint::bench::make_pod_list(pods).dump();
  std::ofstream(dir + "/backup.yaml") << stillpoint::bench::make_backup_spec_yaml(entries);
  return 0;
}
