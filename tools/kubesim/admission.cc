#include "admission.h"

#include <set>

#include "default_storage_class.h"
#include "object_meta.h"

namespace stillpoint::kubesim {
namespace {

using nlohmann::json;

ApiError forbidden_pod(const json& pod, const std::string& why) {
  const json& md = pod["metadata"];
  std::string name = md.value("name", "");
  if (name.empty())
    name = md.value("generateName", "");
  return ApiError{403,
                  "Forbidden",
                  "pods \"" + name + "\" is forbidden: " + why,
                  {{"name", name}, {"kind", "pods"}}};
}

// The token secret the 1.20 token controller made and listed in the account's `secrets`.
std::string referenced_token_secret(const Store& store,
                                    const std::string& ns,
                                    const json& account) {
  auto it = account.find("secrets");
  if (it == account.end() || !it->is_array())
    return "";
  for (const json& ref : *it) {
    if (!ref.is_object() || !ref.contains("name") || !ref["name"].is_string())
      continue;
    const std::string name = ref["name"];
    const Stored* s = store.get("secrets", ns, name);
    if (s != nullptr && (*s->object).value("type", "") == "kubernetes.io/service-account-token") {
      return name;
    }
  }
  return "";
}

// ServiceAccountTokenVolumeProjection: what the kubelet fills with a bound token, the
// cluster's CA and the namespace.
json projected_token_volume(const std::string& name) {
  return {{"name", name},
          {"projected",
           {{"sources",
             json::array(
                 {{{"serviceAccountToken", {{"expirationSeconds", 3607}, {"path", "token"}}}},
                  {{"configMap",
                    {{"name", kRootCaConfigMap},
                     {"items", json::array({{{"key", "ca.crt"}, {"path", "ca.crt"}}})}}}},
                  {{"downwardAPI",
                    {{"items", json::array({{{"path", "namespace"},
                                             {"fieldRef",
                                              {{"apiVersion", "v1"},
                                               {"fieldPath", "metadata.namespace"}}}}})}}}}})}}}};
}

bool automount(const json& account, const json& spec) {
  if (spec.contains("automountServiceAccountToken") &&
      spec["automountServiceAccountToken"].is_boolean()) {
    return spec["automountServiceAccountToken"].get<bool>();
  }
  if (account.contains("automountServiceAccountToken") &&
      account["automountServiceAccountToken"].is_boolean()) {
    return account["automountServiceAccountToken"].get<bool>();
  }
  return true;
}

std::optional<ApiError> admit_service_account(const Store& store,
                                              const std::string& ns,
                                              json& pod,
                                              KubeRelease release) {
  json& spec = pod["spec"];
  if (!spec.contains("serviceAccountName") || !spec["serviceAccountName"].is_string() ||
      spec["serviceAccountName"].get_ref<const std::string&>().empty()) {
    // The deprecated field is an alias a client may still send alone.
    spec["serviceAccountName"] =
        spec.contains("serviceAccount") && spec["serviceAccount"].is_string() &&
                !spec["serviceAccount"].get_ref<const std::string&>().empty()
            ? spec["serviceAccount"]
            : json("default");
  }
  const std::string account_name = spec["serviceAccountName"];
  spec["serviceAccount"] = account_name;  // the v1 conversion keeps both
  const Stored* account = store.get("serviceaccounts", ns, account_name);
  if (account == nullptr) {
    return forbidden_pod(pod, "error looking up service account " + ns + "/" + account_name +
                                  ": serviceaccount \"" + account_name + "\" not found");
  }
  if (!automount(*account->object, spec))
    return std::nullopt;

  std::string token_secret;
  if (release == KubeRelease::V1_20) {
    token_secret = referenced_token_secret(store, ns, *account->object);
    if (token_secret.empty()) {
      return ApiError{500,
                      "ServerTimeout",
                      "No API token found for service account \"" + account_name +
                          "\", retry after the token is automatically created and added to "
                          "the service account",
                      {{"name", "create pod"}, {"kind", "serviceaccounts"}}};
    }
  }
  if (!spec.contains("volumes") || !spec["volumes"].is_array())
    spec["volumes"] = json::array();
  json& volumes = spec["volumes"];
  std::string volume_name;
  std::set<std::string> names;
  for (const json& v : volumes) {
    if (!v.is_object())
      continue;
    const std::string name = v.value("name", "");
    names.insert(name);
    const bool is_token = release == KubeRelease::V1_20
                              ? v.contains("secret") && v["secret"].is_object() &&
                                    v["secret"].value("secretName", "") == token_secret
                              : name.rfind("kube-api-access-", 0) == 0;
    if (is_token && volume_name.empty())
      volume_name = name;
  }
  const bool has_volume = !volume_name.empty();
  if (!has_volume) {
    if (release == KubeRelease::V1_20) {
      volume_name = token_secret;
      if (names.count(volume_name) != 0)
        volume_name = token_secret + "-" + random_suffix(5);
    } else {
      volume_name = "kube-api-access-" + random_suffix(5);
    }
  }
  bool needs_volume = false;
  for (const char* list : {"initContainers", "containers"}) {
    auto it = spec.find(list);
    if (it == spec.end() || !it->is_array())
      continue;
    for (json& c : *it) {
      if (!c.is_object())
        continue;
      if (!c.contains("volumeMounts") || !c["volumeMounts"].is_array()) {
        c["volumeMounts"] = json::array();
      }
      bool mounted = false;
      for (const json& m : c["volumeMounts"]) {
        if (m.is_object() && m.value("mountPath", "") == kServiceAccountMountPath)
          mounted = true;
      }
      if (!mounted) {
        c["volumeMounts"].push_back(
            {{"name", volume_name}, {"readOnly", true}, {"mountPath", kServiceAccountMountPath}});
        needs_volume = true;
      }
    }
  }
  if (needs_volume && !has_volume) {
    volumes.push_back(release == KubeRelease::V1_20
                          ? json{{"name", volume_name}, {"secret", {{"secretName", token_secret}}}}
                          : projected_token_volume(volume_name));
  }
  if (volumes.empty())
    spec.erase("volumes");
  return std::nullopt;
}

std::optional<ApiError> admit_priority(json& pod) {
  json& spec = pod["spec"];
  const std::string class_name = spec.value("priorityClassName", "");
  int64_t priority = 0;
  if (class_name == "system-node-critical") {
    priority = 2000001000;
  } else if (class_name == "system-cluster-critical") {
    priority = 2000000000;
  } else if (!class_name.empty()) {
    return forbidden_pod(pod, "no PriorityClass with name " + class_name + " was found");
  }
  if (spec.contains("priority") && spec["priority"].is_number_integer() &&
      spec["priority"].get<int64_t>() != priority) {
    return forbidden_pod(pod, "the integer value of priority (" + spec["priority"].dump() +
                                  ") must not be provided in pod spec; priority admission "
                                  "controller computed " +
                                  std::to_string(priority) + " from the given PriorityClass name");
  }
  const char* policy = "PreemptLowerPriority";
  if (spec.contains("preemptionPolicy") && spec["preemptionPolicy"].is_string() &&
      spec["preemptionPolicy"] != policy) {
    return forbidden_pod(pod, "the string value of PreemptionPolicy (" +
                                  spec["preemptionPolicy"].get<std::string>() +
                                  ") must not be provided in pod spec; priority admission "
                                  "controller computed " +
                                  policy + " from the given PriorityClass name");
  }
  spec["priority"] = priority;
  spec["preemptionPolicy"] = policy;
  return std::nullopt;
}

void admit_default_tolerations(json& pod) {
  json& spec = pod["spec"];
  if (!spec.contains("tolerations") || !spec["tolerations"].is_array()) {
    spec["tolerations"] = json::array();
  }
  json& tolerations = spec["tolerations"];
  for (const char* taint : {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
    bool tolerated = false;
    for (const json& t : tolerations) {
      if (!t.is_object())
        continue;
      const std::string key = t.value("key", "");
      const std::string effect = t.value("effect", "");
      if ((key == taint || key.empty()) && (effect == "NoExecute" || effect.empty())) {
        tolerated = true;
      }
    }
    if (!tolerated) {
      tolerations.push_back({{"key", taint},
                             {"operator", "Exists"},
                             {"effect", "NoExecute"},
                             {"tolerationSeconds", 300}});
    }
  }
}

}  // namespace

std::optional<ApiError> admit_pod(const Store& store,
                                  const std::string& ns,
                                  json& pod,
                                  KubeRelease release) {
  if (!pod.contains("spec") || !pod["spec"].is_object()) {
    return std::nullopt;  // validation answers with 422
  }
  if (auto e = admit_service_account(store, ns, pod, release))
    return e;
  if (auto e = admit_priority(pod))
    return e;
  admit_default_tolerations(pod);
  return std::nullopt;
}

void admit_storage_object(const std::string& resource, json& object) {
  const char* finalizer = resource == "persistentvolumeclaims" ? "kubernetes.io/pvc-protection"
                          : resource == "persistentvolumes"    ? "kubernetes.io/pv-protection"
                                                               : nullptr;
  if (finalizer == nullptr)
    return;
  json& md = object["metadata"];
  if (!md.contains("finalizers") || !md["finalizers"].is_array())
    md["finalizers"] = json::array();
  for (const json& f : md["finalizers"]) {
    if (f == finalizer)
      return;
  }
  md["finalizers"].push_back(finalizer);
}

std::optional<ApiError> admit(const Store& store,
                              const std::string& resource,
                              const std::string& ns,
                              json& object,
                              KubeRelease release,
                              bool storage_protection) {
  // A pod in a namespace that does not exist is answered with 404 later, not refused here.
  if (resource == "pods" && object.contains("spec") && object["spec"].is_object() &&
      store.get("namespaces", "", ns) != nullptr) {
    if (auto denied = admit_pod(store, ns, object, release))
      return denied;
  }
  if (storage_protection)
    admit_storage_object(resource, object);
  if (resource == "persistentvolumeclaims")
    admit_default_storage_class(store, object);
  return std::nullopt;
}

}  // namespace stillpoint::kubesim
