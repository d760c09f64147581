#include "core/go_json.h"

#include <string>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace stillpoint::core {
namespace {

using nlohmann::json;

// The bytes Go's json.Marshal writes (Go 1.19, encoding/json with its default HTML escaping):
// a ControllerRevision's data written otherwise can never be patched again on a real server.
TEST(GoJson, EscapesAsGoDoes) {
  const json revision = {
      {"data",
       {{"spec",
         {{"template", {{"command", {"sh", "-c", "echo a > /tmp/x && test 1 -lt 2 <&-"}}}}}}}}};
  EXPECT_EQ(go_json_dump(revision),
            R"({"data":{"spec":{"template":{"command":["sh","-c",)"
            R"("echo a \u003e /tmp/x \u0026\u0026 test 1 -lt 2 \u003c\u0026-"]}}}})");
  // U+2028 and U+2029 (which JavaScript treats as line ends) are escaped; other non-ASCII
  // text, including the neighbouring U+2027 and U+202A, is kept as UTF-8, as in Go.
  EXPECT_EQ(go_json_dump(json("a\u2028b\u2029c\u2027d\u202Ae\u00e9")),
            "\"a\\u2028b\\u2029c\u2027d\u202Ae\u00e9\"");
  // What nlohmann already escapes stays as it was: quotes, backslashes, control bytes.
  EXPECT_EQ(go_json_dump(json("q\"b\\n\n")), R"("q\"b\\n\n")");
  // Keys are strings too.
  EXPECT_EQ(go_json_dump(json{{"a<b", 1}}), R"({"a\u003cb":1})");
}

TEST(GoJson, EscapingATruncatedSeparatorAtTheEndKeepsTheBytes) {
  EXPECT_EQ(go_escape_json_text("x\xE2\x80"), "x\xE2\x80");
  EXPECT_EQ(go_escape_json_text("\xE2\x80\xA8"), "\\u2028");
  EXPECT_EQ(go_escape_json_text(""), "");
}

// Whatever the strings hold, the escaped text parses back to the same value and holds none of
// the escaped characters literally.
RC_GTEST_PROP(GoJson, RoundTripsAndLeavesNoLiteralHtmlCharacters, (const std::string& raw)) {
  // Arbitrary bytes are not always valid UTF-8, which nlohmann refuses to dump; make them so
  // by mapping each byte to a code point, and mix in the special ones.
  std::string text;
  for (unsigned char c : raw) {
    if (c < 0x80) {
      text += static_cast<char>(c);
    } else if (c % 3 == 0) {
      text += "\u2028";
    } else if (c % 3 == 1) {
      text += "\u2029";
    } else {
      text += "\u00e9";
    }
  }
  const json value = {{"s", text}, {text, {text, 1, true}}};
  const std::string dumped = go_json_dump(value);
  RC_ASSERT(json::parse(dumped) == value);
  RC_ASSERT(dumped.find_first_of("<>&") == std::string::npos);
  RC_ASSERT(dumped.find("\u2028") == std::string::npos);
  RC_ASSERT(dumped.find("\u2029") == std::string::npos);
}

}  // namespace
}  // namespace stillpoint::core
