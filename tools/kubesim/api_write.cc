// The write verbs of Api: create, update, patch, delete (one and collection), and the side
// effects a real control plane has on them that clients observe: CRDs registering their
// resources, namespace deletion removing its objects, pods handed to the runtime.
#include <algorithm>

#include "admission.h"
#include "api.h"
#include "core/documents.h"
#include "custom_schema.h"
#include "defaults.h"
#include "object_meta.h"
#include "patch.h"
#include "service_allocation.h"

namespace stillpoint::kubesim {
namespace {

int parse_int(const std::string& s, int fallback) {
  try {
    return std::stoi(s);
  } catch (...) {
    return fallback;
  }
}

// The CRD's served versions, storage version first (so it is the preferred one).
ResourceType crd_resource_type(const nlohmann::json& crd) {
  const nlohmann::json& spec = crd["spec"];
  const nlohmann::json& names = spec["names"];
  ResourceType t;
  t.group = spec.value("group", "");
  t.plural = names.value("plural", "");
  t.kind = names.value("kind", "");
  t.singular = names.value("singular", "");
  if (t.singular.empty()) {
    t.singular = t.kind;
    std::transform(t.singular.begin(), t.singular.end(), t.singular.begin(), ::tolower);
  }
  t.namespaced = spec.value("scope", "Namespaced") == "Namespaced";
  if (names.contains("shortNames") && names["shortNames"].is_array()) {
    for (const auto& s : names["shortNames"]) {
      if (s.is_string()) {
        t.short_names.push_back(s.get<std::string>());
      }
    }
  }
  if (names.contains("categories") && names["categories"].is_array()) {
    for (const auto& s : names["categories"]) {
      if (s.is_string()) {
        t.categories.push_back(s.get<std::string>());
      }
    }
  }
  if (spec.contains("versions") && spec["versions"].is_array()) {
    for (const auto& v : spec["versions"]) {
      if (!v.is_object() || !v.value("served", true)) {
        continue;
      }
      std::string name = v.value("name", "");
      if (v.value("storage", false)) {
        t.versions.insert(t.versions.begin(), name);
      } else {
        t.versions.push_back(name);
      }
      if (v.value("storage", false) || t.versions.size() == 1) {
        // One schema and one set of columns for every served version: kubesim does not
        // convert between versions, so the storage version's stand for all.
        t.schema = v.contains("schema") && v["schema"].is_object()
                       ? v["schema"].value("openAPIV3Schema", nlohmann::json())
                       : nlohmann::json();
        t.printer_columns = v.value("additionalPrinterColumns", nlohmann::json());
      }
      if (v.contains("subresources") && v["subresources"].contains("status") &&
          std::find(t.subresources.begin(), t.subresources.end(), "status") ==
              t.subresources.end()) {
        t.subresources.push_back("status");
      }
    }
  }
  return t;
}

std::vector<FieldCause> validate_crd(const nlohmann::json& crd) {
  std::vector<FieldCause> causes;
  const nlohmann::json& spec = crd.contains("spec") ? crd["spec"] : nlohmann::json();
  if (!spec.is_object()) {
    causes.push_back({"FieldValueRequired", "spec", "Required value"});
    return causes;
  }
  ResourceType t = crd_resource_type(crd);
  if (t.group.empty()) {
    causes.push_back({"FieldValueRequired", "spec.group", "Required value"});
  }
  if (t.plural.empty()) {
    causes.push_back({"FieldValueRequired", "spec.names.plural", "Required value"});
  }
  if (t.kind.empty()) {
    causes.push_back({"FieldValueRequired", "spec.names.kind", "Required value"});
  }
  if (t.versions.empty()) {
    causes.push_back({"FieldValueRequired", "spec.versions", "Required value"});
  }
  std::string want = t.plural + "." + t.group;
  if (crd["metadata"].value("name", "") != want) {
    causes.push_back({"FieldValueInvalid", "metadata.name",
                      "Invalid value: \"" + crd["metadata"].value("name", "") +
                          "\": must be spec.names.plural+\".\"+spec.group"});
  }
  return causes;
}

nlohmann::json crd_status(const nlohmann::json& crd) {
  std::string now = now_rfc3339();
  nlohmann::json stored = nlohmann::json::array();
  for (const auto& v : crd["spec"]["versions"]) {
    if (v.value("storage", false)) {
      stored.push_back(v.value("name", ""));
    }
  }
  nlohmann::json accepted = crd["spec"]["names"];
  return {{"acceptedNames", accepted},
          {"storedVersions", stored},
          {"conditions",
           {{{"type", "NamesAccepted"},
             {"status", "True"},
             {"reason", "NoConflicts"},
             {"message", "no conflicts found"},
             {"lastTransitionTime", now}},
            {{"type", "Established"},
             {"status", "True"},
             {"reason", "InitialNamesAccepted"},
             {"message", "the initial names have been accepted"},
             {"lastTransitionTime", now}}}}};
}

bool has_status_subresource(const ResourceType& t) {
  return std::find(t.subresources.begin(), t.subresources.end(), "status") != t.subresources.end();
}

}  // namespace

Response Api::create(const Target& t, const Request& req) {
  nlohmann::json obj = nlohmann::json::parse(req.body, nullptr, false);
  if (obj.is_discarded()) {
    // kubectl sends JSON; YAML bodies are accepted as a convenience for curl users.
    auto docs = core::parse_documents(req.body, "request body");
    if (!docs || docs->size() != 1) {
      return error_response(bad_request("the request body is not a valid JSON or YAML object"));
    }
    obj = std::move((*docs)[0].value);
  }
  if (!obj.is_object()) {
    return error_response(bad_request("the request body is not a JSON object"));
  }
  return store_new(t, req, std::move(obj));
}

Response Api::store_new(const Target& t, const Request& req, nlohmann::json obj) {
  const ResourceType& type = *t.type;
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) {
    obj["metadata"] = nlohmann::json::object();
  }
  nlohmann::json& md = obj["metadata"];
  if (md.contains("resourceVersion") && !md["resourceVersion"].is_null() &&
      md["resourceVersion"] != "") {
    // Not a 4xx: the real registry reports this as an internal error (reference §3.3).
    return error_response(
        internal_error("resourceVersion should not be set on objects to be created"));
  }
  if (type.namespaced) {
    std::string body_ns = md.value("namespace", "");
    if (!body_ns.empty() && body_ns != t.ns) {
      return error_response(bad_request(
          "the namespace of the provided object does not match the namespace sent on the request"));
    }
    md["namespace"] = t.ns;
  } else {
    md.erase("namespace");
  }
  std::string name = md.value("name", "");
  if (name.empty() && md.contains("generateName") && md["generateName"].is_string()) {
    name = md["generateName"].get<std::string>() + random_suffix(5);
    md["name"] = name;
  }
  obj["kind"] = type.kind;
  obj["apiVersion"] = type.api_version(t.version);
  // Mutating admission comes before validation, as in the real request chain (admission.h).
  if (auto denied = admit(store_, type.key(), t.ns, obj, release_, storage_protection_)) {
    return error_response(*denied);
  }
  if (type.custom) {
    prune_unknown_fields(obj, type.schema);
    if (has_status_subresource(type)) {
      // A create cannot set status once the status subresource is on (the apiextensions
      // strategy's PrepareForCreate): only writes to /status do.
      obj.erase("status");
    }
  }
  std::vector<FieldCause> causes = validate_object(type, obj);
  if (type.key() == "customresourcedefinitions.apiextensions.k8s.io" && causes.empty()) {
    causes = validate_crd(obj);
  }
  if (!causes.empty()) {
    return error_response(invalid(type.kind, type.group, name, causes));
  }
  if (type.namespaced) {
    const Stored* ns = store_.get("namespaces", "", t.ns);
    if (ns == nullptr) {
      return error_response(not_found("namespaces", "", t.ns));
    }
    if ((*ns->object)["metadata"].contains("deletionTimestamp")) {
      ApiError e{403,
                 "Forbidden",
                 type.plural + " \"" + name +
                     "\" is forbidden: unable to create new content in "
                     "namespace " +
                     t.ns + " because it is being terminated",
                 {{"name", name},
                  {"kind", type.plural},
                  {"causes",
                   {{{"reason", "NamespaceTerminating"},
                     {"message", "namespace " + t.ns + " is being terminated"},
                     {"field", "metadata.namespace"}}}}}};
      return error_response(e);
    }
  }
  if (store_.get(type.key(), t.ns, name) != nullptr) {
    return error_response(already_exists(type.plural, type.group, name));
  }
  apply_create_defaults(type, obj, release_);
  if (type.key() == "services") {
    if (auto e = allocate_service(store_, obj, release_)) {
      return error_response(*e);
    }
  }
  if (type.key() == "customresourcedefinitions.apiextensions.k8s.io") {
    ResourceType crt = crd_resource_type(obj);
    if (registry_.find_key(crt.key()) != nullptr && !registry_.find_key(crt.key())->custom) {
      return error_response(invalid(type.kind, type.group, name,
                                    {{"FieldValueInvalid", "spec.names.plural",
                                      "Invalid value: conflicts with a built-in resource"}}));
    }
    obj["status"] = crd_status(obj);
  }
  if (req.param("dryRun") == "All") {
    return json_response(201, obj);
  }
  if (type.key() == "controllerrevisions.apps") {
    revision_data_[Store::object_key(t.ns, name)] = revision_data_at_create(req, obj);
  }
  Stored s = store_.put(type.key(), t.ns, name, std::move(obj), !type.custom);
  on_stored(type, *s.object);
  return Response{201, "application/json", *s.text, {}};
}

