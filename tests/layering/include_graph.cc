#include "layering/include_graph.h"

#include <fstream>
#include <functional>
#include <map>
#include <regex>

namespace stillpoint::layering {
namespace fs = std::filesystem;

namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r");
  if (first == std::string::npos) return "";
  const auto last = s.find_last_not_of(" \t\r");
  return s.substr(first, last - first + 1);
}

std::string folder_of(const std::string& header) { return header.substr(0, header.find('/')); }

}  // namespace

core::Result<Arrows> read_arrows(const fs::path& file) {
  std::ifstream in(file);
  if (!in) return core::unexpected(core::ErrorCode::NotFound, file.string() + " cannot be read");
  Arrows arrows;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    line = trim(line.substr(0, line.find('#')));
    if (line.empty()) continue;
    const auto arrow = line.find("->");
    const std::string from = trim(line.substr(0, arrow));
    const std::string to = arrow == std::string::npos ? "" : trim(line.substr(arrow + 2));
    if (from.empty() || to.empty() || from.find('/') != std::string::npos) {
      return core::unexpected(core::ErrorCode::InvalidArgument,
                              file.string() + ":" + std::to_string(number) + ": \"" + line +
                                  "\" is not `from -> to` or `from -> to/header.h`");
    }
    if (to.find('/') == std::string::npos) {
      arrows.folders.insert({from, to});
    } else {
      arrows.headers.insert({from, to});
    }
  }
  return arrows;
}

std::vector<Include> scan_includes(const fs::path& src) {
  std::set<std::string> folders;
  for (const auto& entry : fs::directory_iterator(src)) {
    if (entry.is_directory()) folders.insert(entry.path().filename().string());
  }
  static const std::regex include(R"(^\s*#\s*include\s*"([^"]+)\")");
  std::vector<Include> out;
  for (const auto& entry : fs::recursive_directory_iterator(src)) {
    const auto ext = entry.path().extension();
    if (!entry.is_regular_file() || (ext != ".h" && ext != ".cc")) continue;
    const std::string from = fs::relative(entry.path(), src).begin()->string();
    std::ifstream in(entry.path());
    std::string line;
    std::smatch m;
    for (int number = 1; std::getline(in, line); ++number) {
      if (!std::regex_search(line, m, include)) continue;
      const std::string header = m[1];
      const std::string to = folder_of(header);
      if (header.find('/') == std::string::npos || !folders.contains(to)) continue;
      out.push_back({"src/" + fs::relative(entry.path(), src).string(), number, from, to, header});
    }
  }
  return out;
}

bool allowed(const Arrows& arrows, const Include& include) {
  return include.from == include.to || arrows.folders.contains({include.from, include.to}) ||
         arrows.headers.contains({include.from, include.header});
}

std::string find_cycle(const Arrows& arrows) {
  std::map<std::string, std::set<std::string>> next;
  for (const auto& [from, to] : arrows.folders) next[from].insert(to);
  for (const auto& [from, header] : arrows.headers) next[from].insert(folder_of(header));
  std::map<std::string, int> state;  // 1: on the path, 2: done
  std::vector<std::string> path;
  std::string found;
  std::function<bool(const std::string&)> visit = [&](const std::string& node) {
    state[node] = 1;
    path.push_back(node);
    for (const auto& n : next[node]) {
      if (state[n] == 1) {
        for (auto it = std::find(path.begin(), path.end(), n); it != path.end(); ++it) {
          found += *it + " -> ";
        }
        found += n;
        return true;
      }
      if (state[n] == 0 && visit(n)) return true;
    }
    path.pop_back();
    state[node] = 2;
    return false;
  };
  for (const auto& [node, _] : next) {
    if (state[node] == 0 && visit(node)) return found;
  }
  return "";
}

std::vector<std::string> unused_arrows(const Arrows& arrows, const std::vector<Include>& includes) {
  std::set<std::pair<std::string, std::string>> used_folders;
  std::set<std::pair<std::string, std::string>> used_headers;
  for (const Include& inc : includes) {
    used_folders.insert({inc.from, inc.to});
    used_headers.insert({inc.from, inc.header});
  }
  std::vector<std::string> out;
  for (const auto& arrow : arrows.folders) {
    if (!used_folders.contains(arrow)) out.push_back(arrow.first + " -> " + arrow.second);
  }
  for (const auto& arrow : arrows.headers) {
    if (!used_headers.contains(arrow)) out.push_back(arrow.first + " -> " + arrow.second);
  }
  return out;
}

}  // namespace stillpoint::layering
