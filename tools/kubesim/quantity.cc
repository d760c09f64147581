// Quantity parsing (quantity.h), after apimachinery's pkg/api/resource/quantity.go suffixes.
#include "quantity.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <utility>

namespace stillpoint::kubesim {

std::optional<long double> parse_quantity(const nlohmann::json& value) {
  if (value.is_number()) {
    return value.get<long double>();
  }
  if (!value.is_string()) {
    return std::nullopt;
  }
  const std::string text = value.get<std::string>();
  size_t end = 0;
  while (end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[end])) || text[end] == '.' ||
          ((text[end] == '+' || text[end] == '-') && end == 0))) {
    ++end;
  }
  if (end == 0) {
    return std::nullopt;
  }
  char* parsed_end = nullptr;
  const std::string number = text.substr(0, end);
  long double n = std::strtold(number.c_str(), &parsed_end);
  if (parsed_end != number.c_str() + number.size()) {
    return std::nullopt;
  }
  const std::string suffix = text.substr(end);
  static const std::pair<const char*, long double> kSuffixes[] = {
      {"", 1.0L},      {"Ki", 0x1p10L}, {"Mi", 0x1p20L}, {"Gi", 0x1p30L},
      {"Ti", 0x1p40L}, {"Pi", 0x1p50L}, {"Ei", 0x1p60L}, {"n", 1e-9L},
      {"u", 1e-6L},    {"m", 1e-3L},    {"k", 1e3L},     {"M", 1e6L},
      {"G", 1e9L},     {"T", 1e12L},    {"P", 1e15L},    {"E", 1e18L}};
  for (const auto& [s, factor] : kSuffixes) {
    if (suffix == s) {
      return n * factor;
    }
  }
  if (suffix.size() > 1 && (suffix[0] == 'e' || suffix[0] == 'E')) {
    char* exp_end = nullptr;
    long exponent = std::strtol(suffix.c_str() + 1, &exp_end, 10);
    if (*exp_end == '\0') {
      return n * std::pow(10.0L, static_cast<long double>(exponent));
    }
  }
  return std::nullopt;
}

}  // namespace stillpoint::kubesim
