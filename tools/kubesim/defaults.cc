#include "defaults.h"

#include <string>

#include "continue_token.h"
#include "job_defaults.h"
#include "object_meta.h"
#include "pod_defaults.h"

namespace stillpoint::kubesim {
namespace {

using nlohmann::json;

void fill(json& o, const char* key, json value) {
  fill_default(o, key, std::move(value));
}

json& object_at(json& o, const char* key) {
  if (!o.contains(key) || !o[key].is_object())
    o[key] = json::object();
  return o[key];
}

// pkg/apis/apps/v1/defaults.go. kubectl rollout status refuses a StatefulSet or DaemonSet
// whose updateStrategy.type is not RollingUpdate, so these matter beyond looks.
void default_workload(const std::string& key, json& spec, KubeRelease release) {
  if (key != "daemonsets.apps")
    fill(spec, "replicas", 1);
  if (key == "deployments.apps") {
    json& strategy = object_at(spec, "strategy");
    fill(strategy, "type", "RollingUpdate");
    if (strategy["type"] == "RollingUpdate") {
      json& ru = object_at(strategy, "rollingUpdate");
      fill(ru, "maxUnavailable", "25%");
      fill(ru, "maxSurge", "25%");
    }
    fill(spec, "revisionHistoryLimit", 10);
    fill(spec, "progressDeadlineSeconds", 600);
  } else if (key == "statefulsets.apps") {
    json& strategy = object_at(spec, "updateStrategy");
    fill(strategy, "type", "RollingUpdate");
    if (strategy["type"] == "RollingUpdate") {
      fill(object_at(strategy, "rollingUpdate"), "partition", 0);
    }
    fill(spec, "podManagementPolicy", "OrderedReady");
    fill(spec, "revisionHistoryLimit", 10);
    if (release == KubeRelease::Current) {  // StatefulSetAutoDeletePVC, beta since 1.27
      json& retention = object_at(spec, "persistentVolumeClaimRetentionPolicy");
      fill(retention, "whenDeleted", "Retain");
      fill(retention, "whenScaled", "Retain");
    }
    // Claim templates are PersistentVolumeClaims: their defaults, and the zero timestamp.
    if (auto it = spec.find("volumeClaimTemplates"); it != spec.end() && it->is_array()) {
      for (json& claim : *it) {
        if (!claim.is_object())
          continue;
        fill(claim, "apiVersion", "v1");
        fill(claim, "kind", "PersistentVolumeClaim");
        json& md = object_at(claim, "metadata");
        if (!md.contains("creationTimestamp"))
          md["creationTimestamp"] = nullptr;
        fill(object_at(claim, "spec"), "volumeMode", "Filesystem");
        fill(object_at(claim, "status"), "phase", "Pending");
      }
    }
  } else if (key == "daemonsets.apps") {
    json& strategy = object_at(spec, "updateStrategy");
    fill(strategy, "type", "RollingUpdate");
    if (strategy["type"] == "RollingUpdate") {
      json& ru = object_at(strategy, "rollingUpdate");
      fill(ru, "maxUnavailable", 1);
      if (release == KubeRelease::Current)
        fill(ru, "maxSurge", 0);  // since 1.21
    }
    fill(spec, "revisionHistoryLimit", 10);
  }
  if (spec.contains("template"))
    apply_pod_template_defaults(spec["template"]);
}

// pkg/apis/batch/v1beta1/defaults.go (v1 since 1.21).
void default_cron_job(json& spec) {
  fill(spec, "concurrencyPolicy", "Allow");
  fill(spec, "suspend", false);
  fill(spec, "successfulJobsHistoryLimit", 3);
  fill(spec, "failedJobsHistoryLimit", 1);
  json& job_template = object_at(spec, "jobTemplate");
  json& md = object_at(job_template, "metadata");
  if (!md.contains("creationTimestamp"))
    md["creationTimestamp"] = nullptr;
  json& job_spec = object_at(job_template, "spec");
  if (job_spec.contains("template"))
    apply_pod_template_defaults(job_spec["template"]);
}

// SetDefaults_Service (1.20), plus what later releases add.
void default_service(json& service, KubeRelease release) {
  json& spec = object_at(service, "spec");
  fill(spec, "sessionAffinity", "None");
  if (spec["sessionAffinity"] == "None") {
    spec.erase("sessionAffinityConfig");
  } else if (spec["sessionAffinity"] == "ClientIP") {
    json& config = object_at(object_at(spec, "sessionAffinityConfig"), "clientIP");
    fill(config, "timeoutSeconds", 10800);
  }
  fill(spec, "type", "ClusterIP");
  const std::string type = spec["type"].is_string() ? spec["type"].get<std::string>() : "";
  if (auto it = spec.find("ports"); it != spec.end() && it->is_array()) {
    for (json& p : *it) {
      if (!p.is_object())
        continue;
      fill(p, "protocol", "TCP");
      if (!p.contains("targetPort") || p["targetPort"] == 0 || p["targetPort"] == "") {
        if (p.contains("port"))
          p["targetPort"] = p["port"];
      }
    }
  }
  if (type == "NodePort" || type == "LoadBalancer") {
    fill(spec, "externalTrafficPolicy", "Cluster");
  }
  if (release == KubeRelease::Current) {
    if (type != "ExternalName")
      fill(spec, "internalTrafficPolicy", "Cluster");  // since 1.22
    if (type == "LoadBalancer")
      fill(spec, "allocateLoadBalancerNodePorts", true);  // 1.24
  }
  object_at(object_at(service, "status"), "loadBalancer");
}

// Convert_v1_Secret_To_core_Secret: stringData is write-only, merged over data as base64.
void default_secret(json& secret) {
  fill(secret, "type", "Opaque");
  auto it = secret.find("stringData");
  if (it == secret.end())
    return;
  if (it->is_object()) {
    json& data = object_at(secret, "data");
    for (const auto& [k, v] : it->items()) {
      if (v.is_string())
        data[k] = base64_encode(v.get_ref<const std::string&>());
    }
  }
  secret.erase("stringData");
}

// SetDefaults_PersistentVolumeClaim(Spec), SetDefaults_PersistentVolume.
void default_claim(json& claim) {
  json& spec = object_at(claim, "spec");
  fill(spec, "volumeMode", "Filesystem");
  object_at(spec, "resources");
  fill(object_at(claim, "status"), "phase", "Pending");
}

void default_volume(json& pv) {
  json& spec = object_at(pv, "spec");
  fill(spec, "persistentVolumeReclaimPolicy", "Retain");
  fill(spec, "volumeMode", "Filesystem");
  if (auto it = spec.find("hostPath"); it != spec.end() && it->is_object())
    fill(*it, "type", "");
  fill(object_at(pv, "status"), "phase", "Pending");
}

void default_namespace(json& ns, KubeRelease release) {
  json& md = ns["metadata"];
  if (release == KubeRelease::Current && md.contains("name") && md["name"].is_string()) {
    // SetDefaults_Namespace, since 1.21: the name as a label, so selectors can pick it.
    object_at(md, "labels")["kubernetes.io/metadata.name"] = md["name"];
  }
  fill(object_at(ns, "status"), "phase", "Active");
}

// SetDefaults_Subject: a subject's apiGroup follows its kind.
void default_binding(json& binding) {
  auto it = binding.find("subjects");
  if (it == binding.end() || !it->is_array())
    return;
  for (json& s : *it) {
    if (!s.is_object())
      continue;
    const std::string kind = s.value("kind", "");
    if (kind == "User" || kind == "Group") {
      fill(s, "apiGroup", "rbac.authorization.k8s.io");
    }
  }
}

// pkg/apis/core/v1/helper/qos: Guaranteed when every container limits cpu and memory and
// requests equal limits; BestEffort when no container requests or limits anything.
std::string qos_class(const json& spec) {
  bool any = false;
  bool guaranteed = true;
  for (const char* list : {"initContainers", "containers"}) {
    auto it = spec.find(list);
    if (it == spec.end() || !it->is_array())
      continue;
    for (const json& c : *it) {
      const json r = c.is_object() ? c.value("resources", json::object()) : json::object();
      const json limits = r.is_object() ? r.value("limits", json::object()) : json::object();
      json requests = r.is_object() ? r.value("requests", json::object()) : json::object();
      if (!limits.empty() || !requests.empty())
        any = true;
      for (const char* res : {"cpu", "memory"}) {
        if (!limits.is_object() || !limits.contains(res)) {
          guaranteed = false;
        } else if (requests.is_object() && requests.contains(res) && requests[res] != limits[res]) {
          guaranteed = false;
        }
      }
    }
  }
  return !any ? "BestEffort" : guaranteed ? "Guaranteed" : "Burstable";
}

constexpr const char* kTemplateGeneration = "deprecated.daemonset.template.generation";

}  // namespace

void carry_over_on_update(const ResourceType& type, const json& old, json& next) {
  if (type.key() != "daemonsets.apps" || !next.contains("metadata"))
    return;
  const json& old_md = old["metadata"];
  std::string generation = "1";
  if (old_md.contains("annotations") && old_md["annotations"].is_object()) {
    generation = old_md["annotations"].value(kTemplateGeneration, "1");
  }
  const json old_template = old.contains("spec") ? old["spec"].value("template", json()) : json();
  const json new_template = next.contains("spec") && next["spec"].is_object()
                                ? next["spec"].value("template", json())
                                : json();
  if (old_template != new_template) {
    try {
      generation = std::to_string(std::stol(generation) + 1);
    } catch (const std::exception&) {
      generation = "1";
    }
  }
  object_at(next["metadata"], "annotations")[kTemplateGeneration] = generation;
}

bool has_generation(const ResourceType& type, KubeRelease release) {
  if (type.key() == "jobs.batch") {
    return release == KubeRelease::Current;  // a 1.20 Job has none (its strategy sets none)
  }
  // A ControllerRevision is immutable data: its strategy keeps no generation.
  return type.custom || (type.group == "apps" && type.plural != "controllerrevisions") ||
         type.group == "batch" || type.key() == "customresourcedefinitions.apiextensions.k8s.io";
}

void apply_defaults(const ResourceType& type, json& object, KubeRelease release) {
  if (!object.is_object())
    return;
  const std::string key = type.key();
  if (key == "pods") {
    if (object.contains("spec"))
      apply_pod_spec_defaults(object["spec"]);
    apply_pod_only_defaults(object);
  } else if (key == "deployments.apps" || key == "statefulsets.apps" || key == "replicasets.apps" ||
             key == "daemonsets.apps") {
    if (object.contains("spec") && object["spec"].is_object()) {
      default_workload(key, object["spec"], release);
    }
    if (!object.contains("status"))
      object["status"] = json::object();
  } else if (key == "jobs.batch") {
    if (object.contains("spec") && object["spec"].is_object() &&
        object["spec"].contains("template")) {
      apply_pod_template_defaults(object["spec"]["template"]);
    }
  } else if (key == "cronjobs.batch") {
    if (object.contains("spec") && object["spec"].is_object())
      default_cron_job(object["spec"]);
  } else if (key == "services") {
    default_service(object, release);
  } else if (key == "secrets") {
    default_secret(object);
  } else if (key == "persistentvolumeclaims") {
    default_claim(object);
  } else if (key == "persistentvolumes") {
    default_volume(object);
  } else if (key == "namespaces") {
    default_namespace(object, release);
  } else if (key == "storageclasses.storage.k8s.io") {
    fill(object, "reclaimPolicy", "Delete");
    fill(object, "volumeBindingMode", "Immediate");
  } else if (key == "rolebindings.rbac.authorization.k8s.io" ||
             key == "clusterrolebindings.rbac.authorization.k8s.io") {
    default_binding(object);
  } else if (key == "customresourcedefinitions.apiextensions.k8s.io") {
    if (object.contains("spec") && object["spec"].is_object()) {
      fill(object_at(object["spec"], "conversion"), "strategy", "None");
      json& names = object_at(object["spec"], "names");
      if (names.contains("kind") && names["kind"].is_string()) {
        fill(names, "listKind", names["kind"].get<std::string>() + "List");
      }
    }
  }
}

void apply_create_defaults(const ResourceType& type, json& object, KubeRelease release) {
  json& md = object["metadata"];
  md["uid"] = new_uid();
  md["creationTimestamp"] = now_rfc3339();
  if (has_generation(type, release)) {
    md["generation"] = 1;
  } else {
    md.erase("generation");
  }
  md.erase("deletionTimestamp");
  md.erase("deletionGracePeriodSeconds");
  const std::string key = type.key();
  if (key == "pods") {
    json& spec = object["spec"];
    // No scheduler: the single node takes every pod at once.
    if (!spec.contains("nodeName") || spec["nodeName"].is_null()) {
      spec["nodeName"] = kNodeName;
    }
    object["status"] = {{"phase", "Pending"}, {"qosClass", qos_class(spec)}};
  } else if (key == "daemonsets.apps") {
    // PrepareForCreate: TemplateGeneration 1, which apps/v1 carries as an annotation.
    object_at(md, "annotations")[kTemplateGeneration] = "1";
  } else if (key == "namespaces") {
    // Namespace PrepareForCreate: the finalizer the namespace controller removes last.
    object["spec"] = {{"finalizers", {"kubernetes"}}};
    object.erase("status");
  } else if (key == "jobs.batch") {
    apply_job_defaults(object, release);
  }
  apply_defaults(type, object, release);
}

}  // namespace stillpoint::kubesim
