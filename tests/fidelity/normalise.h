// Generated names and references, made comparable across servers and runs. A server names a
// Deployment's ReplicaSet `web-<hash>`, its pod `web-<hash>-<5 random>`, a token Secret
// `default-token-<5 random>`, a provisioned volume `pvc-<claim uid>`, and copies those names and
// uids into other objects (ownerReferences, labels, volumes, claimRefs). Rewriting every string
// of every object the same way keeps the references comparable: a pod's ownerReference reads
// `{uid:ReplicaSet/web-{hash}}`, so a reference to the wrong owner still shows as a difference.
//
// Learned from the set of objects (all of one namespace's answer plus its cluster-scoped ones):
//   {hash}  the part of a ReplicaSet's or ControllerRevision's name after its controller's name,
//           and every `pod-template-hash` / `controller-revision-hash` label value of a
//           ReplicaSet or ControllerRevision;
//   {rand}  the 5 characters a server appended to a `generateName`, and in any string the
//           suffix of `<account>-token-xxxxx` and `kube-api-access-xxxxx`;
//   {uid:KIND/NAME}  every object's `metadata.uid`, by the (rewritten) object it belongs to;
//   {node}  a string equal to a pod's `spec.nodeName` (`127.0.0.1` on the realcluster tier,
//           `kubesim` on kubesim).
// Not done here: dropping values that are volatile in themselves (timestamps, IPs): reduce.h.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::fidelity {

class Normaliser {
 public:
  explicit Normaliser(const std::vector<nlohmann::json>& objects);

  // `object` with every string value (not member names) rewritten.
  nlohmann::json apply(const nlohmann::json& object) const;
  std::string rewrite(std::string text) const;
  // "KIND NAMESPACE/NAME" (or "KIND NAME" when cluster-scoped), rewritten: the object's
  // identity in a recording.
  std::string key(const nlohmann::json& object) const;

 private:
  // Applied in order, each replacing every occurrence: uids first (whose replacements already
  // hold rewritten names), then learned names longest first, then hashes.
  std::vector<std::pair<std::string, std::string>> substitutions_;
  std::string node_;
};

}  // namespace stillpoint::fidelity
