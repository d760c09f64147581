// Path rules shared by the writer (what we refuse to write) and the reader (what we refuse
// to read from an untrusted archive): relative, '/'-separated, no ".." segments. The reader
// tolerates "." and empty segments ("./resources/..." from `tar -C dir .`) and drops them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"

namespace stillpoint::archive {

// True when `segment` can be one file or directory name: non-empty, not "." or "..", no '/'
// and no NUL.
bool is_path_segment(std::string_view segment);

// The segments of an archive entry's path with "." and empty ones dropped (so "./", the root
// entry of `tar -C dir .`, has none). InvalidArgument, naming the entry, for an absolute path
// or a ".." segment.
core::Result<std::vector<std::string>> split_entry_path(std::string_view path);

}  // namespace stillpoint::archive
