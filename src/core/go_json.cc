#include "core/go_json.h"

namespace stillpoint::core {

std::string go_escape_json_text(std::string_view json_text) {
  std::string out;
  out.reserve(json_text.size() + json_text.size() / 16);
  for (size_t i = 0; i < json_text.size(); ++i) {
    const char c = json_text[i];
    switch (c) {
      case '<':
        out += "\\u003c";
        continue;
      case '>':
        out += "\\u003e";
        continue;
      case '&':
        out += "\\u0026";
        continue;
      default:
        break;
    }
    // U+2028 LINE SEPARATOR and U+2029 PARAGRAPH SEPARATOR: E2 80 A8 / E2 80 A9.
    if (static_cast<unsigned char>(c) == 0xE2 && i + 2 < json_text.size() &&
        static_cast<unsigned char>(json_text[i + 1]) == 0x80) {
      const auto third = static_cast<unsigned char>(json_text[i + 2]);
      if (third == 0xA8 || third == 0xA9) {
        out += third == 0xA8 ? "\\u2028" : "\\u2029";
        i += 2;
        continue;
      }
    }
    out += c;
  }
  return out;
}

std::string go_json_dump(const nlohmann::json& value) {
  return go_escape_json_text(value.dump());
}

}  // namespace stillpoint::core
