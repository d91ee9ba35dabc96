#pragma once
// Parsers for the scalar notations used in configs and on the command line. They live in the
// SDK so the host's validation and a plugin's own use can never disagree about what "5m" means.
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace vigil::sdk {

namespace detail {
inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}
// Reads a non-negative decimal number (digits with an optional fraction) from the front of s.
inline std::optional<double> take_number(std::string_view& s) {
  std::size_t i = 0;
  bool digits = false;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    ++i;
    digits = true;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      ++i;
      digits = true;
    }
  }
  if (!digits)
    return std::nullopt;
  std::string text(s.substr(0, i));
  s.remove_prefix(i);
  return std::strtod(text.c_str(), nullptr);
}
}  // namespace detail

// "250ms", "30s", "5m", "48h", "2d", "1h30m"; a bare "0" is zero. Units are required otherwise:
// a bare "30" is ambiguous between seconds and milliseconds and is refused.
inline std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
  std::string_view s = detail::trim(text);
  if (s == "0")
    return std::chrono::milliseconds{0};
  if (s.empty())
    return std::nullopt;
  double total_ms = 0;
  while (!s.empty()) {
    auto number = detail::take_number(s);
    if (!number)
      return std::nullopt;
    double factor = 0;
    if (s.rfind("ms", 0) == 0) {
      factor = 1;
      s.remove_prefix(2);
    } else if (!s.empty()) {
      switch (s.front()) {
        case 's':
          factor = 1e3;
          break;
        case 'm':
          factor = 60e3;
          break;
        case 'h':
          factor = 3600e3;
          break;
        case 'd':
          factor = 86400e3;
          break;
        case 'w':
          factor = 7 * 86400e3;
          break;
        default:
          return std::nullopt;
      }
      s.remove_prefix(1);
    } else {
      return std::nullopt;
    }
    total_ms += *number * factor;
  }
  if (total_ms > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) {
    return std::nullopt;
  }
  return std::chrono::milliseconds{static_cast<std::int64_t>(std::llround(total_ms))};
}

// "1048576", "512B", "64KiB", "1MiB", "2GiB", "10kB"/"10KB" (1000), "5MB", "1GB", "1TiB".
inline std::optional<std::uint64_t> parse_size(std::string_view text) {
  std::string_view s = detail::trim(text);
  auto number = detail::take_number(s);
  if (!number)
    return std::nullopt;
  s = detail::trim(s);
  double factor = 1;
  if (s.empty() || s == "B") {
    factor = 1;
  } else if (s == "KiB" || s == "K" || s == "k") {
    factor = 1024.0;
  } else if (s == "MiB" || s == "M") {
    factor = 1024.0 * 1024;
  } else if (s == "GiB" || s == "G") {
    factor = 1024.0 * 1024 * 1024;
  } else if (s == "TiB" || s == "T") {
    factor = 1024.0 * 1024 * 1024 * 1024;
  } else if (s == "kB" || s == "KB") {
    factor = 1e3;
  } else if (s == "MB") {
    factor = 1e6;
  } else if (s == "GB") {
    factor = 1e9;
  } else if (s == "TB") {
    factor = 1e12;
  } else {
    return std::nullopt;
  }
  double bytes = *number * factor;
  if (bytes > 1.8e19)
    return std::nullopt;
  return static_cast<std::uint64_t>(std::llround(bytes));
}

inline std::optional<std::int64_t> parse_int(std::string_view text) {
  std::string s(detail::trim(text));
  if (s.empty())
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  long long v = std::strtoll(s.c_str(), &end, 10);
  if (errno != 0 || end == s.c_str() || *end != '\0')
    return std::nullopt;
  return static_cast<std::int64_t>(v);
}

inline std::optional<double> parse_double(std::string_view text) {
  std::string s(detail::trim(text));
  if (s.empty())
    return std::nullopt;
  errno = 0;
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (errno == ERANGE || end == s.c_str() || *end != '\0' || std::isnan(v))
    return std::nullopt;
  return v;
}

// YAML 1.2 core schema booleans, plus yes/no/on/off that operators write out of YAML 1.1 habit.
inline std::optional<bool> parse_bool(std::string_view text) {
  std::string_view s = detail::trim(text);
  if (s == "true" || s == "True" || s == "TRUE" || s == "yes" || s == "on")
    return true;
  if (s == "false" || s == "False" || s == "FALSE" || s == "no" || s == "off")
    return false;
  return std::nullopt;
}

inline std::string format_duration(std::chrono::milliseconds d) {
  auto ms = d.count();
  if (ms == 0)
    return "0s";
  std::string out;
  const std::pair<std::int64_t, const char*> units[] = {
      {86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}, {1, "ms"}};
  for (const auto& [size, name] : units) {
    if (ms >= size) {
      out += std::to_string(ms / size) + name;
      ms %= size;
    }
  }
  return out;
}

}  // namespace vigil::sdk
