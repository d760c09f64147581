// SelfSubjectAccessReview (POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews): "may
// I do this?" answered for the caller. kubesim has one user (the bearer token of its
// kubeconfig) and enforces no RBAC, so every well-formed review is allowed. The answer is
// computed from the request alone and never stored, as on a real server (201, the review
// echoed with `status`). Other verbs on the resource are 405, as for any create-only resource.
#pragma once

#include "http_types.h"

namespace stillpoint::kubesim {

inline constexpr const char* kSelfSubjectAccessReviewKey =
    "selfsubjectaccessreviews.authorization.k8s.io";

// `name` is the path segment after the resource (empty for the collection).
Response self_subject_access_review(const Request& req, const std::string& name);

}  // namespace stillpoint::kubesim
