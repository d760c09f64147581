#include "pod_setup.h"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "continue_token.h"

namespace stillpoint::kubesim {
namespace {

namespace fs = std::filesystem;
using core::ErrorCode;
using core::unexpected;

const nlohmann::json& field(const nlohmann::json& obj, const char* key) {
  static const nlohmann::json kNull;
  if (!obj.is_object()) {
    return kNull;
  }
  auto it = obj.find(key);
  return it == obj.end() ? kNull : *it;
}

std::optional<int64_t> int_field(const nlohmann::json& obj, const char* key) {
  const nlohmann::json& v = field(obj, key);
  if (v.is_number_integer()) {
    return v.get<int64_t>();
  }
  return std::nullopt;
}

void write_file(const fs::path& path, const std::string& data) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// ConfigMap/Secret keys (or the listed items) as files.
core::Status project_keys(const std::map<std::string, std::string>& data,
                          const nlohmann::json& items, const fs::path& dir) {
  if (items.is_array() && !items.empty()) {
    for (const auto& item : items) {
      std::string key = item.value("key", "");
      std::string path = item.value("path", key);
      auto it = data.find(key);
      if (it == data.end()) {
        return unexpected(ErrorCode::NotFound, "configuration key \"" + key + "\" not found");
      }
      if (path.find("..") != std::string::npos || path.starts_with("/")) {
        return unexpected(ErrorCode::InvalidArgument, "invalid item path " + path);
      }
      write_file(dir / path, it->second);
    }
    return core::ok();
  }
  for (const auto& [k, v] : data) {
    if (k.find('/') == std::string::npos && k != ".." && k != ".") {
      write_file(dir / k, v);
    }
  }
  return core::ok();
}

core::Result<std::map<std::string, std::string>> object_data(const Store& store,
                                                             const std::string& resource,
                                                             const std::string& ns,
                                                             const std::string& name,
                                                             bool optional) {
  const Stored* s = store.get(resource, ns, name);
  std::map<std::string, std::string> out;
  if (s == nullptr) {
    if (optional) {
      return out;
    }
    return unexpected(ErrorCode::NotFound,
                      (resource == "secrets" ? "secret \"" : "configmap \"") + name + "\" not found");
  }
  const nlohmann::json& obj = *s->object;
  if (resource == "secrets") {
    for (const auto& [k, v] : field(obj, "data").items()) {
      if (v.is_string()) {
        auto d = base64_decode(v.get<std::string>());
        out[k] = d ? *d : std::string();
      }
    }
    for (const auto& [k, v] : field(obj, "stringData").items()) {
      if (v.is_string()) {
        out[k] = v.get<std::string>();
      }
    }
  } else {
    for (const auto& [k, v] : field(obj, "data").items()) {
      if (v.is_string()) {
        out[k] = v.get<std::string>();
      }
    }
    for (const auto& [k, v] : field(obj, "binaryData").items()) {
      if (v.is_string()) {
        auto d = base64_decode(v.get<std::string>());
        out[k] = d ? *d : std::string();
      }
    }
  }
  return out;
}

// fsGroup as a kubelet applies it to a fresh volume: the volume root is group-owned by it,
// group-writable and setgid so new files inherit the group. Deliberately not recursive: a
// recursive chmod (the kubelet's "Always" policy) would make PostgreSQL refuse a data
// directory that must stay 0700, which is why real deployments use OnRootMismatch.
void apply_fs_group(const fs::path& root, gid_t group) {
  if (chown(root.c_str(), static_cast<uid_t>(-1), group) == 0) {
    chmod(root.c_str(), 02775);
  }
}

std::string pod_field(const nlohmann::json& pod, const std::string& path) {
  const nlohmann::json& md = field(pod, "metadata");
  if (path == "metadata.name") return md.value("name", "");
  if (path == "metadata.namespace") return md.value("namespace", "");
  if (path == "metadata.uid") return md.value("uid", "");
  if (path == "spec.nodeName") return field(pod, "spec").value("nodeName", "");
  if (path == "spec.serviceAccountName") return field(pod, "spec").value("serviceAccountName", "");
  if (path == "status.podIP" || path == "status.hostIP") return "127.0.0.1";
  for (const char* m : {"labels", "annotations"}) {
    std::string prefix = std::string("metadata.") + m + "['";
    if (path.starts_with(prefix) && path.ends_with("']")) {
      std::string key = path.substr(prefix.size(), path.size() - prefix.size() - 2);
      const nlohmann::json& map = field(md, m);  // value() throws on null: absent map
      return map.is_object() ? map.value(key, "") : "";
    }
  }
  return "";
}

// Later definitions win, as in a container runtime; execve would otherwise see the first.
void set_env(std::vector<std::string>& env, const std::string& entry) {
  std::string name = entry.substr(0, entry.find('=') + 1);
  std::erase_if(env, [&](const std::string& e) { return e.starts_with(name); });
  env.push_back(entry);
}

}  // namespace

std::string expand_vars(const std::string& text, const std::vector<std::string>& env) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '$') {
      out += '$';
      ++i;
      continue;
    }
    if (text[i] == '$' && i + 1 < text.size() && text[i + 1] == '(') {
      size_t close = text.find(')', i + 2);
      if (close != std::string::npos) {
        std::string name = text.substr(i + 2, close - i - 2);
        for (auto it = env.rbegin(); it != env.rend(); ++it) {
          if (it->size() > name.size() && it->compare(0, name.size(), name) == 0 &&
              (*it)[name.size()] == '=') {
            out += it->substr(name.size() + 1);
            i = close;
            goto next;
          }
        }
      }
    }
    out += text[i];
  next:;
  }
  return out;
}

