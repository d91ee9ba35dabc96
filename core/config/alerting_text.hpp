#pragma once
// The text forms of the alerting model's values (config.hpp): severities, unknown policies,
// percentages and a rule's `when` condition. Pure parsing, no locations: the reader reports.
#include <optional>
#include <string>
#include <string_view>

#include "core/config/config.hpp"

namespace vigil::core {

// "critical", "warning", "info", case-insensitively.
std::optional<Severity> parse_severity(std::string_view text);

// "hold", "failing", "reset", case-insensitively.
std::optional<UnknownPolicy> parse_unknown_policy(std::string_view text);

// A number, or a number followed by '%' ("10%" -> 10). Finite values only.
std::optional<double> parse_number_or_percent(std::string_view text, bool* had_percent);

// "<subject> <op> <value>", spaces optional:
//   subject: `status`, or a metric name [a-zA-Z_][a-zA-Z0-9_]*
//   op:      <, <=, >, >=, ==, !=
//   value:   for status a status name (OK, WARNING, CRITICAL, UNKNOWN, any case), otherwise a
//            finite number.
// On failure returns nullopt and says why in *error ("unknown status 'BAD' (allowed: ...)").
std::optional<RuleCondition> parse_rule_condition(std::string_view text, std::string* error);

}  // namespace vigil::core