void Api::on_stored(const ResourceType& type, const nlohmann::json& obj) {
  const std::string key = type.key();
  if (key == "customresourcedefinitions.apiextensions.k8s.io") {
    registry_.add_custom(crd_resource_type(obj));
  } else if (key == "namespaces") {
    seed_namespace(obj["metadata"].value("name", ""));
  } else if (key == "serviceaccounts") {
    issue_token_secret(obj);
  } else if (key == "pods" && lifecycle_ != nullptr) {
    // Only reached from create: updates never restart a pod.
    lifecycle_->pod_created(obj["metadata"].value("namespace", ""),
                            obj["metadata"].value("name", ""));
  }
}

Response Api::update(const Target& t, const Request& req, nlohmann::json body, bool created_ok) {
  const ResourceType& type = *t.type;
  const Stored* cur = store_.get(type.key(), t.ns, t.name);
  if (cur == nullptr) {
    return error_response(not_found(type.plural, type.group, t.name));
  }
  const nlohmann::json& old = *cur->object;
  if (!body.contains("metadata") || !body["metadata"].is_object()) {
    body["metadata"] = nlohmann::json::object();
  }
  nlohmann::json& md = body["metadata"];
  std::string body_name = md.value("name", t.name);
  if (body_name != t.name) {
    return error_response(bad_request("the name of the object (" + body_name +
                                      ") does not match the name on the URL (" + t.name + ")"));
  }
  if (type.namespaced && md.contains("namespace") && md["namespace"] != t.ns) {
    return error_response(bad_request(
        "the namespace of the provided object does not match the namespace sent on the request"));
  }
  std::string rv = md.contains("resourceVersion") && md["resourceVersion"].is_string()
                       ? md["resourceVersion"].get<std::string>()
                       : std::string();
  if (rv.empty() && type.custom) {
    return error_response(invalid(type.kind, type.group, t.name,
                                  {{"FieldValueInvalid", "metadata.resourceVersion",
                                    "Invalid value: 0x0: must be specified for an update"}}));
  }
  if (!rv.empty() && rv != old["metadata"].value("resourceVersion", "")) {
    return error_response(conflict(type.plural, type.group, t.name));
  }
  nlohmann::json next;
  if (t.sub == "status") {
    // The status subresource changes status only.
    next = old;
    next["status"] = body.contains("status") ? body["status"] : nlohmann::json::object();
  } else {
    next = std::move(body);
    if (has_status_subresource(type) && old.contains("status")) {
      next["status"] = old["status"];
    }
    if (type.key() == "pods" && old.contains("spec")) {
      // The kubelet runs what was created; only a few pod fields may change on a real server.
      nlohmann::json spec = old["spec"];
      for (const char* f : {"activeDeadlineSeconds", "tolerations"}) {
        if (next["spec"].contains(f)) {
          spec[f] = next["spec"][f];
        }
      }
      next["spec"] = spec;
    }
  }
  // Server-owned metadata survives any update.
  nlohmann::json& nmd = next["metadata"];
  for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp",
                        "deletionGracePeriodSeconds", "namespace", "name", "generation"}) {
    if (old["metadata"].contains(f)) {
      nmd[f] = old["metadata"][f];
    } else {
      nmd.erase(f);
    }
  }
  next["kind"] = type.kind;
  next["apiVersion"] = old.value("apiVersion", type.api_version(t.version));
  if (type.custom) {
    prune_unknown_fields(next, type.schema);
  }
  if (t.sub != "status") {
    if (type.key() == "services") {
      if (auto e = keep_allocated_values(old, next)) {
        return error_response(*e);
      }
    }
    // Every decode defaults on a real server, so a PUT without `restartPolicy` stores one.
    apply_defaults(type, next, release_);
    carry_over_on_update(type, old, next);
    std::vector<FieldCause> causes = validate_object(type, next);
    if (!causes.empty()) {
      return error_response(invalid(type.kind, type.group, t.name, causes));
    }
  }
  std::string revision_raw;
  const bool revision = type.key() == "controllerrevisions.apps";
  if (revision) {
    if (auto e = check_revision_data(req, old, next, &revision_raw)) {
      return error_response(*e);
    }
  }
  if (has_generation(type, release_) && spec_changed(old, next)) {
    nmd["generation"] = old["metadata"].value("generation", 1) + 1;
  }
  if (req.param("dryRun") == "All") {
    return json_response(200, next);
  }
  if (revision) {
    revision_data_[Store::object_key(t.ns, t.name)] = revision_raw;
  }
  bool deleting = nmd.contains("deletionTimestamp");
  bool no_finalizers = !nmd.contains("finalizers") || nmd["finalizers"].empty();
  if (deleting && no_finalizers && type.key() != "pods" && type.key() != "namespaces") {
    // The last finalizer went away: the deletion that was waiting completes now.
    store_.put(type.key(), t.ns, t.name, next, !type.custom);
    complete_removal(type, t.ns, t.name);
    return json_response(200, next);
  }
  Stored s = store_.put(type.key(), t.ns, t.name, std::move(next), !type.custom);
  if (type.key() == "customresourcedefinitions.apiextensions.k8s.io") {
    registry_.add_custom(crd_resource_type(*s.object));
  }
  if (type.key() == "namespaces" && deleting) {
    maybe_finish_namespace(t.name);
  }
  return Response{created_ok ? 201 : 200, "application/json", *s.text, {}};
}

