#pragma once
// AlertStatus as JSON, the form RuleEvaluator::save() writes to the state database:
//
//   {"format": 1, "rule": "error-rate", "state": "pending", "pending_since_ns":
//   1760801520000000000,
//    "firing_since_ns": null, ..., "history": [false, true, true], "last_value": 1.7, ...}
//
// Times are integer nanoseconds since the Unix epoch, so a restored status compares equal to
// the saved one; infinite values are written as the strings "inf" and "-inf", JSON having no
// such numbers.
#include <string>
#include <string_view>

#include "core/rules/alert.hpp"

namespace vigil::core {

std::string alert_status_to_json(const AlertStatus& status, std::string_view rule);

// Throws std::runtime_error, one line: "rule error-rate: saved state: <what is wrong>". Every
// field is required; a status saved for another rule is refused.
AlertStatus alert_status_from_json(std::string_view json, std::string_view rule);

}  // namespace vigil::core
