#include "hooks/tar_failure.h"

namespace stillpoint::hooks {
namespace {

bool looks_like_missing_tar(const std::string& text) {
  return text.find("executable file not found") != std::string::npos ||
         text.find("exec tar: No such file") != std::string::npos ||
         text.find("exec: \"tar\"") != std::string::npos ||
         text.find("tar: not found") != std::string::npos;
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

std::string tar_failure(const std::string& container, const std::string& action,
                        const core::Result<ExecResult>& result) {
  const std::string no_tar = "container \"" + container +
                             "\" has no tar executable, which stillpoint runs there to " + action +
                             " the volume's data (add tar to its image)";
  if (!result) {
    if (looks_like_missing_tar(result.error().message)) return no_tar;
    return "exec into container \"" + container + "\" failed: " + result.error().message;
  }
  if (looks_like_missing_tar(result->stderr_data) ||
      ((result->exit_code == 126 || result->exit_code == 127) && result->stderr_data.empty())) {
    return no_tar + (result->stderr_data.empty() ? "" : ": " + trimmed(result->stderr_data));
  }
  return "tar exited with code " + std::to_string(result->exit_code) + " in container \"" +
         container + "\"" +
         (result->stderr_data.empty() ? "" : ": " + trimmed(result->stderr_data));
}

}  // namespace stillpoint::hooks