// A downwardAPI volume's items, or a projected volume's sources, as files: ConfigMap and
// Secret keys, pod fields, and for a service account token a placeholder (kubesim
// authenticates only its own bearer token, so a pod cannot use it; the file is there because
// programs check for it). This is what the kube-api-access volume of every pod holds.
core::Status fill_projected(const Store& store, const nlohmann::json& pod,
                            const nlohmann::json& volume, const fs::path& dir) {
  const std::string ns = field(pod, "metadata").value("namespace", "");
  auto downward = [&](const nlohmann::json& src) -> core::Status {
    const nlohmann::json& items = field(src, "items");
    if (!items.is_array()) return core::ok();
    for (const auto& item : items) {
      const std::string path = item.is_object() ? item.value("path", "") : "";
      if (path.empty() || path.find("..") != std::string::npos || path.starts_with("/")) {
        return unexpected(ErrorCode::InvalidArgument, "invalid item path " + path);
      }
      const nlohmann::json& ref = field(item, "fieldRef");
      write_file(dir / path, ref.is_object() ? pod_field(pod, ref.value("fieldPath", "")) : "");
    }
    return core::ok();
  };
  if (volume.contains("downwardAPI")) {
    return downward(volume["downwardAPI"]);
  }
  const nlohmann::json& sources = field(field(volume, "projected"), "sources");
  if (!sources.is_array()) return core::ok();
  for (const auto& source : sources) {
    if (source.contains("configMap") || source.contains("secret")) {
      const bool is_secret = source.contains("secret");
      const nlohmann::json& src = is_secret ? source["secret"] : source["configMap"];
      auto data = object_data(store, is_secret ? "secrets" : "configmaps", ns,
                              src.value("name", ""), src.value("optional", false));
      if (!data) return unexpected(data.error());
      if (auto p = project_keys(*data, field(src, "items"), dir); !p) return p;
    } else if (source.contains("downwardAPI")) {
      if (auto d = downward(source["downwardAPI"]); !d) return d;
    } else if (source.contains("serviceAccountToken")) {
      const std::string path = field(source, "serviceAccountToken").value("path", "token");
      if (path.find("..") != std::string::npos || path.starts_with("/")) {
        return unexpected(ErrorCode::InvalidArgument, "invalid token path " + path);
      }
      write_file(dir / path, "kubesim-projected-token");
    }
  }
  return core::ok();
}

