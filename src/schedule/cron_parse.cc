// parse_cron: robfig/cron v3.0.1 parser.go (Parser.Parse with ParseStandard's options
// Minute|Hour|Dom|Month|Dow|Descriptor, getField, getRange, parseDescriptor), with our own
// error messages: robfig's ("end of range (25) above maximum (23): 25") name neither the
// field nor the schedule.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/go_duration.h"
#include "core/text.h"
#include "schedule/cron_schedule.h"
#include "schedule/go_location.h"

namespace stillpoint::schedule {
namespace {

constexpr std::uint64_t kStarBit = std::uint64_t{1} << 63;

struct Bounds {
  std::string_view field;  // as named in messages
  int min;
  int max;
  const std::string_view* names;  // names[i] is value min+i; null when the field has none
  std::string_view names_hint;
};

constexpr std::string_view kMonthNames[] = {"jan", "feb", "mar", "apr", "may", "jun",
                                            "jul", "aug", "sep", "oct", "nov", "dec"};
constexpr std::string_view kDayNames[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};

constexpr Bounds kMinute{"minute", 0, 59, nullptr, ""};
constexpr Bounds kHour{"hour", 0, 23, nullptr, ""};
constexpr Bounds kDayOfMonth{"day-of-month", 1, 31, nullptr, ""};
constexpr Bounds kMonth{"month", 1, 12, kMonthNames, " or a name JAN-DEC"};
// robfig v3's dow bounds are 0-6: unlike Vixie cron, 7 is NOT another Sunday (spec.go).
constexpr Bounds kDayOfWeek{"day-of-week", 0, 6, kDayNames, " or a name SUN-SAT"};

// The length of a Unicode space (Go's unicode.IsSpace, which strings.Fields and TrimSpace use)
// starting at s[i], or 0. Every such rune starts with a byte that cannot continue another
// UTF-8 sequence, so matching bytes at each position finds exactly the runes Go finds.
std::size_t space_at(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) {
    return i + k < s.size() ? static_cast<unsigned char>(s[i + k]) : 0u;
  };
  const unsigned c = b(0);
  if (c == ' ' || (c >= '\t' && c <= '\r')) {
    return 1;
  }
  if (c == 0xC2 && (b(1) == 0x85 || b(1) == 0xA0)) {
    return 2;  // U+0085, U+00A0
  }
  if (c == 0xE1 && b(1) == 0x9A && b(2) == 0x80) {
    return 3;  // U+1680
  }
  if (c == 0xE2 && b(1) == 0x80) {
    const unsigned last = b(2);
    if ((last >= 0x80 && last <= 0x8A) || last == 0xA8 || last == 0xA9 || last == 0xAF) {
      return 3;  // U+2000-U+200A, U+2028, U+2029, U+202F
    }
  }
  if (c == 0xE2 && b(1) == 0x81 && b(2) == 0x9F) {
    return 3;  // U+205F
  }
  if (c == 0xE3 && b(1) == 0x80 && b(2) == 0x80) {
    return 3;  // U+3000
  }
  return 0;
}

// strings.Fields.
std::vector<std::string_view> go_fields(std::string_view s) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  std::size_t start = std::string_view::npos;
  while (i < s.size()) {
    const std::size_t n = space_at(s, i);
    if (n == 0) {
      if (start == std::string_view::npos) {
        start = i;
      }
      ++i;
      continue;
    }
    if (start != std::string_view::npos) {
      out.push_back(s.substr(start, i - start));
      start = std::string_view::npos;
    }
    i += n;
  }
  if (start != std::string_view::npos) {
    out.push_back(s.substr(start));
  }
  return out;
}

// strings.TrimSpace.
std::string_view go_trim_space(std::string_view s) {
  while (!s.empty()) {
    const std::size_t n = space_at(s, 0);
    if (n == 0) {
      break;
    }
    s.remove_prefix(n);
  }
  for (bool trimmed = true; trimmed && !s.empty();) {
    trimmed = false;
    for (std::size_t n = 1; n <= 3 && n <= s.size(); ++n) {
      if (space_at(s, s.size() - n) == n) {
        s.remove_suffix(n);
        trimmed = true;
        break;
      }
    }
  }
  return s;
}