Response Api::patch(const Target& t, const Request& req) {
  const ResourceType& type = *t.type;
  std::string ctype = req.content_type.substr(0, req.content_type.find(';'));
  bool apply = ctype == "application/apply-patch+yaml";
  nlohmann::json body;
  if (apply) {
    if (req.param("fieldManager").empty()) {
      return error_response(invalid(
          "PatchOptions", "meta.k8s.io", "",
          {{"FieldValueRequired", "fieldManager", "Required value: is required for apply patch"}}));
    }
    auto docs = core::parse_documents(req.body, "apply patch");
    if (!docs || docs->size() != 1) {
      return error_response(bad_request("the apply patch is not a single YAML or JSON object"));
    }
    body = std::move((*docs)[0].value);
  } else {
    body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded()) {
      return error_response(bad_request("the patch is not valid JSON"));
    }
  }
  const Stored* cur = store_.get(type.key(), t.ns, t.name);
  if (cur == nullptr) {
    if (apply && t.sub.empty()) {
      Target ct = t;
      ct.name.clear();
      if (!body.is_object()) {
        return error_response(bad_request("the apply patch is not an object"));
      }
      body["metadata"]["name"] = t.name;
      return store_new(ct, req, std::move(body));
    }
    return error_response(not_found(type.plural, type.group, t.name));
  }
  nlohmann::json next;
  if (ctype == "application/merge-patch+json" || apply) {
    if (!body.is_object()) {
      return error_response(bad_request("a merge patch must be a JSON object"));
    }
    next = merge_patch(*cur->object, body);
  } else if (ctype == "application/json-patch+json") {
    auto r = json_patch(*cur->object, body);
    if (!r) {
      return error_response(ApiError{422,
                                     "Invalid",
                                     "the server rejected our request due to an "
                                     "error in our request: " +
                                         r.error().message,
                                     {}});
    }
    next = std::move(*r);
  } else if (ctype == "application/strategic-merge-patch+json") {
    if (type.custom) {
      return error_response(unsupported_media_type(ctype));
    }
    next = strategic_merge_patch(*cur->object, body);
  } else {
    return error_response(unsupported_media_type(ctype));
  }
  if (!next.is_object()) {
    return error_response(bad_request("the patched object is not a JSON object"));
  }
  // A patch carrying resourceVersion is a precondition; without one it applies to the latest.
  std::string patch_rv =
      body.is_object() && body.contains("metadata") && body["metadata"].is_object()
          ? body["metadata"].value("resourceVersion", "")
          : "";
  if (patch_rv.empty() && next.contains("metadata") && next["metadata"].is_object()) {
    next["metadata"]["resourceVersion"] = (*cur->object)["metadata"]["resourceVersion"];
  }
  return update(t, req, std::move(next), false);
}