core::Result<std::map<std::string, std::string>> prepare_volumes(const Store& store,
                                                                 const nlohmann::json& pod,
                                                                 const fs::path& sandbox,
                                                                 const fs::path& data_dir,
                                                                 bool claims_are_bound) {
  std::map<std::string, std::string> out;
  const nlohmann::json& spec = field(pod, "spec");
  std::string ns = field(pod, "metadata").value("namespace", "");
  auto fs_group = int_field(field(spec, "securityContext"), "fsGroup");
  std::error_code ec;
  const nlohmann::json& volumes = field(spec, "volumes");
  if (!volumes.is_array()) {
    return out;
  }
  for (const auto& v : volumes) {
    std::string name = v.value("name", "");
    fs::path dir = sandbox / "volumes" / name;
    bool owned = true;  // fsGroup applies to volumes the kubelet manages, not hostPath
    if (v.contains("hostPath")) {
      const nlohmann::json& hp = v["hostPath"];
      std::string path = hp.value("path", "");
      std::string type = hp.value("type", "");
      if (path.empty() || path[0] != '/') {
        return unexpected(ErrorCode::InvalidArgument, "hostPath " + path + " is not absolute");
      }
      if (type == "FileOrCreate" && !fs::exists(path)) {
        write_file(path, "");
      } else if ((type.empty() || type == "DirectoryOrCreate") && !fs::exists(path)) {
        fs::create_directories(path, ec);
      } else if ((type == "Directory" && !fs::is_directory(path)) ||
                 (type == "File" && !fs::is_regular_file(path))) {
        return unexpected(ErrorCode::NotFound, "hostPath type check failed: " + path + " is not a " + type);
      }
      out[name] = path;
      owned = false;
    } else if (v.contains("configMap") || v.contains("secret")) {
      bool is_secret = v.contains("secret");
      const nlohmann::json& src = is_secret ? v["secret"] : v["configMap"];
      std::string obj = src.value(is_secret ? "secretName" : "name", "");
      auto data = object_data(store, is_secret ? "secrets" : "configmaps", ns, obj,
                              src.value("optional", false));
      if (!data) {
        return unexpected(data.error());
      }
      fs::remove_all(dir, ec);
      fs::create_directories(dir, ec);
      auto projected = project_keys(*data, field(src, "items"), dir);
      if (!projected) {
        return unexpected(projected.error());
      }
      out[name] = dir.string();
    } else if (v.contains("persistentVolumeClaim")) {
      std::string claim = v["persistentVolumeClaim"].value("claimName", "");
      const Stored* pvc = store.get("persistentvolumeclaims", ns, claim);
      if (pvc == nullptr) {
        return unexpected(ErrorCode::NotFound,
                          "persistentvolumeclaim \"" + claim + "\" not found");
      }
      std::string pv_name = field(field(*pvc->object, "spec"), "volumeName").is_string()
                                ? (*pvc->object)["spec"]["volumeName"].get<std::string>()
                                : "";
      std::string path;
      if (!pv_name.empty()) {
        const Stored* pv = store.get("persistentvolumes", "", pv_name);
        if (pv == nullptr) {
          return unexpected(ErrorCode::NotFound, "persistentvolume \"" + pv_name + "\" not found");
        }
        const nlohmann::json& pvspec = field(*pv->object, "spec");
        // A volume reserved for another claim never binds this one (the PV controller's
        // syncUnboundClaim): the pod stays unscheduled, as on a real cluster.
        const nlohmann::json& ref = field(pvspec, "claimRef");
        const std::string ref_uid = ref.is_object() ? ref.value("uid", "") : "";
        const std::string claim_uid = field(*pvc->object, "metadata").value("uid", "");
        if (ref.is_object() && (ref.value("namespace", "") != ns ||
                                ref.value("name", "") != claim ||
                                (!ref_uid.empty() && ref_uid != claim_uid))) {
          return unexpected(ErrorCode::Conflict,
                            "persistentvolumeclaim \"" + claim + "\": volume \"" + pv_name +
                                "\" already bound to a different claim.");
        }
        // value() throws on a null (absent) member: read each source only when present.
        for (const char* source : {"hostPath", "local"}) {
          const nlohmann::json& src = field(pvspec, source);
          if (path.empty() && src.is_object()) path = src.value("path", "");
        }
        if (path.empty()) {
          return unexpected(ErrorCode::InvalidArgument,
                            "persistentvolume \"" + pv_name + "\" has no hostPath or local path");
        }
      } else if (claims_are_bound) {
        // The scheduler's VolumeBinding plugin keeps the pod until the PV controller (or its
        // provisioner) has bound the claim.
        return unexpected(ErrorCode::Conflict,
                          "persistentvolumeclaim \"" + claim + "\" is not bound");
      } else {
        // No provisioner runs; an unbound claim gets a directory of its own that outlives
        // the pod, which is what a dynamically provisioned volume looks like to the pod.
        path = (data_dir / "pvc" / ns / (claim + "-" +
                                          field(*pvc->object, "metadata").value("uid", "")))
                   .string();
      }
      fs::create_directories(path, ec);
      out[name] = path;
    } else if (v.contains("projected") || v.contains("downwardAPI")) {
      fs::remove_all(dir, ec);
      fs::create_directories(dir, ec);
      auto filled = fill_projected(store, pod, v, dir);
      if (!filled) {
        return unexpected(filled.error());
      }
      out[name] = dir.string();
    } else {
      // emptyDir, and what we do not model: an empty directory.
      fs::create_directories(dir, ec);
      out[name] = dir.string();
    }
    if (owned && fs_group) {
      apply_fs_group(out[name], static_cast<gid_t>(*fs_group));
    }
  }
  return out;
}

