#include "cli/pod_source.h"

#include "core/documents.h"
#include "core/json_fields.h"

namespace stillpoint::cli {
namespace {

using core::ErrorCode;

// Adds the pods of one object (a Pod or a list of objects) to `out`.
core::Status collect(const nlohmann::json& object,
                     const std::string& where,
                     bool assume_pod,
                     std::vector<hooks::Pod>& out) {
  if (object.is_array()) {
    for (size_t i = 0; i < object.size(); ++i) {
      auto status = collect(object[i], core::index_path(where, i), assume_pod, out);
      if (!status) {
        return status;
      }
    }
    return core::ok();
  }
  if (!object.is_object()) {
    return core::unexpected(ErrorCode::InvalidArgument,
                            where + ": expected a Kubernetes object, got " +
                                core::describe_json(object));
  }
  const std::string kind = object.value("kind", "");
  if (kind.size() >= 4 && kind.compare(kind.size() - 4, 4, "List") == 0) {
    const auto items = object.find("items");
    if (items == object.end() || items->is_null()) {
      return core::ok();
    }
    if (!items->is_array()) {
      return core::unexpected(ErrorCode::InvalidArgument,
                              where + ": items: expected a list, got " +
                                  core::describe_json(*items));
    }
    // Items of a PodList served by the API carry no kind; they are pods all the same.
    const bool items_are_pods = kind == "PodList";
    for (size_t i = 0; i < items->size(); ++i) {
      auto status = collect((*items)[i], where + ": items[" + std::to_string(i) + "]",
                            items_are_pods, out);
      if (!status) {
        return status;
      }
    }
    return core::ok();
  }
  if (kind != "Pod" && !(assume_pod && kind.empty())) {
    return core::ok();
  }
  auto pod = hooks::pod_from_json(object, where);
  if (!pod) {
    return core::unexpected(pod.error());
  }
  out.push_back(std::move(*pod));
  return core::ok();
}

}  // namespace

core::Result<std::vector<hooks::Pod>> load_pods(const std::string& path) {
  auto docs = core::load_documents(path);
  if (!docs) {
    return core::unexpected(docs.error());
  }
  std::vector<hooks::Pod> pods;
  for (const auto& doc : *docs) {
    const std::string where = path + ": document " + std::to_string(doc.index);
    auto status = collect(doc.value, where, /*assume_pod=*/false, pods);
    if (!status) {
      return core::unexpected(status.error());
    }
  }
  if (pods.empty()) {
    return core::unexpected(ErrorCode::InvalidArgument,
                            path + ": holds no Pod objects (kind: Pod, or a List of them)");
  }
  return pods;
}

}  // namespace stillpoint::cli
