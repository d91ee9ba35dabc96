#pragma once
// Shared by the rules tests: rules built by hand (the YAML side is tested in tests/config) and
// evaluations at minutes and seconds after a fixed instant, so no test needs a clock.
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/config/config.hpp"
#include "core/rules/rule_evaluator.hpp"

namespace vigil::core::rules_test {

using namespace std::chrono_literals;

// 2025-10-18T15:32:00Z, as FakeClock::kDefaultWallStart.
inline constexpr sdk::TimePoint kT0{std::chrono::seconds{1760801520}};

inline RuleConfig rule_named(std::string name) {
  RuleConfig r;
  r.name = std::move(name);
  r.pipeline = "genesis";
  r.check = "api";
  r.when.subject = RuleCondition::Subject::Metric;
  r.when.metric = "error_rate";
  r.when.op = RuleCondition::Op::Greater;
  r.when.value = 1;
  r.when.text = "error_rate > 1";
  return r;
}

inline Evaluation eval_at(sdk::TimePoint::duration after, EvaluationOutcome o) {
  Evaluation e;
  e.at = kT0 + after;
  e.outcome = o;
  switch (o) {
    case EvaluationOutcome::Fail:
      e.value = 1.7;
      e.reason = "error_rate 1.7 > 1";
      break;
    case EvaluationOutcome::Pass:
      e.value = 0.2;
      e.reason = "error_rate 0.2, not > 1";
      break;
    case EvaluationOutcome::Unknown:
      e.reason = "no metric error_rate in result (UNKNOWN: connection refused)";
      break;
  }
  return e;
}
inline Evaluation fail_at(sdk::TimePoint::duration after) {
  return eval_at(after, EvaluationOutcome::Fail);
}
inline Evaluation pass_at(sdk::TimePoint::duration after) {
  return eval_at(after, EvaluationOutcome::Pass);
}
inline Evaluation unknown_at(sdk::TimePoint::duration after) {
  return eval_at(after, EvaluationOutcome::Unknown);
}

// "inactive->pending", "pending->firing", "flapping_started": transitions in one comparable line
// each, so an expectation reads like the state diagram.
inline std::vector<std::string> moves(const std::vector<AlertTransition>& ts) {
  std::vector<std::string> out;
  for (const AlertTransition& t : ts) {
    if (t.kind == TransitionKind::State)
      out.push_back(std::string(to_string(t.from)) + "->" + std::string(to_string(t.to)));
    else
      out.emplace_back(to_string(t.kind));
  }
  return out;
}

using Moves = std::vector<std::string>;

}  // namespace vigil::core::rules_test
