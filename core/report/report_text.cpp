#include "core/report/report_text.hpp"

#include <cmath>
#include <cstdio>
#include <vector>

#include "core/output/result_format.hpp"

namespace vigil::core::report {

std::string format_figure(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  if (std::fabs(v) >= 1000) {
    std::snprintf(buf, sizeof buf, "%.0f", v);
  } else if (v != 0 && std::fabs(v) < 0.001) {
    std::snprintf(buf, sizeof buf, "%.3g", v);
    // %g switches to an exponent below 1e-4; spell small values out instead.
    if (std::string(buf).find('e') != std::string::npos)
      std::snprintf(buf, sizeof buf, "%.8f", v);
  } else {
    std::snprintf(buf, sizeof buf, "%.4g", v);
  }
  std::string s = buf;
  if (s.find('.') != std::string::npos && s.find('e') == std::string::npos) {
    while (s.back() == '0')
      s.pop_back();
    if (s.back() == '.')
      s.pop_back();
  }
  return s == "-0" ? "0" : s;
}

std::string format_with_unit(const std::optional<double>& v, const std::string& unit) {
  if (!v)
    return "n/a";
  const std::string number = format_figure(*v);
  if (unit.empty())
    return number;
  if (unit == "%")
    return number + "%";
  return number + " " + unit;
}

std::string format_duration(std::chrono::milliseconds d) {
  using namespace std::chrono;
  if (d < milliseconds(0))
    return "-" + format_duration(-d);
  if (d < seconds(1))
    return std::to_string(d.count()) + "ms";
  struct Unit {
    long long ms;
    const char* suffix;
  };
  static const Unit units[] = {{86400000, "d"}, {3600000, "h"}, {60000, "m"}, {1000, "s"}};
  long long rest = d.count();
  std::vector<std::string> parts;
  for (const auto& u : units) {
    const long long n = rest / u.ms;
    rest %= u.ms;
    if (n > 0)
      parts.push_back(std::to_string(n) + u.suffix);
    else if (!parts.empty())
      break;  // "2d 3h", never "2d 0h 5m"
    if (parts.size() == 2)
      break;
  }
  if (parts.empty())
    return "0s";
  return parts.size() == 1 ? parts[0] : parts[0] + " " + parts[1];
}

std::string format_time(sdk::TimePoint t) {
  return format_rfc3339(t);
}

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string markdown_cell(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '|')
      out += "\\|";
    else if (c == '\n' || c == '\r')
      out += ' ';
    else
      out += c;
  }
  return out;
}

}  // namespace vigil::core::report
