// The include graph between the folders of src/, and the table of arrows it may use
// (src/arrows.txt). Read by LayeringTest.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/result.h"

namespace stillpoint::layering {

// One `#include "to/..."` in a file of src/<from>/.
struct Include {
  std::string file;    // relative to the repository, for messages
  int line = 0;
  std::string from;    // the including file's folder
  std::string to;      // the included header's folder
  std::string header;  // as written: "catalog/backup_keys.h"
};

struct Arrows {
  std::set<std::pair<std::string, std::string>> folders;  // from -> to (any header)
  std::set<std::pair<std::string, std::string>> headers;  // from -> to/header.h (that one only)
};

// Parses `from -> to` and `from -> to/header.h` lines; '#' starts a comment. A malformed line
// is an error naming its number.
core::Result<Arrows> read_arrows(const std::filesystem::path& file);

// Every quoted include of a src/ folder's files that names a folder of src/.
std::vector<Include> scan_includes(const std::filesystem::path& src);

// Within one folder always; across folders only along a declared arrow.
bool allowed(const Arrows& arrows, const Include& include);

// "a -> b -> a" when the arrows (header arrows count as folder arrows) have a cycle, else "".
std::string find_cycle(const Arrows& arrows);

// Declared arrows that no include uses, as "from -> to".
std::vector<std::string> unused_arrows(const Arrows& arrows, const std::vector<Include>& includes);

}  // namespace stillpoint::layering
