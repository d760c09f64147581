#include "catalog/record_objects.h"

namespace stillpoint::catalog {

core::Result<std::vector<std::string>> list_record_names(storage::ObjectStore& store,
                                                         const RecordLayout& layout) {
  auto keys = store.list(layout.prefix);
  if (!keys) return core::unexpected(keys.error());
  const std::string suffix = "/" + layout.object;
  std::vector<std::string> names;
  for (const std::string& key : *keys) {
    if (key.size() <= layout.prefix.size() + suffix.size() ||
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) != 0) {
      continue;
    }
    std::string name =
        key.substr(layout.prefix.size(), key.size() - layout.prefix.size() - suffix.size());
    if (name.find('/') != std::string::npos) continue;
    names.push_back(std::move(name));
  }
  return names;
}

core::Result<std::vector<nlohmann::json>> list_records(storage::ObjectStore& store,
                                                       const RecordLayout& layout) {
  auto names = list_record_names(store, layout);
  if (!names) return core::unexpected(names.error());
  std::vector<nlohmann::json> out;
  for (const std::string& name : *names) {
    auto object = read_record(store, layout, name);
    if (!object) return core::unexpected(object.error());
    out.push_back(std::move(*object));
  }
  return out;
}

core::Result<nlohmann::json> read_record(storage::ObjectStore& store, const RecordLayout& layout,
                                         const std::string& name) {
  const std::string key = layout.key(name);
  auto text = storage::read_all(store, key);
  if (!text) {
    if (text.error().code == core::ErrorCode::NotFound) {
      return core::unexpected(core::ErrorCode::NotFound, layout.kind + " \"" + name +
                                                             "\" not found in " + store.describe());
    }
    return core::unexpected(text.error());
  }
  auto parsed = nlohmann::json::parse(*text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return core::unexpected(core::ErrorCode::Protocol,
                            key + " in " + store.describe() + " is not a JSON object");
  }
  return parsed;
}

}  // namespace stillpoint::catalog
