#include "core/go_duration.h"

#include <cstdint>
#include <limits>

#include "core/text.h"

namespace stillpoint::core {
namespace {

constexpr uint64_t kMaxDuration = uint64_t{1} << 63;

struct Unit {
  std::string_view name;
  uint64_t nanos;
};
// Go's unitMap, including both spellings of micro (U+00B5 and U+03BC).
constexpr Unit kUnits[] = {
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},
    {"\xCE\xBCs", 1'000},
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
};

bool is_digit(char c) { return c >= '0' && c <= '9'; }

Unexpected invalid(std::string_view orig) {
  return unexpected(ErrorCode::InvalidArgument, "time: invalid duration " + go_quote(orig));
}

}  // namespace

Result<Duration> parse_go_duration(std::string_view orig) {
  std::string_view s = orig;
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    return Duration{0};
  }
  if (s.empty()) {
    return invalid(orig);
  }
  uint64_t total = 0;
  while (!s.empty()) {
    if (!(s[0] == '.' || is_digit(s[0]))) {
      return invalid(orig);
    }
    // Leading integer: overflow is an error, as in Go's leadingInt.
    uint64_t v = 0;
    size_t i = 0;
    for (; i < s.size() && is_digit(s[i]); ++i) {
      if (v > (kMaxDuration - 1) / 10) {
        return invalid(orig);
      }
      v = v * 10 + static_cast<uint64_t>(s[i] - '0');
      if (v > kMaxDuration) {
        return invalid(orig);
      }
    }
    const bool pre = i > 0;
    s.remove_prefix(i);
    // Optional fraction: digits past what fits are consumed but ignored (Go's leadingFraction).
    uint64_t frac = 0;
    double scale = 1;
    bool post = false;
    if (!s.empty() && s[0] == '.') {
      s.remove_prefix(1);
      size_t j = 0;
      bool overflow = false;
      for (; j < s.size() && is_digit(s[j]); ++j) {
        if (overflow) {
          continue;
        }
        if (frac > (std::numeric_limits<int64_t>::max() - 9) / 10) {
          overflow = true;
          continue;
        }
        frac = frac * 10 + static_cast<uint64_t>(s[j] - '0');
        scale *= 10;
      }
      post = j > 0;
      s.remove_prefix(j);
    }
    if (!pre && !post) {
      return invalid(orig);
    }
    size_t u = 0;
    while (u < s.size() && s[u] != '.' && !is_digit(s[u])) {
      ++u;
    }
    if (u == 0) {
      return unexpected(ErrorCode::InvalidArgument,
                        "time: missing unit in duration " + go_quote(orig));
    }
    const std::string_view unit_name = s.substr(0, u);
    s.remove_prefix(u);
    const Unit* unit = nullptr;
    for (const Unit& candidate : kUnits) {
      if (candidate.name == unit_name) {
        unit = &candidate;
      }
    }
    if (unit == nullptr) {
      return unexpected(ErrorCode::InvalidArgument, "time: unknown unit " + go_quote(unit_name) +
                                                        " in duration " + go_quote(orig));
    }
    if (v > kMaxDuration / unit->nanos) {
      return invalid(orig);
    }
    v *= unit->nanos;
    if (frac > 0) {
      v += static_cast<uint64_t>(static_cast<double>(frac) *
                                 (static_cast<double>(unit->nanos) / scale));
      if (v > kMaxDuration) {
        return invalid(orig);
      }
    }
    total += v;
    if (total > kMaxDuration) {
      return invalid(orig);
    }
  }
  if (neg) {
    return Duration{static_cast<int64_t>(0 - total)};
  }
  if (total > kMaxDuration - 1) {
    return invalid(orig);
  }
  return Duration{static_cast<int64_t>(total)};
}

namespace {

// Writes the fraction v / 10^prec, without trailing zeros, before `w` in buf (Go's fmtFrac).
size_t fmt_frac(char* buf, size_t w, uint64_t& v, int prec) {
  bool print = false;
  for (int i = 0; i < prec; ++i) {
    const uint64_t digit = v % 10;
    print = print || digit != 0;
    if (print) {
      buf[--w] = static_cast<char>('0' + digit);
    }
    v /= 10;
  }
  if (print) {
    buf[--w] = '.';
  }
  return w;
}

size_t fmt_int(char* buf, size_t w, uint64_t v) {
  if (v == 0) {
    buf[--w] = '0';
    return w;
  }
  while (v > 0) {
    buf[--w] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return w;
}

}  // namespace

std::string format_go_duration(Duration d) {
  char buf[32];
  size_t w = sizeof(buf);
  const int64_t count = d.count();
  uint64_t u = static_cast<uint64_t>(count);
  const bool neg = count < 0;
  if (neg) {
    u = 0 - u;
  }
  if (u < 1'000'000'000) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) {
      buf[--w] = '0';
      return std::string(buf + w, sizeof(buf) - w);
    }
    if (u < 1'000) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < 1'000'000) {
      prec = 3;
      buf[--w] = '\xB5';
      buf[--w] = '\xC2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    w = fmt_frac(buf, w, u, prec);
    w = fmt_int(buf, w, u);
  } else {
    buf[--w] = 's';
    w = fmt_frac(buf, w, u, 9);
    w = fmt_int(buf, w, u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      w = fmt_int(buf, w, u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        w = fmt_int(buf, w, u);
      }
    }
  }
  if (neg) {
    buf[--w] = '-';
  }
  return std::string(buf + w, sizeof(buf) - w);
}

}  // namespace stillpoint::core
