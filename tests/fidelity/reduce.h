// The fidelity test's view of one API object: the sorted set of its field paths, each with its
// value where the value is stable from one server and one run to the next. Two servers that
// answer alike give equal sets; what differs reads as a list of paths.
//
// Paths: members joined by `.` (`spec.restartPolicy`; map keys are kept whole, so a label reads
// `metadata.labels.app.kubernetes.io/name`). List elements are keyed where the list names them,
// so a difference says which container or volume it is in, and collapsed to `[]` otherwise:
//   - every element an object with a string `name`  -> `[NAME]`  (containers, volumes, env, ports
//     with names, ownerReferences, ...);
//   - a `conditions` list                            -> `[TYPE]`  (`status.conditions[Ready]`);
//   - anything else                                  -> `[]`, elements merged into one set
//     (tolerations, accessModes, command): order and duplicates are not compared.
// Leaves: `path=value` for strings, numbers, booleans and null; `path={}` / `path=[]` for an
// empty object or list (a real server returns `securityContext: {}`, which is worth comparing).
//
// Volatile values are dropped, keeping the path alone (`metadata.uid`), by `volatile_value()`.
// `metadata.managedFields` is dropped whole: it records which client wrote which field and
// when, nothing a backup restores (stillpoint strips it, src/restore/object_transform.cc), and
// kubectl since 1.21 leaves it out of `get -o json` anyway.
//
// Not done here: names and references that embed generated parts (`web-<hash>-<rand>`, uids
// inside other values) are rewritten across the whole set of objects first (normalise.h).
#pragma once

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace stillpoint::fidelity {

// The set of `path` / `path=value` lines of `object` (one whole API object, with `kind`).
std::set<std::string> reduce(const nlohmann::json& object);

// Whether the value at `keys` (the member names from the object's root, list levels left out)
// of an object of `kind` changes from run to run or server to server: uids, resourceVersions,
// every timestamp, IP addresses, allocated node ports, container and image IDs, the client's
// last-applied copy of the manifest, the token and CA of service account Secrets and of the
// `kube-root-ca.crt` ConfigMap, and the random directory of a provisioned hostPath volume.
// `object` is the whole object, for the rules that depend on it.
bool volatile_value(const nlohmann::json& object, const std::vector<std::string>& keys);

}  // namespace stillpoint::fidelity
