#pragma once
// Turns the results of a rule's check into alert state: pure logic, no clock, no I/O. Time is
// the result's start time, so replaying the same results gives the same transitions, and a test
// needs no clock at all.
//
// Judging (judge): the condition is tested on the result's status or on one metric.
//   - An UNKNOWN result is Unknown, except for a status condition whose bound is UNKNOWN itself
//     ("status == UNKNOWN"), which is tested literally: such a rule asks about UNKNOWN.
//   - A metric condition on a result without that metric, or whose value is NaN, is Unknown.
//   - A metric reported several times (several label sets) fails when any series breaks the
//     condition; the value shown is the first series that breaks it, else the first series.
//
// Firing ("long enough"), checked on every failing evaluation while not firing:
//   - for: pending from the first failing evaluation t0; fires at the first failing
//     evaluation at t with t - t0 >= for (Prometheus). A pass before that goes back to inactive.
//   - consecutive: N: fires on the Nth failing evaluation in a row; a pass resets the count.
//   - for and consecutive together: both must hold.
//   - budget: B: fires when the failing evaluations in the window exceed B. Given together with
//     for and/or consecutive, EITHER suffices: the budget exceeded, or for/consecutive holding.
//     The count outlives the alert: after the alert resolves, the next failure in the same
//     window fires again at once, until reset_window() starts a new window.
//   - none of them: fires on the first failing evaluation, with no pending stage. When any is
//     given and already met on the first failure (for: 0s, consecutive: 1, budget: 0), the
//     alert passes through pending in the same evaluation: two transitions.
//
// Recovery (hysteresis), while firing: resolves (Firing -> Inactive) at a passing evaluation
// once there have been recover_after passes in a row (at least 1) and, when keep_firing_for > 0,
// the condition has stayed clear for keep_firing_for since the first of them (clear_since). A
// failing evaluation while clearing starts both over. Pending -> Inactive on any pass.
//
// UNKNOWN (rule.on_unknown), counted in status().unknowns under every policy:
//   - hold: the evaluation changes nothing else: counts neither grow nor reset, a pending alert
//     stays pending and its `for` timer keeps running from t0, so the next failing evaluation at
//     t with t - t0 >= for fires even if only UNKNOWNs came in between (the gap is not taken as
//     good news). A clearing alert's keep_firing_for timer likewise keeps running.
//   - failing: the evaluation counts as a failing one (the budget included).
//   - reset: the evaluation counts as a passing one.
//
// Flapping: after each counted evaluation, flap_percent(history) (flapping.hpp); flapping starts
// above rule.flap_high and stops below rule.flap_low, each emitting a transition. Flapping does
// not change the alert state; whoever acts on alerts decides what it means (the window verdict
// calls it inconclusive).
//
// Evaluations are expected in time order; one older than the previous is still counted, its
// negative durations meeting no `for` or keep_firing_for.
#include <string>
#include <string_view>
#include <vector>

#include "core/config/config.hpp"
#include "core/model/check_result.hpp"
#include "core/rules/alert.hpp"

namespace vigil::core {

class RuleEvaluator {
 public:
  explicit RuleEvaluator(RuleConfig rule);

  // What `r` means for the rule; at = r.started.
  Evaluation judge(const CheckResult& r) const;

  // Advances the alert by one evaluation. Returns the transitions it caused, in order: none,
  // one, inactive -> pending -> firing in one step, and possibly a flapping transition last.
  std::vector<AlertTransition> observe(const Evaluation& e);
  std::vector<AlertTransition> observe(const CheckResult& r) { return observe(judge(r)); }

  const AlertStatus& status() const noexcept { return status_; }
  const RuleConfig& rule() const noexcept { return rule_; }

  // status() as a JSON document (times in nanoseconds since the Unix epoch), so that the alert
  // survives a restart: restore(save()) on an evaluator of the same rule continues exactly as
  // the saved one would have.
  std::string save() const;
  // Replaces status() with a saved one. Throws std::runtime_error with a one-line reason when
  // the text is not JSON, a field is missing or of the wrong type, the values contradict each
  // other, or it was saved for another rule; status() is then unchanged.
  void restore(std::string_view json);

  // A new observation window: the budget's count of failures starts from 0. The alert state is
  // left as it is.
  void reset_window() noexcept { status_.failures = 0; }

 private:
  bool criteria_given() const noexcept;
  bool criteria_met(sdk::TimePoint at) const;
  std::string firing_why(sdk::TimePoint at) const;
  void fire(const Evaluation& e, std::vector<AlertTransition>& out);
  void on_fail(const Evaluation& e, std::vector<AlertTransition>& out);
  void on_pass(const Evaluation& e, std::vector<AlertTransition>& out);
  void update_flapping(const Evaluation& e, std::vector<AlertTransition>& out);
  AlertTransition transition(AlertState from, AlertState to, const Evaluation& e,
                             std::string reason) const;

  RuleConfig rule_;
  AlertStatus status_;
};

}  // namespace vigil::core
