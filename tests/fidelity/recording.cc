#include "recording.h"

#include <fstream>
#include <sstream>

namespace stillpoint::fidelity {
namespace {

namespace fs = std::filesystem;

core::Error io_error(std::string message) {
  return core::Error{core::ErrorCode::Io, std::move(message)};
}

}  // namespace

std::string recording_file_name(const std::string& key) {
  std::string name = key;
  for (char& c : name) {
    const bool keep = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                      c == '.' || c == '-';
    if (!keep)
      c = '_';
  }
  return name + ".txt";
}

core::Result<Reduced> read_recording(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return core::unexpected(io_error(dir.string() + " is not a directory"));
  }
  Reduced out;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".txt")
      continue;
    std::ifstream in(entry.path());
    std::string header;
    if (!std::getline(in, header) || header.rfind("# ", 0) != 0) {
      return core::unexpected(io_error(entry.path().string() + ": the first line is not `# KEY`"));
    }
    std::set<std::string>* lines = &out[header.substr(2)];
    for (std::string line; std::getline(in, line);) {
      if (line.rfind("# ", 0) == 0) {
        lines = &out[line.substr(2)];  // another object whose key made the same file name
      } else if (!line.empty()) {
        lines->insert(line);
      }
    }
  }
  return out;
}

core::Status write_recording(const fs::path& dir, const Reduced& answer) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec)
    return core::unexpected(io_error("creating " + dir.string() + ": " + ec.message()));
  for (const fs::directory_entry& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() == ".txt")
      fs::remove(entry.path(), ec);
  }
  for (const auto& [key, lines] : answer) {
    const fs::path file = dir / recording_file_name(key);
    std::ofstream out(file, std::ios::app);  // app: two keys may share a file name
    out << "# " << key << "\n";
    for (const std::string& line : lines)
      out << line << "\n";
    if (!out)
      return core::unexpected(io_error("writing " + file.string()));
  }
  return core::ok();
}

}  // namespace stillpoint::fidelity
