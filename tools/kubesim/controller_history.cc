// ControllerRevisions of StatefulSets and DaemonSets (pkg/controller/history/
// controller_history.go NewControllerRevision/HashControllerRevision/AdoptControllerRevision;
// pkg/controller/statefulset/stateful_set_utils.go getPatch/newRevision;
// stateful_set_control.go getStatefulSetRevisions; pkg/controller/daemon/update.go
// constructHistory).
//
// `data` is the template patch the real controllers store:
// {"spec":{"template":{"$patch":"replace", …template…}}}, written as Go writes it.
#include <algorithm>

#include "controllers.h"
#include "go_json.h"

namespace stillpoint::kubesim {
namespace {

nlohmann::json template_patch(const nlohmann::json& owner) {
  nlohmann::json t = owner["spec"].value("template", nlohmann::json::object());
  t["$patch"] = "replace";
  return {{"spec", {{"template", t}}}};
}

long revision_number(const nlohmann::json& cr) {
  return cr.value("revision", 0L);
}

}  // namespace

RevisionChoice sync_revisions(Controllers& c, const nlohmann::json& owner, bool daemon_set) {
  RevisionChoice out;
  const std::string ns = owner["metadata"].value("namespace", "");
  const std::string name = owner["metadata"].value("name", "");
  // adoptOrphanRevisions: a refused adoption fails the whole sync, so the set never gets to
  // claim its pods or write its status.
  auto revisions = claim(c, owner, "controllerrevisions.apps", nullptr, &out.error);
  if (!out.error.empty()) {
    return out;
  }
  std::sort(revisions.begin(), revisions.end(),
            [](const auto& a, const auto& b) { return revision_number(*a) < revision_number(*b); });
  const nlohmann::json data = template_patch(owner);
  long max_revision = revisions.empty() ? 0 : revision_number(*revisions.back());
  std::shared_ptr<const nlohmann::json> equal;
  for (auto& r : revisions) {
    if (r->contains("data") && without_nulls((*r)["data"]) == without_nulls(data))
      equal = r;
  }
  if (equal != nullptr) {
    if (revision_number(*equal) < max_revision) {
      // The template went back to an older revision: it becomes the newest again.
      const std::string rname = (*equal)["metadata"].value("name", "");
      Response r = c.call("PATCH", api_path("controllerrevisions.apps", ns, rname),
                          {{"revision", max_revision + 1}}, "application/merge-patch+json");
      if (r.status != 200) {
        out.error = "updating revision " + rname + ": " + r.body.substr(0, 300);
        return out;
      }
      equal = c.store().get("controllerrevisions.apps", ns, rname)->object;
    }
    out.update = equal;
  } else {
    std::string hash = safe_hash(go_dump(data));
    nlohmann::json labels =
        owner["spec"]["template"].contains("metadata")
            ? owner["spec"]["template"]["metadata"].value("labels", nlohmann::json::object())
            : nlohmann::json::object();
    labels[daemon_set ? kRevisionHashLabel : kControllerRevisionHashLabel] = hash;
    nlohmann::json cr = {{"apiVersion", "apps/v1"},
                         {"kind", "ControllerRevision"},
                         {"metadata",
                          {{"name", name + "-" + hash},
                           {"namespace", ns},
                           {"labels", labels},
                           {"ownerReferences", {controller_owner_ref(owner)}}}},
                         {"data", data},
                         {"revision", max_revision + 1}};
    // Both controllers copy the owner's annotations onto a new revision (the DaemonSet's
    // include `deprecated.daemonset.template.generation` and kubectl's last-applied).
    if (owner["metadata"].contains("annotations")) {
      cr["metadata"]["annotations"] = owner["metadata"]["annotations"];
    }
    Response r = c.call("POST", api_path("controllerrevisions.apps", ns), cr);
    if (r.status != 201) {
      // AlreadyExists with other data would be a hash collision (collisionCount in the real
      // controller); not modelled.
      out.error = "creating revision " + name + "-" + hash + ": " + r.body.substr(0, 300);
      return out;
    }
    out.update = c.store().get("controllerrevisions.apps", ns, name + "-" + hash)->object;
  }
  out.current = out.update;
  std::string current =
      owner.contains("status") ? owner["status"].value("currentRevision", "") : "";
  for (auto& r : revisions) {
    if ((*r)["metadata"].value("name", "") == current)
      out.current = r;
  }
  return out;
}

}  // namespace stillpoint::kubesim
