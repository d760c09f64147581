#include "go_json.h"

#include "core/go_json.h"

namespace stillpoint::kubesim {
namespace {

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Index just past the JSON string starting at `i` (which is a '"'); npos when unterminated.
size_t skip_string(std::string_view t, size_t i) {
  for (++i; i < t.size(); ++i) {
    if (t[i] == '\\') {
      ++i;
    } else if (t[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Index just past the JSON value starting at `i`; npos when malformed.
size_t skip_value(std::string_view t, size_t i) {
  if (i >= t.size()) {
    return std::string_view::npos;
  }
  if (t[i] == '"') {
    return skip_string(t, i);
  }
  if (t[i] == '{' || t[i] == '[') {
    int depth = 0;
    for (; i < t.size(); ++i) {
      char c = t[i];
      if (c == '"') {
        i = skip_string(t, i);
        if (i == std::string_view::npos) {
          return i;
        }
        --i;
      } else if (c == '{' || c == '[') {
        ++depth;
      } else if (c == '}' || c == ']') {
        if (--depth == 0) {
          return i + 1;
        }
      }
    }
    return std::string_view::npos;
  }
  while (i < t.size() && !is_ws(t[i]) && t[i] != ',' && t[i] != '}' && t[i] != ']') {
    ++i;
  }
  return i;
}

}  // namespace

std::string go_escape(std::string text) {
  // Most objects need nothing escaped: no copy then (stored objects are escaped once, at
  // write time; the 10,000-pod list concatenates the results).
  if (text.find_first_of("<>&\xE2") == std::string::npos) {
    return text;
  }
  return core::go_escape_json_text(text);
}

std::string go_dump(const nlohmann::json& value) {
  // Invalid UTF-8 becomes U+FFFD, as Go's encoder does, instead of throwing.
  return go_escape(value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

std::optional<std::string> raw_member(std::string_view t, std::string_view key) {
  size_t i = 0;
  auto ws = [&] {
    while (i < t.size() && is_ws(t[i])) {
      ++i;
    }
  };
  ws();
  if (i >= t.size() || t[i] != '{') {
    return std::nullopt;
  }
  ++i;
  std::optional<std::string> found;
  for (;;) {
    ws();
    if (i < t.size() && t[i] == '}') {
      return found;
    }
    if (i >= t.size() || t[i] != '"') {
      return std::nullopt;
    }
    size_t end = skip_string(t, i);
    if (end == std::string_view::npos) {
      return std::nullopt;
    }
    // Keys are compared decoded, so an escaped spelling of the key still matches.
    nlohmann::json k = nlohmann::json::parse(t.substr(i, end - i), nullptr, false);
    i = end;
    ws();
    if (i >= t.size() || t[i] != ':') {
      return std::nullopt;
    }
    ++i;
    ws();
    size_t vend = skip_value(t, i);
    if (vend == std::string_view::npos) {
      return std::nullopt;
    }
    if (k.is_string() && k.get_ref<const std::string&>() == key) {
      found = std::string(t.substr(i, vend - i));
    }
    i = vend;
    ws();
    if (i < t.size() && t[i] == ',') {
      ++i;
    }
  }
}

std::optional<std::string> without_members(std::string_view t,
                                           std::string_view a,
                                           std::string_view b) {
  if (t.size() < 2 || t.front() != '{' || t.back() != '}') {
    return std::nullopt;
  }
  auto is_key = [&](std::string_view quoted, std::string_view key) {
    return quoted.size() == key.size() + 2 && quoted.substr(1, key.size()) == key;
  };
  std::string out;
  out.reserve(t.size());
  out += '{';
  size_t i = 1;
  while (i < t.size() - 1) {
    if (t[i] != '"') {
      return std::nullopt;
    }
    size_t key_end = skip_string(t, i);
    if (key_end == std::string_view::npos || key_end >= t.size() || t[key_end] != ':') {
      return std::nullopt;
    }
    size_t end = skip_value(t, key_end + 1);
    if (end == std::string_view::npos || end >= t.size() || (t[end] != ',' && t[end] != '}')) {
      return std::nullopt;
    }
    std::string_view key = t.substr(i, key_end - i);
    if (!is_key(key, a) && !is_key(key, b)) {
      if (out.size() > 1) {
        out += ',';
      }
      out.append(t.substr(i, end - i));
    }
    i = end + 1;
  }
  if (i != t.size() && t != "{}") {
    return std::nullopt;  // a trailing comma
  }
  out += '}';
  return out;
}

std::string go_compact(std::string_view raw) {
  std::string out;
  out.reserve(raw.size());
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '"') {
      size_t end = skip_string(raw, i);
      if (end == std::string_view::npos) {
        end = raw.size();
      }
      out.append(raw.substr(i, end - i));
      i = end - 1;
    } else if (!is_ws(raw[i])) {
      out += raw[i];
    }
  }
  return go_escape(std::move(out));
}

std::string go_bytes_literal(std::string_view bytes) {
  static const char kHex[] = "0123456789abcdef";
  std::string out = "[]uint8{";
  for (size_t i = 0; i < bytes.size(); ++i) {
    auto b = static_cast<unsigned char>(bytes[i]);
    if (i > 0) {
      out += ", ";
    }
    out += "0x";
    if (b >= 16) {
      out += kHex[b >> 4];
    }
    out += kHex[b & 15];
  }
  out += "}";
  return out;
}

}  // namespace stillpoint::kubesim
