#include "service_allocation.h"

#include <arpa/inet.h>

#include <random>
#include <set>
#include <string>

namespace stillpoint::kubesim {
namespace {

using nlohmann::json;

constexpr uint32_t kRangeBase = (10u << 24) | (96u << 16);  // 10.96.0.0/16
constexpr uint32_t kRangeSize = 1u << 16;
constexpr const char* kRange = "10.96.0.0/16";
constexpr int kPortMin = 30000;
constexpr int kPortMax = 32767;

std::mt19937& rng() {
  static std::mt19937 gen{std::random_device{}()};
  return gen;
}

std::optional<uint32_t> parse_ipv4(const std::string& text) {
  in_addr a{};
  if (inet_pton(AF_INET, text.c_str(), &a) != 1)
    return std::nullopt;
  return ntohl(a.s_addr);
}

std::string format_ipv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xff) + "." +
         std::to_string((ip >> 8) & 0xff) + "." + std::to_string(ip & 0xff);
}

std::string name_of(const json& service) {
  return service["metadata"].value("name", "");
}

ApiError invalid_service(const json& service,
                         const std::string& field,
                         const std::string& message) {
  return invalid("Service", "", name_of(service), {{"FieldValueInvalid", field, message}});
}

// Every IP and node port the stored Services hold.
void in_use(const Store& store, std::set<uint32_t>& ips, std::set<int>& ports) {
  for (const auto& [key, s] : store.bucket("services")) {
    const json& spec = (*s.object).contains("spec") ? (*s.object)["spec"] : json();
    if (!spec.is_object())
      continue;
    if (spec.contains("clusterIP") && spec["clusterIP"].is_string()) {
      if (auto ip = parse_ipv4(spec["clusterIP"]))
        ips.insert(*ip);
    }
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (const json& p : spec["ports"]) {
        if (p.is_object() && p.contains("nodePort") && p["nodePort"].is_number_integer()) {
          ports.insert(p["nodePort"].get<int>());
        }
      }
    }
  }
}

std::optional<ApiError> allocate_ip(json& service,
                                    KubeRelease release,
                                    const std::set<uint32_t>& ips) {
  json& spec = service["spec"];
  std::string requested =
      spec.contains("clusterIP") && spec["clusterIP"].is_string() ? spec["clusterIP"] : "";
  if (requested.empty() && spec.contains("clusterIPs") && spec["clusterIPs"].is_array() &&
      !spec["clusterIPs"].empty() && spec["clusterIPs"][0].is_string()) {
    requested = spec["clusterIPs"][0];
  }
  if (requested == "None") {
    spec["clusterIP"] = "None";
    spec["clusterIPs"] = json::array({"None"});
    return std::nullopt;
  }
  std::string chosen;
  if (!requested.empty()) {
    auto ip = parse_ipv4(requested);
    const char* problem = nullptr;
    std::string range_note;
    if (!ip || *ip < kRangeBase || *ip >= kRangeBase + kRangeSize) {
      problem = "provided IP is not in the valid range. The range of valid IPs is ";
      range_note = kRange;
    } else if (ips.count(*ip) != 0) {
      problem = "provided IP is already allocated";
    }
    if (problem != nullptr) {
      const std::string value = "[]string{\"" + requested + "\"}";
      const std::string why = std::string(problem) + range_note;
      return invalid_service(service, "spec.clusterIPs",
                             "Invalid value: " + value + ": " +
                                 (release == KubeRelease::V1_20
                                      ? "failed to allocated ip:" + requested + " with error:" + why
                                      : "failed to allocate IP " + requested + ": " + why));
    }
    chosen = requested;
  } else {
    // Random, as the real bitmap allocator is; the network and broadcast addresses and the
    // first address (the `kubernetes` Service's) are never handed out.
    const uint32_t start = std::uniform_int_distribution<uint32_t>(2, kRangeSize - 2)(rng());
    for (uint32_t i = 0; i < kRangeSize - 3 && chosen.empty(); ++i) {
      const uint32_t ip = kRangeBase + 2 + (start - 2 + i) % (kRangeSize - 3);
      if (ips.count(ip) == 0)
        chosen = format_ipv4(ip);
    }
    if (chosen.empty()) {
      return ApiError{500,
                      "InternalError",
                      "Internal error occurred: failed to allocate a serviceIP: range is full",
                      {}};
    }
  }
  spec["clusterIP"] = chosen;
  spec["clusterIPs"] = json::array({chosen});
  return std::nullopt;
}

