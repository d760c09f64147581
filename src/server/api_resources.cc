#include "server/api_resources.h"

namespace stillpoint::server {

ApiResources::ApiResources(std::string api_group)
    : group(std::move(api_group)),
      backups{group, "v1", "backups", ""},
      restores{group, "v1", "restores", ""},
      locations{group, "v1", "backupstoragelocations", ""},
      schedules{group, "v1", "schedules", ""},
      delete_requests{group, "v1", "deletebackuprequests", ""} {}

kube::GroupVersionResource ApiResources::status_of(kube::GroupVersionResource gvr) {
  gvr.subresource = "status";
  return gvr;
}

}  // namespace stillpoint::server
