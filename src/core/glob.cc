#include "core/glob.h"

#include "core/text.h"

namespace stillpoint::core {
namespace {

// Decodes one UTF-8 code point at s[i]. A byte that does not start a valid, shortest-form
// sequence decodes alone to kRawByte + byte, outside Unicode, so that it only ever equals
// itself: neither the character it would be in Latin-1 ("\xE9" is not "é") nor an overlong
// encoding of ASCII ("\xC1\x81" is not "A").
constexpr char32_t kRawByte = 0x110000;

char32_t decode(std::string_view s, size_t& i) {
  const auto c = static_cast<unsigned char>(s[i]);
  auto cont = [&](size_t k) {
    return i + k < s.size() && (static_cast<unsigned char>(s[i + k]) & 0xC0) == 0x80;
  };
  if (c >= 0xF0 && cont(1) && cont(2) && cont(3)) {
    char32_t cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) |
                  (s[i + 3] & 0x3Fu);
    if (c < 0xF8 && cp >= 0x10000 && cp <= 0x10FFFF) {
      i += 4;
      return cp;
    }
  } else if (c >= 0xE0 && c < 0xF0 && cont(1) && cont(2)) {
    char32_t cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
    if (cp >= 0x800) {
      i += 3;
      return cp;
    }
  } else if (c >= 0xC0 && c < 0xE0 && cont(1)) {
    char32_t cp = ((c & 0x1Fu) << 6) | (s[i + 1] & 0x3Fu);
    if (cp >= 0x80) {
      i += 2;
      return cp;
    }
  }
  i += 1;
  return c < 0x80 ? c : kRawByte + c;
}

std::u32string decode_all(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    out.push_back(decode(s, i));
  }
  return out;
}

class Parser {
 public:
  explicit Parser(std::string_view pattern) : text_(decode_all(pattern)), pattern_(pattern) {}

  Result<std::vector<Glob::Sequence>> parse() {
    auto result = parse_alternatives(/*inside_braces=*/false);
    if (!result) {
      return result;
    }
    if (pos_ != text_.size()) {
      return fail("unexpected '}'");
    }
    return result;
  }

 private:
  Unexpected fail(std::string_view what) const {
    return unexpected(ErrorCode::InvalidArgument,
                      "invalid glob pattern " + go_quote(pattern_) + ": " + std::string(what));
  }

  // Parses until end (or an unmatched '}' / ',' when inside braces) and returns every flat
  // sequence the text expands to.
  Result<std::vector<Glob::Sequence>> parse_alternatives(bool inside_braces) {
    std::vector<Glob::Sequence> current{Glob::Sequence{}};
    while (pos_ < text_.size()) {
      const char32_t c = text_[pos_];
      if (inside_braces && (c == U',' || c == U'}')) {
        return current;
      }
      if (c == U'}') {
        return current;  // the caller reports the stray brace
      }
      ++pos_;
      Glob::Token token{Glob::Token::Kind::Literal, 0, false, {}};
      if (c == U'*') {
        token.kind = Glob::Token::Kind::AnyRun;
      } else if (c == U'?') {
        token.kind = Glob::Token::Kind::AnyOne;
      } else if (c == U'\\') {
        if (pos_ >= text_.size()) {
          return fail("trailing '\\'");
        }
        token.literal = text_[pos_++];
      } else if (c == U'[') {
        auto cls = parse_class();
        if (!cls) {
          return unexpected(cls.error());
        }
        token = std::move(*cls);
      } else if (c == U'{') {
        std::vector<Glob::Sequence> options;
        while (true) {
          auto alt = parse_alternatives(/*inside_braces=*/true);
          if (!alt) {
            return alt;
          }
          for (auto& seq : *alt) {
            options.push_back(std::move(seq));
          }
          if (pos_ >= text_.size()) {
            return fail("unclosed '{'");
          }
          if (text_[pos_++] == U'}') {
            break;
          }
        }
        std::vector<Glob::Sequence> next;
        for (const auto& prefix : current) {
          for (const auto& option : options) {
            if (next.size() >= kMaxGlobAlternatives) {
              return fail("expands to more than " + std::to_string(kMaxGlobAlternatives) +
                          " alternatives");
            }
            Glob::Sequence seq = prefix;
            seq.insert(seq.end(), option.begin(), option.end());
            next.push_back(std::move(seq));
          }
        }
        current = std::move(next);
        continue;
      } else {
        token.literal = c;
      }
      for (auto& seq : current) {
        seq.push_back(token);
      }
    }
    return current;
  }

  Result<Glob::Token> parse_class() {
    Glob::Token token{Glob::Token::Kind::Class, 0, false, {}};
    if (pos_ < text_.size() && text_[pos_] == U'!') {
      token.negated = true;
      ++pos_;
    }
    while (true) {
      if (pos_ >= text_.size()) {
        return fail("unclosed '['");
      }
      char32_t lo = text_[pos_++];
      if (lo == U']') {
        break;
      }
      if (lo == U'\\') {
        if (pos_ >= text_.size()) {
          return fail("unclosed '['");
        }
        lo = text_[pos_++];
      }
      char32_t hi = lo;
      if (pos_ + 1 < text_.size() && text_[pos_] == U'-' && text_[pos_ + 1] != U']') {
        hi = text_[pos_ + 1];
        pos_ += 2;
        if (hi < lo) {
          return fail("range out of order in '[...]'");
        }
      }
      token.ranges.emplace_back(lo, hi);
    }
    if (token.ranges.empty()) {
      return fail("empty '[]'");
    }
    return token;
  }

  std::u32string text_;
  std::string_view pattern_;
  size_t pos_ = 0;
};

bool token_matches_one(const Glob::Token& t, char32_t c) {
  switch (t.kind) {
    case Glob::Token::Kind::Literal:
      return t.literal == c;
    case Glob::Token::Kind::AnyOne:
      return true;
    case Glob::Token::Kind::Class: {
      bool in = false;
      for (const auto& [lo, hi] : t.ranges) {
        in = in || (c >= lo && c <= hi);
      }
      return in != t.negated;
    }
    case Glob::Token::Kind::AnyRun:
      return false;
  }
  return false;
}

// Classic star-backtracking matcher: O(|seq| * |text|) worst case.
bool sequence_matches(const Glob::Sequence& seq, const std::u32string& text) {
  size_t p = 0, t = 0;
  size_t star_p = std::u32string::npos, star_t = 0;
  while (t < text.size()) {
    if (p < seq.size() && seq[p].kind == Glob::Token::Kind::AnyRun) {
      star_p = p++;
      star_t = t;
    } else if (p < seq.size() && token_matches_one(seq[p], text[t])) {
      ++p;
      ++t;
    } else if (star_p != std::u32string::npos) {
      p = star_p + 1;
      t = ++star_t;
    } else {
      return false;
    }
  }
  while (p < seq.size() && seq[p].kind == Glob::Token::Kind::AnyRun) {
    ++p;
  }
  return p == seq.size();
}

}  // namespace

Result<Glob> Glob::compile(std::string_view pattern) {
  Parser parser(pattern);
  auto alternatives = parser.parse();
  if (!alternatives) {
    return unexpected(alternatives.error());
  }
  Glob glob;
  glob.pattern_ = std::string(pattern);
  glob.alternatives_ = std::move(*alternatives);
  return glob;
}

bool Glob::matches(std::string_view text) const {
  const std::u32string decoded = decode_all(text);
  for (const auto& seq : alternatives_) {
    if (sequence_matches(seq, decoded)) {
      return true;
    }
  }
  return false;
}

}  // namespace stillpoint::core
