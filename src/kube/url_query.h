// Percent-encoding for request targets: query values (label selectors, continue tokens, exec
// command arguments) and path segments (object names are DNS names, but a user-supplied name
// must never be able to change the path).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace stillpoint::kube {

// RFC 3986 unreserved characters stay; everything else becomes %XX.
std::string percent_encode(std::string_view text);

// "?a=1&b=x%20y" from pairs in order; "" when empty.
std::string query_string(const std::vector<std::pair<std::string, std::string>>& params);

}  // namespace stillpoint::kube