// strconv.Atoi: an optional sign and decimal digits fitting Go's 64-bit int.
std::optional<std::int64_t> go_atoi(std::string_view s) {
  bool negative = false;
  if (!s.empty() && (s.front() == '+' || s.front() == '-')) {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) {
    return std::nullopt;
  }
  std::uint64_t v = 0;
  const std::uint64_t limit = negative ? std::uint64_t{1} << 63 : (std::uint64_t{1} << 63) - 1;
  for (const char c : s) {
    if (c < '0' || c > '9') {
      return std::nullopt;
    }
    const auto digit = static_cast<std::uint64_t>(c - '0');
    if (v > (limit - digit) / 10) {
      return std::nullopt;
    }
    v = v * 10 + digit;
  }
  return negative ? static_cast<std::int64_t>(0 - v) : static_cast<std::int64_t>(v);
}

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (std::size_t pos = s.find(sep); pos != std::string_view::npos; pos = s.find(sep)) {
    out.push_back(s.substr(0, pos));
    s.remove_prefix(pos + 1);
  }
  out.push_back(s);
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

class FieldParser {
 public:
  FieldParser(std::string_view text, const Bounds& bounds)
      : quoted_(core::go_quote(text)), b_(bounds) {}

  // getField: a comma-separated list of ranges; empty items are skipped (strings.FieldsFunc),
  // so "," parses to no values at all, a schedule that never fires.
  core::Result<std::uint64_t> field(std::string_view text) {
    std::uint64_t bits = 0;
    for (const std::string_view item : split(text, ',')) {
      if (item.empty()) {
        continue;
      }
      auto r = range(item);
      if (!r) {
        return r;
      }
      bits |= *r;
    }
    return bits;
  }

  // getRange: number | number "-" number [ "/" number ], or "*"/"?" [ "/" number ].
  core::Result<std::uint64_t> range(std::string_view expr) {
    const auto range_and_step = split(expr, '/');
    const auto low_and_high = split(range_and_step[0], '-');
    const bool single = low_and_high.size() == 1;
    std::int64_t start = 0;
    std::int64_t end = 0;
    std::int64_t step = 1;
    std::uint64_t extra = 0;
    if (low_and_high[0] == "*" || low_and_high[0] == "?") {
      // robfig ignores whatever follows a star's "-": "*-5" and "*-x" both mean "*".
      start = b_.min;
      end = b_.max;
      extra = kStarBit;
    } else {
      auto s = value(low_and_high[0]);
      if (!s) {
        return core::unexpected(s.error());
      }
      start = *s;
      if (low_and_high.size() == 2) {
        auto e = value(low_and_high[1]);
        if (!e) {
          return core::unexpected(e.error());
        }
        end = *e;
      } else if (low_and_high.size() > 2) {
        return fail(core::go_quote(expr) + " has more than one \"-\"");
      } else {
        end = start;
      }
    }
    if (range_and_step.size() == 2) {
      const auto n = go_atoi(range_and_step[1]);
      if (!n) {
        return fail("step " + core::go_quote(range_and_step[1]) + " in " + core::go_quote(expr) +
                    " is not a number");
      }
      if (*n <= 0) {
        return fail("step " + std::to_string(*n) + " in " + core::go_quote(expr) +
                    " must be positive");
      }
      step = *n;
      if (single) {
        end = b_.max;  // "N/step" means "N-max/step"
      }
      // robfig clears the star bit for steps above 1, so "*/2" in day-of-month restricts the
      // day like a list does: with a restricted day-of-week the two are ORed (spec.go).
      if (step > 1) {
        extra = 0;
      }
    } else if (range_and_step.size() > 2) {
      return fail(core::go_quote(expr) + " has more than one \"/\"");
    }
    if (start < b_.min) {
      return out_of_range(start);
    }
    if (end > b_.max) {
      return out_of_range(end);
    }
    if (start > end) {
      return fail("range " + core::go_quote(expr) + " starts after it ends (" +
                  std::to_string(start) + " > " + std::to_string(end) + ")");
    }
    std::uint64_t bits = 0;
    for (std::int64_t v = start; v <= end; v += step) {
      bits |= std::uint64_t{1} << v;
      if (step > b_.max) {
        break;  // a huge step: one value, and no overflow of v
      }
    }
    return bits | extra;
  }

 private:
  // parseIntOrName then mustParseInt. Names are matched case-insensitively.
  core::Result<std::int64_t> value(std::string_view text) {
    if (b_.names != nullptr) {
      const std::string lower = ascii_lower(text);
      for (int i = 0; i <= b_.max - b_.min; ++i) {
        if (b_.names[i] == lower) {
          return std::int64_t{b_.min + i};
        }
      }
    }
    const auto n = go_atoi(text);
    if (!n) {
      return fail(core::go_quote(text) + " is not a number" + std::string(b_.names_hint));
    }
    if (*n < 0) {
      return fail(std::to_string(*n) + " is negative");
    }
    return *n;
  }

