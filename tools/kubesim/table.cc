#include "table.h"

#include <chrono>
#include <ctime>

#include "custom_schema.h"
#include "go_json.h"

namespace stillpoint::kubesim {
namespace {

// Go's duration.HumanDuration, shortened: 45s, 5m, 3h, 2d.
std::string age(const std::string& rfc3339) {
  std::tm tm{};
  if (strptime(rfc3339.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm) == nullptr) {
    return "<unknown>";
  }
  long seconds = static_cast<long>(std::time(nullptr) - timegm(&tm));
  if (seconds < 0) seconds = 0;
  if (seconds < 120) return std::to_string(seconds) + "s";
  if (seconds < 3600 * 3) return std::to_string(seconds / 60) + "m";
  if (seconds < 86400 * 2) return std::to_string(seconds / 3600) + "h";
  return std::to_string(seconds / 86400) + "d";
}

nlohmann::json column(const char* name, const char* type, const char* format = "") {
  return {{"name", name}, {"type", type}, {"format", format}, {"description", ""},
          {"priority", 0}};
}

std::string pod_status(const nlohmann::json& pod) {
  const nlohmann::json& md = pod["metadata"];
  if (md.contains("deletionTimestamp")) {
    return "Terminating";
  }
  const nlohmann::json& st = pod.contains("status") ? pod["status"] : nlohmann::json::object();
  std::string phase = st.value("phase", "Pending");
  if (st.contains("initContainerStatuses")) {
    const auto& inits = st["initContainerStatuses"];
    for (size_t i = 0; i < inits.size(); ++i) {
      const auto& s = inits[i]["state"];
      if (s.contains("terminated") && s["terminated"].value("exitCode", 0) == 0) {
        continue;
      }
      if (s.contains("waiting") && s["waiting"].value("reason", "") != "PodInitializing") {
        return "Init:" + s["waiting"].value("reason", "");
      }
      if (s.contains("terminated")) {
        return "Init:Error";
      }
      return "Init:" + std::to_string(i) + "/" + std::to_string(inits.size());
    }
  }
  if (st.contains("containerStatuses")) {
    for (const auto& c : st["containerStatuses"]) {
      const auto& s = c["state"];
      if (s.contains("waiting") && !s["waiting"].value("reason", "").empty()) {
        phase = s["waiting"].value("reason", "");
      } else if (s.contains("terminated") && phase != "Succeeded" && phase != "Failed") {
        phase = s["terminated"].value("reason", "Error");
      }
    }
  }
  return phase;
}

// A custom resource's additionalPrinterColumns cell, as the apiextensions server's table
// convertor gives it: the value at jsonPath (null when absent), dates as ages.
nlohmann::json printer_cell(const nlohmann::json& obj, const nlohmann::json& col) {
  nlohmann::json value = json_path_value(obj, col.value("jsonPath", ""));
  if (col.value("type", "") == "date" && value.is_string()) {
    return age(value.get<std::string>());
  }
  return value;
}

}  // namespace

bool wants_table(const std::string& accept) {
  return accept.find("as=Table") != std::string::npos;
}

std::string table_json(const ResourceType& type,
                       const std::vector<std::shared_ptr<const nlohmann::json>>& objects,
                       const std::string& resource_version, const std::string& continue_token) {
  bool pods = type.key() == "pods";
  // `kubectl get leases` shows who holds each (the real server's Lease table: Name, Holder, Age).
  bool leases = type.key() == "leases.coordination.k8s.io";
  nlohmann::json columns = nlohmann::json::array();
  columns.push_back(column("Name", "string", "name"));
  // A CRD that declares columns gets Name plus exactly those (Age only if it names one).
  const bool custom_columns = type.printer_columns.is_array() && !type.printer_columns.empty();
  if (custom_columns) {
    for (const auto& col : type.printer_columns) {
      columns.push_back({{"name", col.value("name", "")},
                         {"type", col.value("type", "string")},
                         {"format", col.value("format", "")},
                         {"description", col.value("description", "")},
                         {"priority", col.value("priority", 0)}});
    }
  }
  if (pods) {
    columns.push_back(column("Ready", "string"));
    columns.push_back(column("Status", "string"));
    columns.push_back(column("Restarts", "string"));
  }
  if (leases) {
    columns.push_back(column("Holder", "string"));
  }
  if (!custom_columns) {
    columns.push_back(column("Age", "string"));
  }
  nlohmann::json rows = nlohmann::json::array();
  for (const auto& obj : objects) {
    const nlohmann::json& md = (*obj)["metadata"];
    nlohmann::json cells = {md.value("name", "")};
    if (pods) {
      int ready = 0, total = 0, restarts = 0;
      const nlohmann::json& st = obj->contains("status") ? (*obj)["status"] : nlohmann::json();
      if (st.is_object() && st.contains("containerStatuses")) {
        for (const auto& c : st["containerStatuses"]) {
          ready += c.value("ready", false) ? 1 : 0;
          restarts += c.value("restartCount", 0);
        }
      }
      total = static_cast<int>((*obj)["spec"].value("containers", nlohmann::json::array()).size());
      cells.push_back(std::to_string(ready) + "/" + std::to_string(total));
      cells.push_back(pod_status(*obj));
      cells.push_back(std::to_string(restarts));
    }
    if (leases) {
      const nlohmann::json& spec = obj->contains("spec") ? (*obj)["spec"] : nlohmann::json();
      cells.push_back(spec.is_object() && spec.contains("holderIdentity") &&
                              spec["holderIdentity"].is_string()
                          ? spec["holderIdentity"].get<std::string>()
                          : std::string());
    }
    if (custom_columns) {
      for (const auto& col : type.printer_columns) {
        cells.push_back(printer_cell(*obj, col));
      }
    } else {
      cells.push_back(age(md.value("creationTimestamp", "")));
    }
    rows.push_back({{"cells", cells},
                    {"object",
                     {{"kind", "PartialObjectMetadata"},
                      {"apiVersion", "meta.k8s.io/v1"},
                      {"metadata", md}}}});
  }
  nlohmann::json meta = {{"resourceVersion", resource_version}};
  if (!continue_token.empty()) {
    meta["continue"] = continue_token;
  }
  return go_dump(nlohmann::json{{"kind", "Table"},
                                {"apiVersion", "meta.k8s.io/v1"},
                                {"metadata", meta},
                                {"columnDefinitions", columns},
                                {"rows", rows}});
}

}  // namespace stillpoint::kubesim