core::Result<std::vector<VolumeMount>> container_mounts(
    const nlohmann::json& container, const std::map<std::string, std::string>& volumes) {
  std::vector<VolumeMount> out;
  const nlohmann::json& mounts = field(container, "volumeMounts");
  if (!mounts.is_array()) {
    return out;
  }
  for (const auto& m : mounts) {
    std::string name = m.value("name", "");
    auto it = volumes.find(name);
    if (it == volumes.end()) {
      return unexpected(ErrorCode::InvalidArgument, "volumeMount " + name + " names no volume");
    }
    VolumeMount vm;
    vm.source = it->second;
    std::string sub = m.value("subPath", "");
    if (!sub.empty()) {
      if (sub.find("..") != std::string::npos || sub.starts_with("/")) {
        return unexpected(ErrorCode::InvalidArgument, "invalid subPath " + sub);
      }
      vm.source += "/" + sub;
      std::error_code ec;
      if (!fs::exists(vm.source)) {
        fs::create_directories(vm.source, ec);
      }
    }
    vm.target = m.value("mountPath", "");
    if (vm.target.empty() || vm.target[0] != '/' || vm.target.find("..") != std::string::npos) {
      return unexpected(ErrorCode::InvalidArgument, "invalid mountPath " + vm.target);
    }
    vm.read_only = m.value("readOnly", false);
    vm.is_file = fs::is_regular_file(vm.source);
    out.push_back(vm);
  }
  return out;
}

core::Result<Identity> container_identity(const Store& store, const nlohmann::json& pod,
                                          const nlohmann::json& container) {
  Identity id;
  const nlohmann::json& spec = field(pod, "spec");
  const nlohmann::json& psc = field(spec, "securityContext");
  const nlohmann::json& csc = field(container, "securityContext");
  auto user = int_field(csc, "runAsUser");
  if (!user) user = int_field(psc, "runAsUser");
  auto group = int_field(csc, "runAsGroup");
  if (!group) group = int_field(psc, "runAsGroup");
  std::string home = "/root";
  if (user || group) {
    id.set_user = true;
    id.uid = static_cast<uid_t>(user.value_or(0));
    struct passwd pw;
    struct passwd* found = nullptr;
    char buf[4096];
    gid_t primary = 0;
    if (getpwuid_r(id.uid, &pw, buf, sizeof(buf), &found) == 0 && found != nullptr) {
      primary = pw.pw_gid;
      home = pw.pw_dir;
    } else {
      home = "/";
    }
    id.gid = static_cast<gid_t>(group.value_or(primary));
    id.groups.push_back(id.gid);
    if (auto fsg = int_field(psc, "fsGroup")) {
      id.groups.push_back(static_cast<gid_t>(*fsg));
    }
    const nlohmann::json& sup = field(psc, "supplementalGroups");
    if (sup.is_array()) {
      for (const auto& g : sup) {
        if (g.is_number_integer()) {
          id.groups.push_back(static_cast<gid_t>(g.get<int64_t>()));
        }
      }
    }
  }
  std::string ns = field(pod, "metadata").value("namespace", "");
  id.env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "HOSTNAME=" + field(pod, "metadata").value("name", ""), "HOME=" + home,
            "KUBERNETES_SERVICE_HOST=127.0.0.1"};
  const nlohmann::json& env_from = field(container, "envFrom");
  if (env_from.is_array()) {
    for (const auto& ef : env_from) {
      bool secret = ef.contains("secretRef");
      const nlohmann::json& ref = secret ? ef["secretRef"] : field(ef, "configMapRef");
      auto data = object_data(store, secret ? "secrets" : "configmaps", ns, ref.value("name", ""),
                              ref.value("optional", false));
      if (!data) {
        return unexpected(data.error());
      }
      for (const auto& [k, v] : *data) {
        set_env(id.env, ef.value("prefix", "") + k + "=" + v);
      }
    }
  }
  const nlohmann::json& env = field(container, "env");
  if (env.is_array()) {
    for (const auto& e : env) {
      std::string name = e.value("name", "");
      std::string value;
      if (e.contains("valueFrom")) {
        const nlohmann::json& from = e["valueFrom"];
        if (from.contains("fieldRef")) {
          value = pod_field(pod, from["fieldRef"].value("fieldPath", ""));
        } else if (from.contains("configMapKeyRef") || from.contains("secretKeyRef")) {
          bool secret = from.contains("secretKeyRef");
          const nlohmann::json& ref = secret ? from["secretKeyRef"] : from["configMapKeyRef"];
          bool optional = ref.value("optional", false);
          auto data = object_data(store, secret ? "secrets" : "configmaps", ns,
                                  ref.value("name", ""), optional);
          if (!data) {
            return unexpected(data.error());
          }
          auto it = data->find(ref.value("key", ""));
          if (it == data->end()) {
            if (optional) {
              continue;
            }
            return unexpected(ErrorCode::NotFound,
                              "couldn't find key " + ref.value("key", "") + " in " +
                                  (secret ? "Secret " : "ConfigMap ") + ns + "/" +
                                  ref.value("name", ""));
          }
          value = it->second;
        }
      } else {
        value = expand_vars(e.value("value", ""), id.env);
      }
      set_env(id.env, name + "=" + value);
    }
  }
  id.cwd = container.value("workingDir", "");
  return id;
}

}  // namespace stillpoint::kubesim