  core::Unexpected out_of_range(std::int64_t v) {
    std::string hint;
    if (&b_ == &kDayOfWeek && v == 7) {
      hint = " (Sunday is 0; 7 is not accepted)";
    }
    return fail(std::to_string(v) + " is out of range " + std::to_string(b_.min) + "-" +
                std::to_string(b_.max) + hint);
  }

  core::Unexpected fail(const std::string& what) {
    return core::unexpected(core::ErrorCode::InvalidArgument,
                            "cron " + quoted_ + ": " + std::string(b_.field) + " " + what);
  }

  std::string quoted_;
  const Bounds& b_;
};

core::Unexpected invalid(std::string_view text, const std::string& what) {
  return core::unexpected(core::ErrorCode::InvalidArgument,
                          "cron " + core::go_quote(text) + ": " + what);
}

struct Descriptor {
  std::string_view name;
  std::string_view fields;
};
// parseDescriptor's table, as the five fields each stands for. Matched exactly: no case
// folding, no surrounding spaces (unless a zone prefix was trimmed away).
constexpr Descriptor kDescriptors[] = {
    {"@yearly", "0 0 1 1 *"}, {"@annually", "0 0 1 1 *"}, {"@monthly", "0 0 1 * *"},
    {"@weekly", "0 0 * * 0"}, {"@daily", "0 0 * * *"},    {"@midnight", "0 0 * * *"},
    {"@hourly", "0 * * * *"},
};

}  // namespace

core::Result<CronSchedule> parse_cron(std::string_view text) {
  CronSchedule out;
  out.text_ = std::string(text);
  if (text.empty()) {
    return invalid(text, "the schedule is empty");
  }
  std::string_view spec = text;
  if (spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=")) {
    // robfig takes the zone up to the first ASCII space; with no space it slices out of
    // bounds and panics, which Velero's recover() reports as an invalid schedule.
    const std::size_t space = spec.find(' ');
    if (space == std::string_view::npos) {
      return invalid(text, "a time zone prefix must be followed by a space and the schedule");
    }
    const std::size_t eq = spec.find('=');
    const std::string_view name = spec.substr(eq + 1, space - eq - 1);
    auto zone = detail::load_location(name);
    if (!zone) {
      return invalid(text, zone.error().message);
    }
    out.zone_ = *zone;
    out.zone_name_ = out.zone_ == nullptr ? "" : std::string(name);
    spec = go_trim_space(spec.substr(space));
  }
  if (spec.starts_with("@")) {
    bool found = false;
    for (const Descriptor& d : kDescriptors) {
      if (spec == d.name) {
        spec = d.fields;
        found = true;
        break;
      }
    }
    if (!found) {
      constexpr std::string_view kEvery = "@every ";
      if (!spec.starts_with(kEvery)) {
        return invalid(text, "unknown descriptor " + core::go_quote(spec) +
                                 " (accepted: @yearly @annually @monthly @weekly @daily @midnight "
                                 "@hourly @every <duration>)");
      }
      auto d = core::parse_go_duration(spec.substr(kEvery.size()));
      if (!d) {
        return invalid(text,
                       "@every needs a Go duration such as 90m or 1h30m: " + d.error().message);
      }
      // Divergence from robfig (constantdelay.go's Every turns anything under 1s, zero and
      // negative included, into 1s): a zero or negative interval is a mistake, and a backup
      // every second is not a safe reading of it.
      if (d->count() <= 0) {
        return invalid(text, "@every needs a positive duration, got " +
                                 core::go_quote(spec.substr(kEvery.size())));
      }
      // Every(): at least one second, and whole seconds only (the rest is truncated).
      out.every_ =
          std::max(std::chrono::seconds(1), std::chrono::duration_cast<std::chrono::seconds>(*d));
      return out;
    }
  }
  const auto fields = go_fields(spec);
  if (fields.size() != 5) {
    return invalid(
        text, "expected exactly 5 fields (minute hour day-of-month month day-of-week), found " +
                  std::to_string(fields.size()));
  }
  const Bounds* bounds[] = {&kMinute, &kHour, &kDayOfMonth, &kMonth, &kDayOfWeek};
  std::uint64_t* targets[] = {&out.minute_, &out.hour_, &out.day_of_month_, &out.month_,
                              &out.day_of_week_};
  for (int i = 0; i < 5; ++i) {
    FieldParser parser(text, *bounds[i]);
    auto bits = parser.field(fields[i]);
    if (!bits) {
      return core::unexpected(bits.error());
    }
    *targets[i] = *bits;
  }
  return out;
}

}  // namespace stillpoint::schedule
