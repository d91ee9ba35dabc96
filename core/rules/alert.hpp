#pragma once
// The vocabulary of rule evaluation: what one result says about a rule (Evaluation), where the
// rule's alert stands (AlertStatus) and how it moved (AlertTransition). Plain data, no clock:
// every time in here is the time of a check result.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vigil/sdk/context.hpp"

namespace vigil::core {

// Prometheus' alert states: pending while the "long enough" criteria accumulate, firing once
// they hold.
enum class AlertState { Inactive, Pending, Firing };
std::string_view to_string(AlertState s) noexcept;  // "inactive" "pending" "firing"
std::optional<AlertState> alert_state_from_string(std::string_view s) noexcept;

// What one check result means for one rule. Unknown: the result could not tell (UNKNOWN status,
// or the rule's metric is missing or NaN); the rule's on_unknown policy decides how it counts.
enum class EvaluationOutcome { Pass, Fail, Unknown };
std::string_view to_string(EvaluationOutcome o) noexcept;  // "pass" "fail" "unknown"

struct Evaluation {
  sdk::TimePoint at;  // the result's start time
  EvaluationOutcome outcome = EvaluationOutcome::Unknown;
  std::optional<double> value;  // the metric's value, or the status as 0..3; none when missing
  // One line: "error_rate 1.7 > 1", "status CRITICAL",
  // "no metric p95 in result (UNKNOWN: connection refused)".
  std::string reason;

  friend bool operator==(const Evaluation&, const Evaluation&) = default;
};

enum class TransitionKind { State, FlappingStarted, FlappingStopped };
std::string_view to_string(TransitionKind k) noexcept;  // "state" "flapping_started" ...

struct AlertTransition {
  std::string rule;  // RuleConfig::name
  TransitionKind kind = TransitionKind::State;
  // State transitions: the states left and entered. Flapping transitions do not change the
  // alert state: from == to == the state at that moment.
  AlertState from = AlertState::Inactive;
  AlertState to = AlertState::Inactive;
  sdk::TimePoint at;
  // State transitions: the evaluation's reason, and for firing and resolving why now
  // ("error_rate 1.7 > 1; failing for 5m (6 evaluations)"). Flapping transitions:
  // "42.1% over the last 20 evaluations, above 30%".
  std::string reason;
  // State transitions: the evaluation's value. Flapping transitions: the flap percentage.
  std::optional<double> value;

  bool fired() const noexcept { return kind == TransitionKind::State && to == AlertState::Firing; }
  bool resolved() const noexcept {
    return kind == TransitionKind::State && from == AlertState::Firing &&
           to == AlertState::Inactive;
  }

  friend bool operator==(const AlertTransition&, const AlertTransition&) = default;
};

// Where a rule's alert stands. This is the evaluator's whole memory: RuleEvaluator::save()
// writes exactly this, so a restored evaluator continues as if never interrupted.
struct AlertStatus {
  static constexpr std::size_t kHistorySize = 20;

  AlertState state = AlertState::Inactive;
  // Start of the failing streak that made the alert pending (the `for` timer's t0); kept while
  // firing, cleared when the alert goes back to inactive.
  std::optional<sdk::TimePoint> pending_since;
  std::optional<sdk::TimePoint> firing_since;
  // While firing: the first passing evaluation since the last failing one (keep_firing_for
  // counts from here).
  std::optional<sdk::TimePoint> clear_since;
  std::optional<sdk::TimePoint> last_resolved;
  int consecutive_failures = 0;
  int consecutive_passes = 0;
  int failures = 0;  // failing evaluations in the current window, for `budget`
  int evaluations = 0;
  int unknowns = 0;  // Unknown outcomes, whatever the on_unknown policy made of them
  int fired_count = 0;
  bool flapping = false;
  double flap_percent = 0;
  // The last kHistorySize counted outcomes, oldest first: true = fail. Unknowns held by
  // on_unknown: hold are not in it.
  std::vector<bool> history;
  std::optional<double> last_value;
  std::string last_reason;
  std::optional<sdk::TimePoint> last_evaluated;

  friend bool operator==(const AlertStatus&, const AlertStatus&) = default;
};

}  // namespace vigil::core
