#include "hooks/model.h"

namespace stillpoint::hooks {

const char* to_string(OnError v) { return v == OnError::Fail ? "Fail" : "Continue"; }
const char* to_string(HookPhase v) { return v == HookPhase::Pre ? "pre" : "post"; }
const char* to_string(HookSource v) { return v == HookSource::Annotation ? "annotation" : "spec"; }

}  // namespace stillpoint::hooks

namespace stillpoint::hooks {

bool ResourceSelector::applies_to(std::string_view namespace_name,
                                  std::string_view resource,
                                  const core::Labels& labels) const {
  if (!namespaces.should_include(namespace_name)) {
    return false;
  }
  if (!resources.should_include(resource)) {
    return false;
  }
  return !label_selector || label_selector->matches(labels);
}

}  // namespace stillpoint::hooks

namespace stillpoint::hooks {

bool ItemFilter::selects_labels(const core::Labels& labels) const {
  if (label_selector) {
    return label_selector->matches(labels);
  }
  if (or_label_selectors.empty()) {
    return true;
  }
  for (const auto& selector : or_label_selectors) {
    if (selector.matches(labels)) {
      return true;
    }
  }
  return false;
}

}  // namespace stillpoint::hooks
