#include "normalise.h"

#include <algorithm>
#include <regex>

namespace stillpoint::fidelity {
namespace {

using nlohmann::json;

std::string str(const json& object, const char* section, const char* field) {
  const json s = object.value(section, json::object());
  return s.is_object() ? s.value(field, "") : "";
}

std::string controller_name(const json& object) {
  const json refs =
      object.value("metadata", json::object()).value("ownerReferences", json::array());
  for (const json& ref : refs) {
    if (ref.value("controller", false))
      return ref.value("name", "");
  }
  return "";
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  if (from.empty())
    return;
  for (size_t at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
  }
}

void by_length(std::vector<std::pair<std::string, std::string>>& subs) {
  std::stable_sort(subs.begin(), subs.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
}

}  // namespace

Normaliser::Normaliser(const std::vector<json>& objects) {
  std::vector<std::pair<std::string, std::string>> names, hashes;
  for (const json& o : objects) {
    const std::string kind = o.value("kind", "");
    const std::string name = str(o, "metadata", "name");
    const json labels = o.value("metadata", json::object()).value("labels", json::object());
    if (kind == "ReplicaSet" || kind == "ControllerRevision") {
      const std::string owner = controller_name(o);
      if (!owner.empty() && name.size() > owner.size() + 1 && name.rfind(owner + "-", 0) == 0) {
        hashes.emplace_back(name.substr(owner.size() + 1), "{hash}");
      }
      for (const char* label : {"pod-template-hash", "controller-revision-hash"}) {
        if (labels.contains(label) && labels[label].is_string())
          hashes.emplace_back(labels[label].get<std::string>(), "{hash}");
      }
    }
    const std::string generate = str(o, "metadata", "generateName");
    if (!generate.empty() && name.size() == generate.size() + 5 && name.rfind(generate, 0) == 0) {
      names.emplace_back(name, generate + "{rand}");
    }
    if (kind == "Pod" && node_.empty())
      node_ = str(o, "spec", "nodeName");
  }
  by_length(names);
  by_length(hashes);
  substitutions_ = names;
  substitutions_.insert(substitutions_.end(), hashes.begin(), hashes.end());
  // uids last in the list but first in effect: their replacements name the object by its
  // rewritten key, which the substitutions above must not touch again.
  std::vector<std::pair<std::string, std::string>> uids;
  for (const json& o : objects) {
    const std::string uid = str(o, "metadata", "uid");
    if (uid.empty())
      continue;
    const std::string kind = o.value("kind", "");
    uids.emplace_back(uid, "{uid:" + kind + "/" + rewrite(str(o, "metadata", "name")) + "}");
  }
  substitutions_.insert(substitutions_.begin(), uids.begin(), uids.end());
}

std::string Normaliser::rewrite(std::string text) const {
  if (!node_.empty() && text == node_)
    return "{node}";
  for (const auto& [from, to] : substitutions_)
    replace_all(text, from, to);
  // Token names a server made up that may not belong to any object in the set (a pod's volume
  // naming a token Secret of an account we did not read, a projected kube-api-access volume).
  static const std::regex kRandomSuffix("(-token-|kube-api-access-)[a-z0-9]{5}(?![a-z0-9-])");
  if (text.find("-token-") != std::string::npos ||
      text.find("kube-api-access-") != std::string::npos)
    text = std::regex_replace(text, kRandomSuffix, "$1{rand}");
  return text;
}

json Normaliser::apply(const json& object) const {
  if (object.is_string())
    return rewrite(object.get<std::string>());
  if (object.is_object()) {
    json out = json::object();
    for (const auto& [k, v] : object.items())
      out[k] = apply(v);
    return out;
  }
  if (object.is_array()) {
    json out = json::array();
    for (const json& v : object)
      out.push_back(apply(v));
    return out;
  }
  return object;
}

std::string Normaliser::key(const json& object) const {
  const std::string ns = str(object, "metadata", "namespace");
  const std::string name = rewrite(str(object, "metadata", "name"));
  return object.value("kind", "") + " " + (ns.empty() ? name : ns + "/" + name);
}

}  // namespace stillpoint::fidelity
