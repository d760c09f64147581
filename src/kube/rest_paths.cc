#include "kube/rest_paths.h"

#include "kube/url_query.h"

namespace stillpoint::kube {

std::string collection_path(const GroupVersionResource& gvr, std::string_view namespace_name) {
  std::string path = gvr.api_prefix();
  if (!namespace_name.empty()) {
    path += "/namespaces/";
    path += percent_encode(namespace_name);
  }
  path += '/';
  path += percent_encode(gvr.resource);
  return path;
}

std::string object_path(const GroupVersionResource& gvr,
                        std::string_view namespace_name,
                        std::string_view name) {
  std::string path = collection_path(gvr, namespace_name) + "/" + percent_encode(name);
  if (!gvr.subresource.empty()) path += "/" + gvr.subresource;
  return path;
}

std::string describe(std::string_view verb,
                     const GroupVersionResource& gvr,
                     std::string_view namespace_name,
                     std::string_view name) {
  std::string out(verb);
  out += ' ';
  out += gvr.resource;
  if (!gvr.group.empty()) {
    out += '.';
    out += gvr.group;
  }
  if (!name.empty()) {
    out += ' ';
    out += name;
  }
  if (!namespace_name.empty()) {
    out += " in namespace ";
    out += namespace_name;
  } else if (name.empty() && (verb == "list" || verb == "watch")) {
    // Could also be a cluster-scoped resource; "all namespaces" is what was asked either way.
    out += " in all namespaces";
  }
  return out;
}

core::Error with_context(core::Error error, std::string_view what) {
  error.message = std::string(what) + ": " + error.message;
  return error;
}

}  // namespace stillpoint::kube
