// ItemBlocks (../shared/spec/hooks.md §3): a pod with its PersistentVolumeClaims and their
// PersistentVolumes; pods that share a claim land in the same block, so a volume shared by
// two pods is captured while both are quiesced. Pure: no I/O.
#pragma once

#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace stillpoint::backup {

struct PodClaims {
  std::string pod_key;              // "ns/name"
  std::vector<std::string> claims;  // claim names in the pod's namespace
};

struct BlockLayout {
  std::vector<size_t> pods;          // indices into the input, in input order
  std::vector<std::string> claims;   // "ns/claim", first-seen order, no duplicates
};

// Groups pods by shared claims (connected components), blocks in order of their first pod.
std::vector<BlockLayout> group_item_blocks(const std::vector<PodClaims>& pods);

}  // namespace stillpoint::backup