std::optional<ApiError> allocate_node_ports(json& service, std::set<int>& ports) {
  json& spec = service["spec"];
  if (!spec.contains("ports") || !spec["ports"].is_array())
    return std::nullopt;
  for (size_t i = 0; i < spec["ports"].size(); ++i) {
    json& p = spec["ports"][i];
    if (!p.is_object())
      continue;
    const std::string field = "spec.ports[" + std::to_string(i) + "].nodePort";
    if (p.contains("nodePort") && p["nodePort"].is_number_integer() && p["nodePort"] != 0) {
      const int port = p["nodePort"];
      if (port < kPortMin || port > kPortMax) {
        return invalid_service(service, field,
                               "Invalid value: " + std::to_string(port) +
                                   ": provided port is not in the valid range. The range of "
                                   "valid ports is 30000-32767");
      }
      if (!ports.insert(port).second) {
        return invalid_service(
            service, field,
            "Invalid value: " + std::to_string(port) + ": provided port is already allocated");
      }
      continue;
    }
    const int span = kPortMax - kPortMin + 1;
    const int start = std::uniform_int_distribution<int>(0, span - 1)(rng());
    bool found = false;
    for (int k = 0; k < span && !found; ++k) {
      const int port = kPortMin + (start + k) % span;
      if (ports.insert(port).second) {
        p["nodePort"] = port;
        found = true;
      }
    }
    if (!found) {
      return ApiError{500,
                      "InternalError",
                      "Internal error occurred: failed to allocate a nodePort: range is full",
                      {}};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<ApiError> allocate_service(const Store& store, json& service, KubeRelease release) {
  if (!service.contains("spec") || !service["spec"].is_object())
    return std::nullopt;
  json& spec = service["spec"];
  const std::string type = spec.value("type", "ClusterIP");
  if (type == "ExternalName")
    return std::nullopt;
  std::set<uint32_t> ips;
  std::set<int> ports;
  in_use(store, ips, ports);
  if (auto e = allocate_ip(service, release, ips))
    return e;
  spec["ipFamilies"] = json::array({"IPv4"});
  if (!spec.contains("ipFamilyPolicy") || !spec["ipFamilyPolicy"].is_string()) {
    spec["ipFamilyPolicy"] = "SingleStack";
  }
  if (type == "NodePort" || type == "LoadBalancer") {
    if (auto e = allocate_node_ports(service, ports))
      return e;
  }
  return std::nullopt;
}

std::optional<ApiError> keep_allocated_values(const json& old, json& next) {
  if (!old.contains("spec") || !old["spec"].is_object() || !next.contains("spec") ||
      !next["spec"].is_object()) {
    return std::nullopt;
  }
  const json& before = old["spec"];
  json& after = next["spec"];
  for (const char* f : {"clusterIP", "clusterIPs", "ipFamilies", "ipFamilyPolicy"}) {
    if ((!after.contains(f) || after[f].is_null() || after[f] == "") && before.contains(f)) {
      after[f] = before[f];
    }
  }
  if (before.contains("clusterIP") && after["clusterIP"] != before["clusterIP"] &&
      after.value("type", "") != "ExternalName") {
    return invalid("Service", "", old["metadata"].value("name", ""),
                   {{"FieldValueInvalid", "spec.clusterIP",
                     "Invalid value: " + after["clusterIP"].dump() + ": field is immutable"}});
  }
  // A port that kept its port number and protocol keeps its node port.
  if (before.contains("ports") && before["ports"].is_array() && after.contains("ports") &&
      after["ports"].is_array()) {
    for (json& p : after["ports"]) {
      if (!p.is_object() || (p.contains("nodePort") && p["nodePort"] != 0))
        continue;
      for (const json& q : before["ports"]) {
        if (q.is_object() && q.contains("nodePort") && q.value("port", 0) == p.value("port", -1) &&
            q.value("protocol", "TCP") == p.value("protocol", "TCP")) {
          p["nodePort"] = q["nodePort"];
        }
      }
    }
  }
  return std::nullopt;
}

}  // namespace stillpoint::kubesim
