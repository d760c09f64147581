// Small text helpers shared by messages: quoting as Go's %q does (Velero's error strings use it,
// e.g. `no such container: "app"`), and joining.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stillpoint::core {

// Go's strconv.Quote for the printable ASCII and UTF-8 text we quote in messages: wraps in
// double quotes and escapes `"`, `\` and control bytes.
std::string go_quote(std::string_view s);

std::string join(const std::vector<std::string>& parts, std::string_view separator);

}  // namespace stillpoint::core
