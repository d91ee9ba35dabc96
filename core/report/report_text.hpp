#pragma once
// Small text helpers the report renderers share: numbers as people read them, durations,
// times, and escaping for HTML and markdown tables.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "vigil/sdk/context.hpp"

namespace vigil::core::report {

// Four significant digits, no exponent for ordinary magnitudes: 98.2345 -> "98.23",
// 0.000123 -> "0.000123", 12345.6 -> "12346".
std::string format_figure(double v);

// A figure with its unit: "98.23%", "0.12 s", "7"; "n/a" when absent.
std::string format_with_unit(const std::optional<double>& v, const std::string& unit);

// "2d 3h", "48h", "5m 30s", "750ms", "0s": the two largest non-zero units.
std::string format_duration(std::chrono::milliseconds d);

// RFC 3339 UTC with seconds.
std::string format_time(sdk::TimePoint t);

// Escapes & < > " ' for HTML text and attribute values (inline SVG included).
std::string html_escape(std::string_view text);

// One markdown table cell: '|' escaped, line breaks turned into spaces.
std::string markdown_cell(std::string_view text);

}  // namespace vigil::core::report
