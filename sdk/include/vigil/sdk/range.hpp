#pragma once
// Nagios plugin ranges ("10", "10:", "~:10", "10:20", "@10:20"), as the Monitoring Plugins
// development guidelines define them: a value alerts when it lies outside start..end
// (inclusive), or inside it when the range starts with '@'.
#include <limits>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/sdk/units.hpp"

namespace vigil::sdk {

struct Range {
  double start = 0;
  double end = std::numeric_limits<double>::infinity();
  bool inside = false;  // '@': alert when start <= v <= end

  static std::optional<Range> parse(std::string_view text) {
    std::string_view s = detail::trim(text);
    if (s.empty())
      return std::nullopt;
    Range r;
    if (s.front() == '@') {
      r.inside = true;
      s.remove_prefix(1);
    }
    auto colon = s.find(':');
    if (colon == std::string_view::npos) {
      auto end = parse_double(s);
      if (!end)
        return std::nullopt;
      r.start = 0;
      r.end = *end;
    } else {
      std::string_view lo = s.substr(0, colon);
      std::string_view hi = s.substr(colon + 1);
      if (lo == "~") {
        r.start = -std::numeric_limits<double>::infinity();
      } else if (lo.empty()) {
        r.start = 0;
      } else {
        auto v = parse_double(lo);
        if (!v)
          return std::nullopt;
        r.start = *v;
      }
      if (hi.empty()) {
        r.end = std::numeric_limits<double>::infinity();
      } else {
        auto v = parse_double(hi);
        if (!v)
          return std::nullopt;
        r.end = *v;
      }
    }
    if (r.start > r.end)
      return std::nullopt;
    return r;
  }

  // True when the value should raise the alert this range stands for.
  bool alerts(double v) const noexcept {
    const bool within = v >= start && v <= end;
    return inside ? within : !within;
  }

  // Canonical perfdata text.
  std::string to_string() const {
    std::string out = inside ? "@" : "";
    const bool open_start = start == -std::numeric_limits<double>::infinity();
    const bool open_end = end == std::numeric_limits<double>::infinity();
    if (open_start) {
      out += "~:";
    } else if (start != 0 || open_end) {
      out += format_number(start) + ":";
    }
    if (!open_end)
      out += format_number(end);
    return out;
  }

  static std::string format_number(double v) {
    std::string s = std::to_string(v);
    // std::to_string gives 6 decimals; trim the zeros so "98.000000" prints as "98".
    if (s.find('.') != std::string::npos) {
      while (!s.empty() && s.back() == '0')
        s.pop_back();
      if (!s.empty() && s.back() == '.')
        s.pop_back();
    }
    return s;
  }
};

}  // namespace vigil::sdk
