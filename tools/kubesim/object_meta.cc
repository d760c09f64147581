#include "object_meta.h"

#include <chrono>
#include <ctime>
#include <random>
#include <set>
#include <string>

namespace stillpoint::kubesim {
namespace {

std::mt19937_64& rng() {
  static std::mt19937_64 gen{std::random_device{}()};
  return gen;
}

bool is_dns_label(const std::string& s) {
  if (s.empty() || s.size() > 63) {
    return false;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && i > 0 && i + 1 < s.size())) {
      return false;
    }
  }
  return true;
}

bool is_dns_subdomain(const std::string& s) {
  if (s.empty() || s.size() > 253) {
    return false;
  }
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    if (!is_dns_label(s.substr(start, dot == std::string::npos ? dot : dot - start))) {
      return false;
    }
    if (dot == std::string::npos) {
      return true;
    }
    start = dot + 1;
  }
}

const std::string* string_at(const nlohmann::json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get_ptr<const std::string*>() : nullptr;
}

// Every volumeMount names a volume of the pod, checked at create as the API server does
// (ValidatePodSpec): a real 1.20 server answered a restored pod whose init container kept a
// mount of a dropped token volume with 422 "spec.initContainers[1].volumeMounts[1].name: Not
// found: \"default-token-hnm7h\"", where kubesim used to accept it and fail only at start.
void validate_volume_mounts(const nlohmann::json& spec, const nlohmann::json& container,
                            const std::string& cpath, std::vector<FieldCause>& causes) {
  const auto mounts = container.is_object() ? container.find("volumeMounts") : container.end();
  if (!container.is_object() || mounts == container.end() || !mounts->is_array()) {
    return;
  }
  std::set<std::string> volumes;
  if (const auto v = spec.find("volumes"); v != spec.end() && v->is_array()) {
    for (const auto& volume : *v) {
      if (const std::string* n = volume.is_object() ? string_at(volume, "name") : nullptr) {
        volumes.insert(*n);
      }
    }
  }
  for (size_t j = 0; j < mounts->size(); ++j) {
    const nlohmann::json& m = (*mounts)[j];
    const std::string* name = m.is_object() ? string_at(m, "name") : nullptr;
    const std::string field = cpath + ".volumeMounts[" + std::to_string(j) + "].name";
    if (name == nullptr || name->empty()) {
      causes.push_back({"FieldValueRequired", field, "Required value"});
    } else if (volumes.count(*name) == 0) {
      causes.push_back({"FieldValueNotFound", field, "Not found: \"" + *name + "\""});
    }
  }
}

void validate_containers(const nlohmann::json& spec, const char* field, bool required,
                         std::vector<FieldCause>& causes) {
  std::string path = std::string("spec.") + field;
  auto it = spec.find(field);
  if (it == spec.end() || it->is_null() || (it->is_array() && it->empty())) {
    if (required) {
      causes.push_back({"FieldValueRequired", path, "Required value"});
    }
    return;
  }
  if (!it->is_array()) {
    causes.push_back({"FieldValueInvalid", path, "Invalid value: must be a list"});
    return;
  }
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& c = (*it)[i];
    std::string cpath = path + "[" + std::to_string(i) + "]";
    const std::string* name = c.is_object() ? string_at(c, "name") : nullptr;
    if (name == nullptr || name->empty()) {
      causes.push_back({"FieldValueRequired", cpath + ".name", "Required value"});
    } else if (!is_dns_label(*name)) {
      causes.push_back({"FieldValueInvalid", cpath + ".name",
                        "Invalid value: \"" + *name + "\": a lowercase RFC 1123 label must "
                        "consist of lower case alphanumeric characters or '-'"});
    }
    const std::string* image = c.is_object() ? string_at(c, "image") : nullptr;
    if (image == nullptr || image->empty()) {
      causes.push_back({"FieldValueRequired", cpath + ".image", "Required value"});
    }
    validate_volume_mounts(spec, c, cpath, causes);
  }
}

}  // namespace

std::string new_uid() {
  std::uniform_int_distribution<uint64_t> d;
  uint64_t a = d(rng());
  uint64_t b = d(rng());
  a = (a & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  b = (b & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 1
  char buf[40];
  std::snprintf(buf, sizeof(buf), "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(a >> 32), static_cast<unsigned>((a >> 16) & 0xffff),
                static_cast<unsigned>(a & 0xffff), static_cast<unsigned>(b >> 48),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buf;
}

std::string now_rfc3339() {
  std::time_t t = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string random_suffix(size_t n) {
  // The alphabet of apimachinery's rand.String: no vowels, no confusable digits.
  static const char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::uniform_int_distribution<size_t> d(0, sizeof(kAlphabet) - 2);
  std::string out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(kAlphabet[d(rng())]);
  }
  return out;
}

std::vector<FieldCause> validate_object(const ResourceType& type, const nlohmann::json& object) {
  std::vector<FieldCause> causes;
  const nlohmann::json& md = object["metadata"];
  const std::string* name = string_at(md, "name");
  if (name == nullptr || name->empty()) {
    causes.push_back(
        {"FieldValueRequired", "metadata.name", "Required value: name or generateName is required"});
  } else {
    bool ok = type.plural == "namespaces" || type.plural == "services"
                  ? is_dns_label(*name)
                  : is_dns_subdomain(*name) || (type.custom && !name->empty());
    if (!ok) {
      causes.push_back({"FieldValueInvalid", "metadata.name",
                        "Invalid value: \"" + *name +
                            "\": a lowercase RFC 1123 subdomain must consist of lower case "
                            "alphanumeric characters, '-' or '.', and must start and end with "
                            "an alphanumeric character"});
    }
  }
  if (md.contains("labels") && !md["labels"].is_null()) {
    if (!md["labels"].is_object()) {
      causes.push_back({"FieldValueInvalid", "metadata.labels", "Invalid value: must be a map"});
    } else {
      for (const auto& [k, v] : md["labels"].items()) {
        if (!v.is_string()) {
          causes.push_back({"FieldValueInvalid", "metadata.labels." + k,
                            "Invalid value: label values must be strings"});
        }
      }
    }
  }
  if (type.key() == "pods") {
    const nlohmann::json& spec = object.contains("spec") ? object["spec"] : nlohmann::json();
    if (!spec.is_object()) {
      causes.push_back({"FieldValueRequired", "spec.containers", "Required value"});
    } else {
      validate_containers(spec, "containers", true, causes);
      validate_containers(spec, "initContainers", false, causes);
    }
  }
  return causes;
}

bool spec_changed(const nlohmann::json& before, const nlohmann::json& after) {
  // Everything but metadata and status is "spec" for generation purposes (ConfigMap data too).
  nlohmann::json a = before;
  nlohmann::json b = after;
  for (auto* o : {&a, &b}) {
    o->erase("metadata");
    o->erase("status");
  }
  return a != b;
}

}  // namespace stillpoint::kubesim
