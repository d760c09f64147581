// Where an item lives inside the tarball (tarball_writer.h declares these): Velero's
// pkg/backup/item_backupper.go writes the preferred version twice, at the legacy path and
// under "<version>-preferredversion/", which restores of every Velero version can read.
#include <string>

#include "archive/tarball_writer.h"

namespace stillpoint::archive {
namespace {

// ".../namespaces/<ns>/<name>.json" or ".../cluster/<name>.json", after `base`.
std::string scoped_tail(const ItemKey& key) {
  if (key.namespace_name.empty()) {
    return "/cluster/" + key.name + ".json";
  }
  return "/namespaces/" + key.namespace_name + "/" + key.name + ".json";
}

}  // namespace

std::string ItemKey::group_resource() const {
  return group.empty() ? resource : resource + "." + group;
}

std::string item_path(const ItemKey& key) {
  return "resources/" + key.group_resource() + scoped_tail(key);
}

std::string preferred_version_path(const ItemKey& key) {
  return "resources/" + key.group_resource() + "/" + key.version + "-preferredversion" +
         scoped_tail(key);
}

}  // namespace stillpoint::archive
