#include "pod_defaults.h"

#include <string>

namespace stillpoint::kubesim {
namespace {

using nlohmann::json;

void fill(json& o, const char* key, json value) {
  fill_default(o, key, std::move(value));
}

// SetDefaults_HTTPGetAction, SetDefaults_Probe (and the lifecycle handlers, which share the
// action types).
void default_handler(json& handler) {
  if (!handler.is_object())
    return;
  if (auto it = handler.find("httpGet"); it != handler.end() && it->is_object()) {
    fill(*it, "path", "/");
    fill(*it, "scheme", "HTTP");
  }
}

void default_probe(json& probe) {
  if (!probe.is_object())
    return;
  fill(probe, "timeoutSeconds", 1);
  fill(probe, "periodSeconds", 10);
  fill(probe, "successThreshold", 1);
  fill(probe, "failureThreshold", 3);
  default_handler(probe);
}

// SetDefaults_ObjectFieldSelector: a fieldRef without apiVersion means v1.
void default_field_ref(json& holder) {
  if (!holder.is_object())
    return;
  if (auto it = holder.find("fieldRef"); it != holder.end() && it->is_object()) {
    fill(*it, "apiVersion", "v1");
  }
}

void default_container(json& c) {
  if (!c.is_object())
    return;
  fill(c, "imagePullPolicy", default_pull_policy(c.value("image", "")));
  fill(c, "terminationMessagePath", "/dev/termination-log");
  fill(c, "terminationMessagePolicy", "File");
  // ResourceRequirements is a struct, not a pointer: Go always writes it.
  if (!c.contains("resources") || c["resources"].is_null()) {
    c["resources"] = json::object();
  }
  if (auto it = c.find("ports"); it != c.end() && it->is_array()) {
    for (json& p : *it) {
      if (p.is_object())
        fill(p, "protocol", "TCP");
    }
  }
  for (const char* probe : {"livenessProbe", "readinessProbe", "startupProbe"}) {
    if (auto it = c.find(probe); it != c.end())
      default_probe(*it);
  }
  if (auto it = c.find("lifecycle"); it != c.end() && it->is_object()) {
    for (const char* h : {"postStart", "preStop"}) {
      if (auto hit = it->find(h); hit != it->end())
        default_handler(*hit);
    }
  }
  if (auto it = c.find("env"); it != c.end() && it->is_array()) {
    for (json& e : *it) {
      if (e.is_object() && e.contains("valueFrom"))
        default_field_ref(e["valueFrom"]);
    }
  }
}

// The items of a downwardAPI volume or projection.
void default_downward_items(json& source) {
  if (auto it = source.find("items"); it != source.end() && it->is_array()) {
    for (json& item : *it)
      default_field_ref(item);
  }
}

// SetDefaults_Volume and the sources' defaults: a volume with no source is an emptyDir; secret,
// configMap, downwardAPI and projected files get mode 0644 (420); a hostPath type is "".
void default_volume(json& v) {
  if (!v.is_object())
    return;
  static const char* const kSources[] = {"hostPath",
                                         "emptyDir",
                                         "gcePersistentDisk",
                                         "awsElasticBlockStore",
                                         "gitRepo",
                                         "secret",
                                         "nfs",
                                         "iscsi",
                                         "glusterfs",
                                         "persistentVolumeClaim",
                                         "rbd",
                                         "flexVolume",
                                         "cinder",
                                         "cephfs",
                                         "flocker",
                                         "downwardAPI",
                                         "fc",
                                         "azureFile",
                                         "configMap",
                                         "vsphereVolume",
                                         "quobyte",
                                         "azureDisk",
                                         "photonPersistentDisk",
                                         "projected",
                                         "portworxVolume",
                                         "scaleIO",
                                         "storageos",
                                         "csi",
                                         "ephemeral"};
  bool has_source = false;
  for (const char* s : kSources) {
    if (v.contains(s) && !v[s].is_null())
      has_source = true;
  }
  if (!has_source)
    v["emptyDir"] = json::object();
  for (const char* s : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (auto it = v.find(s); it != v.end() && it->is_object())
      fill(*it, "defaultMode", 420);
  }
  if (auto it = v.find("hostPath"); it != v.end() && it->is_object())
    fill(*it, "type", "");
  if (auto it = v.find("downwardAPI"); it != v.end() && it->is_object()) {
    default_downward_items(*it);
  }
  if (auto it = v.find("projected"); it != v.end() && it->is_object()) {
    if (auto sources = it->find("sources"); sources != it->end() && sources->is_array()) {
      for (json& source : *sources) {
        if (!source.is_object())
          continue;
        if (auto d = source.find("downwardAPI"); d != source.end() && d->is_object()) {
          default_downward_items(*d);
        }
        if (auto t = source.find("serviceAccountToken"); t != source.end() && t->is_object()) {
          fill(*t, "expirationSeconds", 3600);
        }
      }
    }
  }
}

}  // namespace

void fill_default(json& o, const char* key, json value) {
  auto it = o.find(key);
  if (it == o.end() || it->is_null() ||
      (it->is_string() && it->get_ref<const std::string&>().empty())) {
    o[key] = std::move(value);
  }
}

const char* default_pull_policy(const std::string& image) {
  // A digest pins the image: no tag is implied.
  if (image.find('@') != std::string::npos) {
    return "IfNotPresent";
  }
  size_t slash = image.rfind('/');
  size_t colon = image.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  if (!tagged) {
    return "Always";  // no tag means :latest
  }
  return image.substr(colon + 1) == "latest" ? "Always" : "IfNotPresent";
}

void apply_pod_spec_defaults(json& spec) {
  if (!spec.is_object())
    return;
  fill(spec, "dnsPolicy", "ClusterFirst");
  fill(spec, "restartPolicy", "Always");
  if (!spec.contains("securityContext") || spec["securityContext"].is_null()) {
    spec["securityContext"] = json::object();
  }
  fill(spec, "terminationGracePeriodSeconds", 30);
  fill(spec, "schedulerName", "default-scheduler");
  const bool host_network = spec.value("hostNetwork", false);
  for (const char* list : {"initContainers", "containers"}) {
    auto it = spec.find(list);
    if (it == spec.end() || !it->is_array())
      continue;
    for (json& c : *it) {
      default_container(c);
      // SetDefaults_PodSpec: on the host network a port is the host's port.
      if (host_network && c.is_object() && c.contains("ports") && c["ports"].is_array()) {
        for (json& p : c["ports"]) {
          if (p.is_object() && p.contains("containerPort"))
            fill(p, "hostPort", p["containerPort"]);
        }
      }
    }
  }
  if (auto it = spec.find("volumes"); it != spec.end() && it->is_array()) {
    for (json& v : *it)
      default_volume(v);
  }
}

void apply_pod_only_defaults(json& pod) {
  if (!pod.contains("spec") || !pod["spec"].is_object())
    return;
  json& spec = pod["spec"];
  fill(spec, "enableServiceLinks", true);
  // Requests default to limits, resource by resource.
  for (const char* list : {"initContainers", "containers"}) {
    auto it = spec.find(list);
    if (it == spec.end() || !it->is_array())
      continue;
    for (json& c : *it) {
      if (!c.is_object() || !c.contains("resources") || !c["resources"].is_object())
        continue;
      json& r = c["resources"];
      if (!r.contains("limits") || !r["limits"].is_object())
        continue;
      for (const auto& [name, quantity] : r["limits"].items()) {
        if (!r.contains("requests") || !r["requests"].is_object())
          r["requests"] = json::object();
        if (!r["requests"].contains(name))
          r["requests"][name] = quantity;
      }
    }
  }
}

void apply_pod_template_defaults(json& template_object) {
  if (!template_object.is_object())
    return;
  if (!template_object.contains("metadata") || !template_object["metadata"].is_object()) {
    template_object["metadata"] = json::object();
  }
  if (!template_object["metadata"].contains("creationTimestamp")) {
    template_object["metadata"]["creationTimestamp"] = nullptr;
  }
  if (!template_object.contains("spec") || template_object["spec"].is_null()) {
    template_object["spec"] = json::object();
  }
  apply_pod_spec_defaults(template_object["spec"]);
}

}  // namespace stillpoint::kubesim
