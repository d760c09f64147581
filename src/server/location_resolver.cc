#include "server/location_resolver.h"

#include <chrono>

#include "catalog/status_schema.h"
#include "core/json_fields.h"
#include "kube/base64.h"
#include "storage/location.h"
#include "storage/s3/credentials.h"
#include "storage/s3/s3_store.h"

namespace stillpoint::server {

namespace asio = boost::asio;
using nlohmann::json;

namespace {

core::Error invalid(std::string message) {
  return core::Error{core::ErrorCode::InvalidArgument, std::move(message)};
}

std::string text_at(const json& object, const char* key) {
  if (!object.is_object()) return "";
  const json& v = object.value(key, json());
  return v.is_string() ? v.get<std::string>() : "";
}

bool true_string(const json& config, const char* key) {
  const std::string v = text_at(config, key);
  return v == "true" || v == "True" || v == "1";
}

}  // namespace

core::Result<std::unique_ptr<storage::ObjectStore>> open_location(const json& location,
                                                                  const std::string& ini) {
  const std::string where = "BackupStorageLocation \"" + core::string_at(location, json::json_pointer("/metadata/name")) + "\"";
  const json spec = location.value("spec", json::object());
  const std::string provider = text_at(spec, "provider");
  const json config = spec.value("config", json::object());
  if (provider == "stillpoint.io/local") {
    const std::string path = text_at(config, "path");
    if (path.empty() || path[0] != '/') {
      return core::unexpected(invalid(where + ": spec.config.path: \"" + path +
                                      "\" is not an absolute directory path"));
    }
    return storage::open_store(path);
  }
  if (provider != "aws" && provider != "velero.io/aws") {
    return core::unexpected(invalid(where + ": spec.provider: \"" + provider +
                                    "\" is not supported (aws, velero.io/aws, "
                                    "stillpoint.io/local)"));
  }
  const json object_storage = spec.value("objectStorage", json::object());
  const std::string bucket = text_at(object_storage, "bucket");
  if (bucket.empty()) {
    return core::unexpected(invalid(where + ": spec.objectStorage.bucket is required"));
  }
  std::string prefix = text_at(object_storage, "prefix");
  storage::s3::S3Options options;
  options.endpoint = text_at(config, "s3Url");
  options.region = text_at(config, "region");
  options.path_style = true_string(config, "s3ForcePathStyle");
  options.insecure_skip_verify = true_string(config, "insecureSkipTLSVerify");
  const std::string url = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
  core::Result<std::unique_ptr<storage::s3::S3Store>> store =
      ini.empty() ? storage::s3::open_s3_store(url, options)
                  : [&]() -> core::Result<std::unique_ptr<storage::s3::S3Store>> {
    const std::string profile =
        text_at(config, "profile").empty() ? "default" : text_at(config, "profile");
    auto credentials = storage::s3::parse_credentials_file(ini, profile, where + " credential");
    if (!credentials) return core::unexpected(credentials.error());
    return storage::s3::open_s3_store(url, options, std::move(*credentials));
  }();
  if (!store) {
    return core::unexpected(store.error().code, where + ": " + store.error().message);
  }
  return std::unique_ptr<storage::ObjectStore>(std::move(*store));
}

asio::awaitable<core::Result<ResolvedLocation>> resolve_location(kube::ClusterApi& cluster,
                                                                 const ApiResources& resources,
                                                                 const std::string& ns,
                                                                 const std::string& requested,
                                                                 const DefaultLocation& fallback,
                                                                 std::string* failed_location) {
  json location;
  if (!requested.empty()) {
    auto got = co_await cluster.get(resources.locations, ns, requested);
    if (!got) {
      co_return core::unexpected(got.error().code,
                                 "spec.storageLocation: BackupStorageLocation \"" + requested +
                                     "\" in namespace " + ns + ": " + got.error().message);
    }
    location = std::move(*got);
  } else {
    kube::ListOptions options;
    options.namespace_name = ns;
    // Named arguments only in co_await expressions (GCC 12 destroys temporaries twice).
    kube::ItemCallback find_default = [&](json item) {
      if (location.is_null() && item.value("spec", json::object()).value("default", false)) {
        location = std::move(item);
      }
      return core::ok();
    };
    auto listed = co_await cluster.list(resources.locations, options, find_default);
    // A cluster without the BackupStorageLocation CRD (NotFound) just has no default.
    if (!listed && listed.error().code != core::ErrorCode::NotFound) {
      co_return core::unexpected(listed.error());
    }
  }
  ResolvedLocation resolved;
  if (location.is_null()) {
    auto store = storage::open_store(storage::resolve_location(fallback.location), fallback.s3);
    if (!store) co_return core::unexpected(store.error());
    resolved.store = std::move(*store);
    co_return resolved;
  }
  resolved.location_name = core::string_at(location, json::json_pointer("/metadata/name"));
  resolved.read_only =
      core::string_at(location, json::json_pointer("/spec/accessMode")) == "ReadOnly";
  std::string ini;
  const json credential = location.value("spec", json::object()).value("credential", json());
  if (credential.is_object()) {
    const std::string secret = text_at(credential, "name"), key = text_at(credential, "key");
    const kube::GroupVersionResource secrets{"", "v1", "secrets"};
    auto got = co_await cluster.get(secrets, ns, secret);
    const json data = got ? got->value("data", json::object()) : json::object();
    const auto decoded = data.is_object() && data.contains(key) && data[key].is_string()
                             ? kube::base64_decode(data[key].get<std::string>())
                             : std::nullopt;
    if (!decoded) {
      if (failed_location) *failed_location = resolved.location_name;
      co_return core::unexpected(
          core::ErrorCode::InvalidArgument,
          "BackupStorageLocation \"" + resolved.location_name + "\": spec.credential: key \"" +
              key + "\" of Secret \"" + secret + "\" in namespace " + ns + ": " +
              (got ? "missing or not base64" : got.error().message));
    }
    ini = *decoded;
  }
  auto store = open_location(location, ini);
  if (!store) {
    if (failed_location) *failed_location = resolved.location_name;
    co_return core::unexpected(store.error());
  }
  resolved.store = std::move(*store);
  co_return resolved;
}

asio::awaitable<void> mark_location(kube::ClusterApi& cluster,
                                    const ApiResources& resources,
                                    const std::string& ns,
                                    const std::string& name,
                                    bool available,
                                    const std::string& message) {
  const json patch = {{"status",
                       {{"phase", available ? "Available" : "Unavailable"},
                        {"message", message.empty() ? json() : json(message)},
                        {"lastValidationTime",
                         catalog::rfc3339(std::chrono::system_clock::now())}}}};
  // Best effort: the backup's own status carries the failure either way.
  const kube::GroupVersionResource status = ApiResources::status_of(resources.locations);
  co_await cluster.patch(status, ns, name, kube::PatchType::Merge, patch);
}

}  // namespace stillpoint::server
