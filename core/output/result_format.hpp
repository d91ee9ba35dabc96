#pragma once
// How a judged CheckResult is printed: the Nagios plugin line for humans and for Icinga/Nagios
// wrappers, JSON (one object per line) for scripts, and the seed-style log line.
#include <optional>
#include <string>

#include "core/model/check_result.hpp"

namespace vigil::core {

// "OK - summary | 'pass_rate'=98.5%;98:;95:;0;100 'latency{op=read}'=0.12s"
// followed by details, one per line, as Nagios long output.
std::string format_nagios(const CheckResult& result);

// One JSON object on one line; schema in docs/output.md.
std::string format_json(const CheckResult& result);

// "✓ api-health: HTTP 200 in 0.012s" / "✗ api-health: CRITICAL - connection refused"
std::string format_log_line(const CheckResult& result);

// RFC 3339 UTC with seconds: "2026-11-29T03:41:33Z".
std::string format_rfc3339(sdk::TimePoint t);
// The inverse, for times operators type: "2026-11-29T18:00:00Z" (or +00:00); anything else, or
// an impossible date, is nullopt.
std::optional<sdk::TimePoint> parse_rfc3339_utc(const std::string& text);

// Perfdata number: shortest text that reads back as the same double, no exponent for
// ordinary magnitudes.
std::string format_value(double v);

}  // namespace vigil::core
