#include "restore/object_transform.h"

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>

#include <fmt/format.h>

namespace stillpoint::restore {
namespace {

using nlohmann::json;

// Accessors that never throw: nlohmann's operator[], erase and get<> throw on a value of the
// wrong type, and every value here comes from an untrusted archive.

json* member(json& parent, std::string_view key) {
  if (!parent.is_object())
    return nullptr;
  auto it = parent.find(key);
  return it == parent.end() ? nullptr : &*it;
}

const json* member(const json& parent, std::string_view key) {
  if (!parent.is_object())
    return nullptr;
  auto it = parent.find(key);
  return it == parent.end() ? nullptr : &*it;
}

json* object_member(json& parent, std::string_view key) {
  json* v = member(parent, key);
  return v != nullptr && v->is_object() ? v : nullptr;
}

const json* object_member(const json& parent, std::string_view key) {
  const json* v = member(parent, key);
  return v != nullptr && v->is_object() ? v : nullptr;
}

// The object at the end of `path`, or nullptr when a step is absent or not an object.
json* object_path(json& root, std::initializer_list<std::string_view> path) {
  json* at = &root;
  for (auto key : path) {
    at = object_member(*at, key);
    if (at == nullptr)
      return nullptr;
  }
  return at;
}

json* array_member(json& parent, std::string_view key) {
  json* v = member(parent, key);
  return v != nullptr && v->is_array() ? v : nullptr;
}

// The string at `key`, or nullopt when absent or not a string.
std::optional<std::string_view> string_member(const json& parent, std::string_view key) {
  const json* v = member(parent, key);
  if (v == nullptr || !v->is_string())
    return std::nullopt;
  return std::string_view(v->get_ref<const std::string&>());
}

void erase(json* parent, std::string_view key) {
  if (parent != nullptr && parent->is_object())
    parent->erase(std::string(key));
}

void erase_all(json* parent, std::initializer_list<std::string_view> keys) {
  for (auto key : keys)
    erase(parent, key);
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// Removes the elements of the array at `key` whose "name" starts with `prefix`.
void drop_named(json* parent, std::string_view key, std::string_view prefix) {
  json* list = parent != nullptr ? array_member(*parent, key) : nullptr;
  if (list == nullptr)
    return;
  json kept = json::array();
  for (auto& element : *list) {
    const auto name = string_member(element, "name");
    if (!name || !starts_with(*name, prefix))
      kept.push_back(std::move(element));
  }
  *list = std::move(kept);
}

// Replaces the string at `key` by its target namespace when the mapping names it.
void map_namespace(json* holder, std::string_view key, const TransformContext& context) {
  json* ns = holder != nullptr ? member(*holder, key) : nullptr;
  if (ns == nullptr || !ns->is_string())
    return;
  auto it = context.namespace_mapping.find(ns->get_ref<const std::string&>());
  if (it != context.namespace_mapping.end())
    *ns = it->second;
}

const json* annotations_of(const json& object) {
  const json* metadata = object_member(object, "metadata");
  return metadata != nullptr ? object_member(*metadata, "annotations") : nullptr;
}

json* annotations_of(json& object) {
  json* metadata = object_member(object, "metadata");
  return metadata != nullptr ? object_member(*metadata, "annotations") : nullptr;
}

// Why Velero leaves this item out of a restore (§3.8), judged on the object as backed up
// (a Job's completionTime lives in the status that is stripped later); empty to restore it.
std::string skip_reason(const json& object, std::string_view group_resource) {
  const json empty = json::object();
  const json* annotations = annotations_of(object);
  if (annotations == nullptr)
    annotations = &empty;
  const json* status = object_member(object, "status");
  const json* spec = object_member(object, "spec");
  if (group_resource == "pods") {
    const auto phase = status != nullptr ? string_member(*status, "phase") : std::nullopt;
    if (phase == "Succeeded" || phase == "Failed") {
      return fmt::format("pod has completed (phase {})", *phase);
    }
    if (annotations->contains("kubernetes.io/config.mirror")) {
      return "mirror pod: the kubelet recreates it from its static manifest";
    }
  } else if (group_resource == "persistentvolumes") {
    if (spec != nullptr && string_member(*spec, "persistentVolumeReclaimPolicy") == "Delete") {
      // Velero restores such a volume only from a snapshot, which stillpoint does not take yet.
      return "dynamically provisioned volume (reclaim policy Delete) without a snapshot: its "
             "claim is provisioned anew";
    }
  } else if (group_resource == "secrets") {
    const auto account = string_member(*annotations, "kubernetes.io/service-account.name");
    const json* metadata = object_member(object, "metadata");
    const auto name = metadata != nullptr ? string_member(*metadata, "name") : std::nullopt;
    if (string_member(object, "type") == "kubernetes.io/service-account-token" && account &&
        !account->empty() && name && starts_with(*name, std::string(*account) + "-token-")) {
      return fmt::format(
          "token secret generated for service account {}: the token controller "
          "makes a new one",
          *account);
    }
  } else if (group_resource == "jobs.batch") {
    // Any non-null value counts: re-running a finished Job (a migration, say) is the harmful
    // mistake, so a corrupt completionTime errs on the side of skipping.
    const json* completion = status != nullptr ? member(*status, "completionTime") : nullptr;
    if (completion != nullptr && !completion->is_null())
      return "job has completed";
  }
  return "";
}

void strip_metadata(json& metadata) {
  // generateName only matters when there is no name: the server would make up a new one.
  if (string_member(metadata, "name").value_or("") != "")
    erase(&metadata, "generateName");
  // Velero keeps managedFields and merge-patches them back after create; we drop them, so the
  // restored object's field ownership starts afresh with stillpoint's create.
  erase_all(&metadata, {"selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
                        "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences",
                        "managedFields"});
}

void prepare_pod(json& pod) {
  json* spec = object_member(pod, "spec");
  if (spec == nullptr)
    return;
  // The scheduler picks a node in the new cluster; priority admission recomputes priority from
  // priorityClassName and rejects a mismatch.
  erase_all(spec, {"nodeName", "priority"});
  drop_service_account_token_volumes(pod);
}

}  // namespace

void drop_service_account_token_volumes(json& pod) {
  json* spec = object_member(pod, "spec");
  if (spec == nullptr)
    return;
  std::string account(string_member(*spec, "serviceAccountName").value_or(""));
  if (account.empty())
    account = string_member(*spec, "serviceAccount").value_or("");
  if (account.empty())
    account = "default";
  // Legacy token volumes name a secret that is not restored (it is auto-generated).
  const std::string prefix = account + "-token-";
  drop_named(spec, "volumes", prefix);
  for (std::string_view list : {"containers", "initContainers"}) {
    json* containers = array_member(*spec, list);
    if (containers == nullptr)
      continue;
    for (auto& container : *containers)
      drop_named(&container, "volumeMounts", prefix);
  }
}

namespace {

// A port number (1-65535) given as a JSON number or a decimal string (kubectl writes numbers;
// Velero also accepts strings), else nullopt.
std::optional<int64_t> port_number(const json* value) {
  constexpr int64_t kMaxPort = 65535;
  if (value == nullptr)
    return std::nullopt;
  int64_t n = 0;
  if (value->is_number_integer()) {
    // An unsigned value above INT64_MAX wraps to a negative number and is refused below.
    n = value->get<int64_t>();
  } else if (value->is_number_float()) {
    const double d = value->get<double>();
    if (!(d >= 1 && d <= kMaxPort))
      return std::nullopt;  // also refuses NaN; no UB cast
    n = static_cast<int64_t>(d);
  } else if (value->is_string()) {
    const auto& s = value->get_ref<const std::string&>();
    if (s.empty() || s.size() > 5 || s.find_first_not_of("0123456789") != std::string::npos) {
      return std::nullopt;
    }
    n = std::stoll(s);
  }
  return n >= 1 && n <= kMaxPort ? std::optional<int64_t>(n) : std::nullopt;
}

// NodePorts the user wrote into the manifest (per kubectl's last-applied-configuration), which
// Velero keeps; the others were allocated by the cluster and may collide in the new one.
// Named ports match by name, unnamed ones by the nodePort value (Velero's deleteNodePorts).
struct ExplicitNodePorts {
  std::unordered_set<std::string> names;
  std::unordered_set<int64_t> unnamed;
};

ExplicitNodePorts explicit_node_ports(const json& service) {
  ExplicitNodePorts out;
  const json* annotations = annotations_of(service);
  const auto text =
      annotations != nullptr
          ? string_member(*annotations, "kubectl.kubernetes.io/last-applied-configuration")
          : std::nullopt;
  if (!text)
    return out;
  // allow_exceptions=false: bad syntax and out-of-range numbers give a discarded value.
  const json applied = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const json* spec = object_member(applied, "spec");
  const json* ports = spec != nullptr ? member(*spec, "ports") : nullptr;
  if (ports == nullptr || !ports->is_array())
    return out;
  for (const auto& port : *ports) {
    const auto node_port = port_number(member(port, "nodePort"));
    if (!node_port)
      continue;
    const auto name = string_member(port, "name");
    if (name && !name->empty()) {
      out.names.emplace(*name);
    } else {
      out.unnamed.insert(*node_port);
    }
  }
  return out;
}

void prepare_service(json& service) {
  json* spec = object_member(service, "spec");
  if (spec == nullptr)
    return;
  // A headless service keeps "None"; any other cluster IP is reallocated by the new cluster.
  if (string_member(*spec, "clusterIP") != "None")
    erase_all(spec, {"clusterIP", "clusterIPs"});
  erase(spec, "healthCheckNodePort");
  json* ports = array_member(*spec, "ports");
  if (ports == nullptr)
    return;
  const auto keep = explicit_node_ports(service);
  for (auto& port : *ports) {
    if (!port.is_object())
      continue;
    const auto name = string_member(port, "name");
    const bool explicit_port =
        name && !name->empty()
            ? keep.names.contains(std::string(*name))
            : keep.unnamed.contains(port_number(member(port, "nodePort")).value_or(0));
    if (!explicit_port)
      erase(&port, "nodePort");
  }
}

void prepare_volume(json& volume, const TransformContext& context) {
  json* spec = object_member(volume, "spec");
  json* claim = spec != nullptr ? object_member(*spec, "claimRef") : nullptr;
  // The claim is re-created with a new uid; the controller rebinds by namespace and name.
  erase_all(claim, {"uid", "resourceVersion"});
  map_namespace(claim, "namespace", context);
  erase_all(annotations_of(volume),
            {"pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller"});
}

void prepare_claim(json& claim, const TransformContext& context) {
  // Binding and provisioning state of the old cluster: the PV controller sets it again.
  erase_all(annotations_of(claim),
            {"pv.kubernetes.io/bind-completed", "pv.kubernetes.io/bound-by-controller",
             "volume.kubernetes.io/storage-provisioner",
             "volume.beta.kubernetes.io/storage-provisioner", "volume.kubernetes.io/selected-node",
             "velero.io/volume-snapshot-name", "velero.io/data-upload-name"});
  // volumeName is kept so the claim binds to its restored volume, unless that volume was left
  // for the provisioner: then a bound name would leave the claim Pending for ever.
  json* spec = object_member(claim, "spec");
  const auto volume = spec != nullptr ? string_member(*spec, "volumeName") : std::nullopt;
  if (volume && context.reprovisioned_volumes.contains(std::string(*volume))) {
    erase(spec, "volumeName");
  }
}

void prepare_secret(json& secret) {
  if (string_member(secret, "type") != "kubernetes.io/service-account-token")
    return;
  // A hand-made token secret: the token controller fills in the new account's uid and token.
  erase(annotations_of(secret), "kubernetes.io/service-account.uid");
  erase_all(object_member(secret, "data"), {"token", "ca.crt"});
}

void prepare_service_account(json& account, const json& metadata) {
  const auto name = string_member(metadata, "name");
  if (!name)
    return;
  // References to auto-generated token secrets, which are not restored.
  drop_named(&account, "secrets", std::string(*name) + "-token-");
  // None left: leave the field to the token controller. A real cluster's service account
  // controller makes `default` as soon as the namespace exists, with its own token listed, and
  // an empty list here would make every restore warn that it differs from the backup.
  const json* secrets = member(account, "secrets");
  if (secrets != nullptr && secrets->is_array() && secrets->empty())
    erase(&account, "secrets");
}

void prepare_job(json& job) {
  // The selector and pod labels name the old Job's uid; without them the API server generates
  // a selector for the new Job instead of rejecting the mismatch.
  for (json* labels : {object_path(job, {"spec", "selector", "matchLabels"}),
                       object_path(job, {"spec", "template", "metadata", "labels"})}) {
    erase_all(labels, {"controller-uid", "batch.kubernetes.io/controller-uid"});
  }
}

void prepare_role_binding(json& binding, const TransformContext& context) {
  json* subjects = array_member(binding, "subjects");
  if (subjects == nullptr)
    return;
  for (auto& subject : *subjects)
    map_namespace(&subject, "namespace", context);
}

Transformed skipped(json object, std::string reason) {
  return Transformed{std::move(object), std::move(reason)};
}

}  // namespace

std::string label_value(std::string_view name) {
  constexpr size_t kMaxLabelValue = 63;
  if (name.size() <= kMaxLabelValue)
    return std::string(name);
  uint64_t hash = 14695981039346656037ULL;  // FNV-1a, 64 bit
  for (unsigned char c : name) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  // Velero does the same with a SHA-256 prefix; ours differs, but only for names over 63 bytes.
  return fmt::format("{}-{}", name.substr(0, kMaxLabelValue - 6),
                     fmt::format("{:016x}", hash).substr(0, 5));
}

Transformed prepare_for_restore(json object,
                                std::string_view group_resource,
                                const TransformContext& context) {
  if (!object.is_object())
    return skipped(std::move(object), "not a JSON object");
  if (auto reason = skip_reason(object, group_resource); !reason.empty()) {
    return skipped(std::move(object), std::move(reason));
  }
  json* metadata = object_member(object, "metadata");
  if (metadata == nullptr) {
    return skipped(std::move(object), "invalid item: metadata is missing or not an object");
  }
  json* labels = member(*metadata, "labels");
  if (labels != nullptr && !labels->is_null() && !labels->is_object()) {
    return skipped(std::move(object), "invalid item: metadata.labels is not an object");
  }

  strip_metadata(*metadata);
  erase(&object, "status");
  json& restore_labels = (*metadata)["labels"];  // null or object: operator[] is safe here
  restore_labels["velero.io/backup-name"] = label_value(context.backup_name);
  restore_labels["velero.io/restore-name"] = label_value(context.restore_name);
  map_namespace(metadata, "namespace", context);

  if (group_resource == "namespaces") {
    // Velero creates the target namespace from the backed-up one, under its mapped name.
    map_namespace(metadata, "name", context);
  } else if (group_resource == "pods") {
    prepare_pod(object);
  } else if (group_resource == "services") {
    prepare_service(object);
  } else if (group_resource == "persistentvolumes") {
    prepare_volume(object, context);
  } else if (group_resource == "persistentvolumeclaims") {
    prepare_claim(object, context);
  } else if (group_resource == "secrets") {
    prepare_secret(object);
  } else if (group_resource == "serviceaccounts") {
    prepare_service_account(object, *metadata);
  } else if (group_resource == "jobs.batch") {
    prepare_job(object);
  } else if (group_resource == "rolebindings.rbac.authorization.k8s.io" ||
             group_resource == "clusterrolebindings.rbac.authorization.k8s.io") {
    prepare_role_binding(object, context);
  }
  return Transformed{std::move(object), ""};
}

}  // namespace stillpoint::restore
