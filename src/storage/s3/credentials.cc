#include "storage/s3/credentials.h"

#include <cctype>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/environment.h"

namespace stillpoint::storage::s3 {
namespace {

using core::ErrorCode;
using core::unexpected;

using core::env_or_empty;

std::string_view trim(std::string_view s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

// A key pasted from `echo ... | base64 -d` or a Secret often ends in a newline, which would
// otherwise show up as "the secret does not belong to the key".
std::string env_trimmed(const char* name) { return std::string(trim(env_or_empty(name))); }

std::string lowercase(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

// The file's format is the AWS CLI's INI dialect: "[profile]" sections, "key = value" lines,
// '#' or ';' comments. Only the three credential keys matter here.
core::Result<Credentials> parse_credentials_file(std::string_view ini, std::string_view profile,
                                                 std::string_view source) {
  Credentials found;
  bool in_profile = false;
  bool saw_profile = false;
  size_t line_number = 0;
  if (ini.starts_with("\xEF\xBB\xBF")) ini.remove_prefix(3);  // a BOM from Windows editors
  while (!ini.empty()) {
    const size_t eol = ini.find('\n');
    std::string_view line = trim(ini.substr(0, eol));
    ini = eol == std::string_view::npos ? std::string_view() : ini.substr(eol + 1);
    ++line_number;
    if (line.empty() || line.front() == '#' || line.front() == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') {
        return unexpected(ErrorCode::InvalidArgument,
                          std::string(source) + ":" + std::to_string(line_number) +
                              ": a section header must end with ']'");
      }
      in_profile = trim(line.substr(1, line.size() - 2)) == profile;
      saw_profile = saw_profile || in_profile;
      continue;
    }
    if (!in_profile) continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;  // the CLI ignores such lines too
    const std::string key = lowercase(trim(line.substr(0, eq)));  // the CLI ignores case
    const std::string value(trim(line.substr(eq + 1)));
    if (key == "aws_access_key_id") {
      found.access_key_id = value;
    } else if (key == "aws_secret_access_key") {
      found.secret_access_key = value;
    } else if (key == "aws_session_token") {
      found.session_token = value;
    }
  }
  if (!saw_profile) {
    return unexpected(ErrorCode::NotFound, "no profile [" + std::string(profile) + "] in " +
                                               std::string(source));
  }
  if (found.access_key_id.empty() || found.secret_access_key.empty()) {
    return unexpected(ErrorCode::InvalidArgument,
                      "profile [" + std::string(profile) + "] in " + std::string(source) +
                          " lacks aws_access_key_id or aws_secret_access_key");
  }
  return found;
}

core::Result<Credentials> load_credentials() {
  Credentials from_env{env_trimmed("AWS_ACCESS_KEY_ID"), env_trimmed("AWS_SECRET_ACCESS_KEY"),
                       env_trimmed("AWS_SESSION_TOKEN")};
  if (!from_env.access_key_id.empty() && !from_env.secret_access_key.empty()) {
    return from_env;
  }
  if (!from_env.access_key_id.empty() || !from_env.secret_access_key.empty()) {
    return unexpected(ErrorCode::InvalidArgument,
                      "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must be set together");
  }
  std::string path = env_or_empty("AWS_SHARED_CREDENTIALS_FILE");
  if (path.empty()) {
    const std::string home = env_or_empty("HOME");
    if (home.empty()) {
      return unexpected(ErrorCode::InvalidArgument,
                        "no S3 credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or "
                        "AWS_SHARED_CREDENTIALS_FILE ($HOME is not set)");
    }
    path = home + "/.aws/credentials";
  }
  std::string profile = env_or_empty("AWS_PROFILE");
  if (profile.empty()) profile = "default";
  std::ifstream in(path);
  if (!in) {
    return unexpected(ErrorCode::InvalidArgument,
                      "no S3 credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set "
                      "and " + path + " cannot be read");
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_credentials_file(text.str(), profile, path);
}

}  // namespace stillpoint::storage::s3
