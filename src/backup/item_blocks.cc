#include "backup/item_blocks.h"

#include <numeric>
#include <unordered_map>

namespace stillpoint::backup {
namespace {

std::string namespace_of(const std::string& pod_key) {
  return pod_key.substr(0, pod_key.find('/'));
}

struct DisjointSets {
  explicit DisjointSets(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t find(size_t x) {
    while (parent[x] != x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  }
  // The smaller index stays the root, so a block is identified by its first pod.
  void unite(size_t a, size_t b) {
    a = find(a);
    b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent[b] = a;
  }
  std::vector<size_t> parent;
};

}  // namespace

std::vector<BlockLayout> group_item_blocks(const std::vector<PodClaims>& pods) {
  DisjointSets sets(pods.size());
  std::unordered_map<std::string, size_t> first_pod_of_claim;
  for (size_t i = 0; i < pods.size(); ++i) {
    const std::string ns = namespace_of(pods[i].pod_key);
    for (const auto& claim : pods[i].claims) {
      auto [it, inserted] = first_pod_of_claim.try_emplace(ns + "/" + claim, i);
      if (!inserted) sets.unite(it->second, i);
    }
  }
  std::vector<BlockLayout> blocks;
  std::unordered_map<size_t, size_t> block_of_root;
  std::unordered_map<std::string, bool> claim_added;
  for (size_t i = 0; i < pods.size(); ++i) {
    const size_t root = sets.find(i);
    auto [it, inserted] = block_of_root.try_emplace(root, blocks.size());
    if (inserted) blocks.emplace_back();
    BlockLayout& block = blocks[it->second];
    block.pods.push_back(i);
    const std::string ns = namespace_of(pods[i].pod_key);
    for (const auto& claim : pods[i].claims) {
      const std::string key = ns + "/" + claim;
      if (!claim_added[key]) {
        claim_added[key] = true;
        block.claims.push_back(key);
      }
    }
  }
  return blocks;
}

}  // namespace stillpoint::backup
