#include "core/rules/alert.hpp"

namespace vigil::core {

std::string_view to_string(AlertState s) noexcept {
  switch (s) {
    case AlertState::Inactive:
      return "inactive";
    case AlertState::Pending:
      return "pending";
    case AlertState::Firing:
      return "firing";
  }
  return "inactive";
}

std::optional<AlertState> alert_state_from_string(std::string_view s) noexcept {
  for (AlertState state : {AlertState::Inactive, AlertState::Pending, AlertState::Firing}) {
    if (to_string(state) == s)
      return state;
  }
  return std::nullopt;
}

std::string_view to_string(EvaluationOutcome o) noexcept {
  switch (o) {
    case EvaluationOutcome::Pass:
      return "pass";
    case EvaluationOutcome::Fail:
      return "fail";
    case EvaluationOutcome::Unknown:
      return "unknown";
  }
  return "unknown";
}

std::string_view to_string(TransitionKind k) noexcept {
  switch (k) {
    case TransitionKind::State:
      return "state";
    case TransitionKind::FlappingStarted:
      return "flapping_started";
    case TransitionKind::FlappingStopped:
      return "flapping_stopped";
  }
  return "state";
}

}  // namespace vigil::core