Response Api::remove(const Target& t, const Request& req) {
  nlohmann::json options =
      nlohmann::json::parse(req.body.empty() ? "{}" : req.body, nullptr, false);
  if (options.is_discarded() || !options.is_object()) {
    return error_response(bad_request("the DeleteOptions body is not a JSON object"));
  }
  int grace = -1;
  if (options.contains("gracePeriodSeconds") && options["gracePeriodSeconds"].is_number()) {
    grace = options["gracePeriodSeconds"].get<int>();
  }
  if (req.has("gracePeriodSeconds")) {
    grace = parse_int(req.param("gracePeriodSeconds"), grace);
  }
  nlohmann::json pre = options.value("preconditions", nlohmann::json::object());
  std::string policy = options.value("propagationPolicy", req.param("propagationPolicy"));
  if (options.value("orphanDependents", false)) {
    policy = "Orphan";
  }
  if (policy == "Orphan") {
    if (const Stored* cur = store_.get(t.type->key(), t.ns, t.name)) {
      orphan_dependents(t.ns, (*cur->object)["metadata"].value("uid", ""));
    }
  }
  return delete_object(*t.type, t.ns, t.name, grace, pre);
}

Response Api::delete_object(const ResourceType& type,
                            const std::string& ns,
                            const std::string& name,
                            int grace_override,
                            const nlohmann::json& preconditions) {
  const Stored* cur = store_.get(type.key(), ns, name);
  if (cur == nullptr) {
    return error_response(not_found(type.plural, type.group, name));
  }
  const nlohmann::json& old = *cur->object;
  if (preconditions.is_object()) {
    if (preconditions.contains("uid") && preconditions["uid"] != old["metadata"]["uid"]) {
      return error_response(
          ApiError{409,
                   "Conflict",
                   "Operation cannot be fulfilled on " + type.plural + " \"" + name +
                       "\": Precondition failed: UID in precondition: " +
                       preconditions["uid"].get<std::string>() +
                       ", UID in object meta: " + old["metadata"].value("uid", ""),
                   {{"name", name}, {"kind", type.plural}}});
    }
    if (preconditions.contains("resourceVersion") &&
        preconditions["resourceVersion"] != old["metadata"]["resourceVersion"]) {
      return error_response(conflict(type.plural, type.group, name));
    }
  }
  const std::string key = type.key();
  bool already_deleting = old["metadata"].contains("deletionTimestamp");
  if (key == "pods" && lifecycle_ != nullptr) {
    int grace = grace_override >= 0 ? grace_override
                                    : old["spec"].value("terminationGracePeriodSeconds", 30);
    nlohmann::json next = old;
    if (!already_deleting || grace == 0) {
      next["metadata"]["deletionTimestamp"] = now_rfc3339();
      next["metadata"]["deletionGracePeriodSeconds"] = grace;
      Stored s = store_.put(key, ns, name, std::move(next));
      std::string text = *s.text;
      lifecycle_->pod_deleting(ns, name, grace);
      return Response{200, "application/json", text, {}};
    }
    return Response{200, "application/json", *cur->text, {}};
  }
  bool has_finalizers =
      old["metadata"].contains("finalizers") && !old["metadata"]["finalizers"].empty();
  if (key == "namespaces") {
    if (!already_deleting) {
      nlohmann::json next = old;
      next["metadata"]["deletionTimestamp"] = now_rfc3339();
      next["metadata"]["deletionGracePeriodSeconds"] = 0;
      next["status"]["phase"] = "Terminating";
      Stored s = store_.put(key, "", name, std::move(next));
      std::string text = *s.text;
      // The namespace controller's job: delete every object in the namespace.
      for (const ResourceType* t : registry_.all()) {
        if (!t->namespaced) {
          continue;
        }
        for (const std::string& n : store_.names_in(t->key(), name)) {
          delete_object(*t, name, n, -1, nullptr);
          if (t->key() != "pods" || lifecycle_ == nullptr) {
            // Finalizers on contents would block a real namespace; here they are dropped.
            if (store_.get(t->key(), name, n) != nullptr) {
              complete_removal(*t, name, n);
            }
          }
        }
      }
      maybe_finish_namespace(name);
      const Stored* still = store_.get(key, "", name);
      return Response{200, "application/json", still != nullptr ? *still->text : text, {}};
    }
    return Response{200, "application/json", *cur->text, {}};
  }
  if (has_finalizers) {
    if (!already_deleting) {
      nlohmann::json next = old;
      next["metadata"]["deletionTimestamp"] = now_rfc3339();
      next["metadata"]["deletionGracePeriodSeconds"] = 0;
      Stored s = store_.put(key, ns, name, std::move(next), !type.custom);
      return Response{200, "application/json", *s.text, {}};
    }
    return Response{200, "application/json", *cur->text, {}};
  }
  std::string uid = old["metadata"].value("uid", "");
  nlohmann::json last = old;
  complete_removal(type, ns, name);
  if (key == "pods" || key == "serviceaccounts" || key == "storageclasses" || type.custom) {
    return json_response(200, last);
  }
  nlohmann::json details = {{"name", name}, {"kind", type.plural}, {"uid", uid}};
  if (!type.group.empty()) {
    details["group"] = type.group;
  }
  return json_response(200, {{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", nlohmann::json::object()},
                             {"status", "Success"},
                             {"details", details}});
}

void Api::orphan_dependents(const std::string& ns, const std::string& uid) {
  // The garbage collector's orphan finalizer, done at once: dependents lose the reference,
  // so deleting the owner leaves them alone.
  for (const ResourceType* t : registry_.all()) {
    std::vector<std::pair<std::string, nlohmann::json>> changed;
    for (const auto& [key, s] : store_.bucket(t->key())) {
      const nlohmann::json& md = (*s.object)["metadata"];
      if ((t->namespaced && md.value("namespace", "") != ns) || !md.contains("ownerReferences")) {
        continue;
      }
      nlohmann::json refs = nlohmann::json::array();
      for (const auto& r : md["ownerReferences"]) {
        if (r.value("uid", "") != uid)
          refs.push_back(r);
      }
      if (refs.size() != md["ownerReferences"].size()) {
        nlohmann::json next = *s.object;
        if (refs.empty()) {
          next["metadata"].erase("ownerReferences");
        } else {
          next["metadata"]["ownerReferences"] = refs;
        }
        changed.emplace_back(md.value("name", ""), std::move(next));
      }
    }
    for (auto& [name, obj] : changed) {
      store_.put(t->key(), t->namespaced ? ns : "", name, std::move(obj), !t->custom);
    }
  }
}

void Api::complete_removal(const ResourceType& type,
                           const std::string& ns,
                           const std::string& name) {
  const Stored* cur = store_.get(type.key(), ns, name);
  if (cur == nullptr) {
    return;
  }
  nlohmann::json last = *cur->object;
  store_.remove(type.key(), ns, name);
  if (type.key() == "controllerrevisions.apps") {
    revision_data_.erase(Store::object_key(ns, name));
  }
  on_removed(type, last);
}

void Api::on_removed(const ResourceType& type, const nlohmann::json& obj) {
  if (type.key() == "customresourcedefinitions.apiextensions.k8s.io") {
    ResourceType crt = crd_resource_type(obj);
    const Store::Bucket& b = store_.bucket(crt.key());
    std::vector<std::pair<std::string, std::string>> doomed;
    for (const auto& [k, s] : b) {
      doomed.emplace_back((*s.object)["metadata"].value("namespace", ""),
                          (*s.object)["metadata"].value("name", ""));
    }
    for (const auto& [ns, n] : doomed) {
      store_.remove(crt.key(), ns, n);
    }
    registry_.remove_custom(crt.key());
  }
  if (type.namespaced) {
    std::string ns = obj["metadata"].value("namespace", "");
    const Stored* n = store_.get("namespaces", "", ns);
    if (n != nullptr && (*n->object)["metadata"].contains("deletionTimestamp")) {
      maybe_finish_namespace(ns);
    }
  }
}

void Api::maybe_finish_namespace(const std::string& ns) {
  const Stored* n = store_.get("namespaces", "", ns);
  if (n == nullptr || !(*n->object)["metadata"].contains("deletionTimestamp")) {
    return;
  }
  for (const ResourceType* t : registry_.all()) {
    if (t->namespaced && !store_.names_in(t->key(), ns).empty()) {
      return;
    }
  }
  store_.remove("namespaces", "", ns);
}

Response Api::remove_collection(const Target& t, const Request& req) {
  auto labels = LabelQuery::parse(req.param("labelSelector"));
  auto fields = FieldQuery::parse(req.param("fieldSelector"));
  if (!labels || !fields) {
    return error_response(bad_request("invalid selector"));
  }
  std::vector<std::pair<std::string, std::string>> doomed;
  for (const auto& [key, s] : store_.bucket(t.type->key())) {
    const nlohmann::json& obj = *s.object;
    std::string ns = obj["metadata"].value("namespace", "");
    if (!t.ns.empty() && ns != t.ns) {
      continue;
    }
    const nlohmann::json& l =
        obj["metadata"].contains("labels") ? obj["metadata"]["labels"] : nlohmann::json();
    if (labels->matches(l) && fields->matches(obj)) {
      doomed.emplace_back(ns, obj["metadata"].value("name", ""));
    }
  }
  nlohmann::json items = nlohmann::json::array();
  for (const auto& [ns, name] : doomed) {
    const Stored* s = store_.get(t.type->key(), ns, name);
    if (s != nullptr) {
      items.push_back(*s->object);
    }
    delete_object(*t.type, ns, name, -1, nullptr);
  }
  return json_response(200, {{"kind", t.type->kind + "List"},
                             {"apiVersion", t.type->api_version(t.version)},
                             {"metadata", {{"resourceVersion", std::to_string(store_.revision())}}},
                             {"items", items}});
}

void Api::finish_pod_deletion(const std::string& ns, const std::string& name) {
  const ResourceType* pods = registry_.find_key("pods");
  complete_removal(*pods, ns, name);
}

bool Api::set_pod_status(const std::string& ns, const std::string& name, nlohmann::json status) {
  const Stored* cur = store_.get("pods", ns, name);
  if (cur == nullptr) {
    return false;
  }
  if ((*cur->object)["status"] == status) {
    return true;
  }
  nlohmann::json next = *cur->object;
  next["status"] = std::move(status);
  store_.put("pods", ns, name, std::move(next));
  return true;
}

}  // namespace stillpoint::kubesim
