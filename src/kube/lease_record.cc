#include "kube/lease_record.h"

#include <cstdio>
#include <ctime>

namespace stillpoint::kube {

GroupVersionResource lease_resource() {
  return {"coordination.k8s.io", "v1", "leases"};
}

namespace {

std::string lease_name(const nlohmann::json& lease) {
  const auto& md = lease.value("metadata", nlohmann::json::object());
  return md.value("namespace", "") + "/" + md.value("name", "");
}

core::Status read_string(const nlohmann::json& spec,
                         const char* field,
                         const nlohmann::json& lease,
                         std::string& out) {
  if (!spec.contains(field) || spec[field].is_null())
    return core::ok();
  if (!spec[field].is_string()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "lease " + lease_name(lease) + ": spec." + field + " is " +
                                spec[field].dump() + ", not a string");
  }
  out = spec[field].get<std::string>();
  return core::ok();
}

core::Status read_int(const nlohmann::json& spec,
                      const char* field,
                      const nlohmann::json& lease,
                      int64_t& out) {
  if (!spec.contains(field) || spec[field].is_null())
    return core::ok();
  if (!spec[field].is_number_integer()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "lease " + lease_name(lease) + ": spec." + field + " is " +
                                spec[field].dump() + ", not an integer");
  }
  out = spec[field].get<int64_t>();
  return core::ok();
}

}  // namespace

core::Result<LeaderElectionRecord> record_from_lease(const nlohmann::json& lease) {
  LeaderElectionRecord r;
  if (!lease.is_object() || !lease.contains("spec") || lease["spec"].is_null())
    return r;
  const nlohmann::json& spec = lease["spec"];
  if (!spec.is_object()) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "lease " + lease_name(lease) + ": spec is not an object");
  }
  for (auto s : {read_string(spec, "holderIdentity", lease, r.holder_identity),
                 read_int(spec, "leaseDurationSeconds", lease, r.lease_duration_seconds),
                 read_string(spec, "acquireTime", lease, r.acquire_time),
                 read_string(spec, "renewTime", lease, r.renew_time),
                 read_int(spec, "leaseTransitions", lease, r.leader_transitions)}) {
    if (!s)
      return core::unexpected(s.error());
  }
  return r;
}

nlohmann::json lease_spec(const LeaderElectionRecord& record) {
  nlohmann::json spec = {{"holderIdentity", record.holder_identity},
                         {"leaseDurationSeconds", record.lease_duration_seconds},
                         {"leaseTransitions", record.leader_transitions}};
  // client-go writes the times as pointers set from the record; empty ones are never written
  // by it either (a record always has both).
  if (!record.acquire_time.empty())
    spec["acquireTime"] = record.acquire_time;
  if (!record.renew_time.empty())
    spec["renewTime"] = record.renew_time;
  return spec;
}

std::string format_micro_time(std::chrono::system_clock::time_point t) {
  const auto us = std::chrono::floor<std::chrono::microseconds>(t.time_since_epoch()).count();
  const std::time_t seconds =
      static_cast<std::time_t>(us >= 0 ? us / 1000000 : (us - 999999) / 1000000);
  const int64_t micros = us - static_cast<int64_t>(seconds) * 1000000;
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char out[96];
  std::snprintf(out, sizeof out, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<long long>(micros));
  return out;
}

}  // namespace stillpoint::kube
