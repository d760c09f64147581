#include "http_types.h"

#include <cctype>

namespace stillpoint::kubesim {

size_t Response::body_size() const {
  size_t n = body.size();
  for (const auto& p : pieces) {
    n += p->size();
  }
  return n;
}

void Response::flatten() {
  if (pieces.empty()) {
    return;
  }
  body.reserve(body_size());
  for (const auto& p : pieces) {
    body += *p;
  }
  pieces.clear();
}

std::string Request::param(const std::string& name) const {
  for (const auto& [k, v] : query) {
    if (k == name) {
      return v;
    }
  }
  return {};
}

bool Request::has(const std::string& name) const {
  for (const auto& [k, v] : query) {
    if (k == name) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> Request::params(const std::string& name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : query) {
    if (k == name) {
      out.push_back(v);
    }
  }
  return out;
}

bool Request::flag(const std::string& name) const {
  if (!has(name)) {
    return false;
  }
  std::string v = param(name);
  for (char& c : v) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return v != "0" && v != "false";
}

std::string percent_decode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() &&
        hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> parse_query(std::string_view raw) {
  std::vector<std::pair<std::string, std::string>> out;
  size_t start = 0;
  while (start <= raw.size()) {
    size_t amp = raw.find('&', start);
    std::string_view part = raw.substr(start, amp == std::string_view::npos ? amp : amp - start);
    if (!part.empty()) {
      size_t eq = part.find('=');
      if (eq == std::string_view::npos) {
        out.emplace_back(percent_decode(part, true), "");
      } else {
        out.emplace_back(percent_decode(part.substr(0, eq), true),
                         percent_decode(part.substr(eq + 1), true));
      }
    }
    if (amp == std::string_view::npos) {
      break;
    }
    start = amp + 1;
  }
  return out;
}

}  // namespace stillpoint::kubesim
