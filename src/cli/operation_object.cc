#include "cli/operation_object.h"

#include "core/documents.h"

namespace stillpoint::cli {

using nlohmann::json;

core::Result<OperationObject> load_operation_object(const std::string& from_file,
                                                    const std::string& kind) {
  OperationObject o{{{"apiVersion", "velero.io/v1"}, {"kind", kind}, {"spec", json::object()}},
                    "--from-file"};
  if (!from_file.empty()) {
    auto docs = core::load_documents(from_file);
    if (!docs) {
      return core::unexpected(docs.error());
    }
    if (docs->size() != 1) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              from_file + ": expected exactly one " + kind + " object, found " +
                                  std::to_string(docs->size()) + " documents");
    }
    o.object = std::move((*docs)[0].value);
    o.origin = from_file + ": document 1";
    if (!o.object.is_object() || o.object.value("kind", "") != kind) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              from_file + ": expected a " + kind + " object (kind: " + kind + ")");
    }
  }
  json& spec = o.object["spec"];
  if (!spec.is_object()) {
    spec = json::object();
  }
  return o;
}

std::string operation_name(const std::string& flag_name, const json& object) {
  if (flag_name.empty() && object.contains("metadata") && object["metadata"].is_object()) {
    return object["metadata"].value("name", "");
  }
  return flag_name;
}

}  // namespace stillpoint::cli
