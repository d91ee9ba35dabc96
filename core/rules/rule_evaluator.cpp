#include "core/rules/rule_evaluator.hpp"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/rules/alert_status_json.hpp"
#include "core/rules/flapping.hpp"
#include "vigil/sdk/range.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

std::string number(double v) {
  if (std::isinf(v))
    return v > 0 ? "inf" : "-inf";
  return sdk::Range::format_number(v);
}

std::string_view op_text(RuleCondition::Op op) {
  switch (op) {
    case RuleCondition::Op::Less:
      return "<";
    case RuleCondition::Op::LessEqual:
      return "<=";
    case RuleCondition::Op::Greater:
      return ">";
    case RuleCondition::Op::GreaterEqual:
      return ">=";
    case RuleCondition::Op::Equal:
      return "==";
    case RuleCondition::Op::NotEqual:
      return "!=";
  }
  return "?";
}

bool holds(RuleCondition::Op op, double v, double bound) {
  switch (op) {
    case RuleCondition::Op::Less:
      return v < bound;
    case RuleCondition::Op::LessEqual:
      return v <= bound;
    case RuleCondition::Op::Greater:
      return v > bound;
    case RuleCondition::Op::GreaterEqual:
      return v >= bound;
    case RuleCondition::Op::Equal:
      return v == bound;
    case RuleCondition::Op::NotEqual:
      return v != bound;
  }
  return false;
}

// "(UNKNOWN: connection refused)": what the result said, for reasons that cannot give a value.
std::string said(const CheckResult& r) {
  std::string s = "(" + std::string(sdk::to_string(r.status));
  if (!r.summary.empty())
    s += ": " + r.summary;
  return s + ")";
}

std::string duration_text(sdk::TimePoint from, sdk::TimePoint to) {
  return sdk::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(to - from));
}

std::string plural(int n, std::string_view word) {
  return std::to_string(n) + " " + std::string(word) + (n == 1 ? "" : "s");
}

}  // namespace

RuleEvaluator::RuleEvaluator(RuleConfig rule) : rule_(std::move(rule)) {}

Evaluation RuleEvaluator::judge(const CheckResult& r) const {
  Evaluation e;
  e.at = r.started;
  const RuleCondition& c = rule_.when;
  constexpr double kUnknown = static_cast<double>(sdk::Status::Unknown);

  if (c.subject == RuleCondition::Subject::Status) {
    const auto v = static_cast<double>(static_cast<int>(r.status));
    e.value = v;
    if (r.status == sdk::Status::Unknown && c.value != kUnknown) {
      e.outcome = EvaluationOutcome::Unknown;
      e.reason = "status UNKNOWN" + (r.summary.empty() ? "" : " (" + r.summary + ")");
      return e;
    }
    e.outcome = holds(c.op, v, c.value) ? EvaluationOutcome::Fail : EvaluationOutcome::Pass;
    e.reason = "status " + std::string(sdk::to_string(r.status));
    return e;
  }

  const sdk::Metric* shown = nullptr;
  for (const sdk::Metric& m : r.metrics) {
    if (m.name != c.metric || std::isnan(m.value))
      continue;
    if (!shown)
      shown = &m;
    if (holds(c.op, m.value, c.value)) {
      shown = &m;
      e.outcome = EvaluationOutcome::Fail;
      break;
    }
    e.outcome = EvaluationOutcome::Pass;
  }
  if (!shown) {
    const bool nan = std::any_of(r.metrics.begin(), r.metrics.end(),
                                 [&](const sdk::Metric& m) { return m.name == c.metric; });
    e.outcome = EvaluationOutcome::Unknown;
    e.reason = (nan ? "metric " + c.metric + " is NaN " : "no metric " + c.metric + " in result ") +
               said(r);
    return e;
  }
  e.value = shown->value;
  if (r.status == sdk::Status::Unknown) {
    // The plugin could not tell; a value it reported anyway is not to be trusted.
    e.outcome = EvaluationOutcome::Unknown;
    e.reason = c.metric + " " + number(shown->value) + " in an UNKNOWN result " + said(r);
    return e;
  }
  e.reason = c.metric + " " + number(shown->value) +
             (e.outcome == EvaluationOutcome::Fail ? " " : ", not ") + std::string(op_text(c.op)) +
             " " + number(c.value);
  return e;
}

std::vector<AlertTransition> RuleEvaluator::observe(const Evaluation& e) {
  std::vector<AlertTransition> out;
  AlertStatus& s = status_;
  ++s.evaluations;
  s.last_value = e.value;
  s.last_reason = e.reason;
  s.last_evaluated = e.at;

  EvaluationOutcome outcome = e.outcome;
  if (outcome == EvaluationOutcome::Unknown) {
    ++s.unknowns;
    switch (rule_.on_unknown) {
      case UnknownPolicy::Hold:
        return out;
      case UnknownPolicy::Failing:
        outcome = EvaluationOutcome::Fail;
        break;
      case UnknownPolicy::Reset:
        outcome = EvaluationOutcome::Pass;
        break;
    }
  }

  const bool fail = outcome == EvaluationOutcome::Fail;
  if (fail) {
    ++s.consecutive_failures;
    s.consecutive_passes = 0;
    ++s.failures;
    on_fail(e, out);
  } else {
    ++s.consecutive_passes;
    s.consecutive_failures = 0;
    on_pass(e, out);
  }

  s.history.push_back(fail);
  if (s.history.size() > AlertStatus::kHistorySize)
    s.history.erase(s.history.begin());
  update_flapping(e, out);
  return out;
}

bool RuleEvaluator::criteria_given() const noexcept {
  return rule_.for_duration || rule_.consecutive || rule_.budget;
}

bool RuleEvaluator::criteria_met(sdk::TimePoint at) const {
  const AlertStatus& s = status_;
  if (!criteria_given())
    return true;
  const bool streak_given = rule_.for_duration || rule_.consecutive;
  const bool streak =
      streak_given &&
      (!rule_.for_duration || (s.pending_since && at - *s.pending_since >= *rule_.for_duration)) &&
      (!rule_.consecutive || s.consecutive_failures >= *rule_.consecutive);
  const bool over_budget = rule_.budget && s.failures > *rule_.budget;
  return streak || over_budget;
}

std::string RuleEvaluator::firing_why(sdk::TimePoint at) const {
  const AlertStatus& s = status_;
  if (rule_.budget && s.failures > *rule_.budget) {
    return plural(s.failures, "failing evaluation") + " in the window, over the budget of " +
           std::to_string(*rule_.budget);
  }
  std::string why = "failing";
  if (rule_.for_duration && s.pending_since)
    why += " for " + duration_text(*s.pending_since, at);
  return why + " (" + plural(s.consecutive_failures, "evaluation") + " in a row)";
}

AlertTransition RuleEvaluator::transition(AlertState from, AlertState to, const Evaluation& e,
                                          std::string reason) const {
  AlertTransition t;
  t.rule = rule_.name;
  t.kind = TransitionKind::State;
  t.from = from;
  t.to = to;
  t.at = e.at;
  t.reason = std::move(reason);
  t.value = e.value;
  return t;
}

void RuleEvaluator::fire(const Evaluation& e, std::vector<AlertTransition>& out) {
  AlertStatus& s = status_;
  std::string reason = e.reason;
  if (criteria_given())
    reason += "; " + firing_why(e.at);
  out.push_back(transition(s.state, AlertState::Firing, e, std::move(reason)));
  s.state = AlertState::Firing;
  s.firing_since = e.at;
  s.clear_since.reset();
  ++s.fired_count;
}

void RuleEvaluator::on_fail(const Evaluation& e, std::vector<AlertTransition>& out) {
  AlertStatus& s = status_;
  switch (s.state) {
    case AlertState::Inactive:
      s.pending_since = e.at;
      if (criteria_given()) {
        out.push_back(transition(AlertState::Inactive, AlertState::Pending, e, e.reason));
        s.state = AlertState::Pending;
      }
      if (criteria_met(e.at))
        fire(e, out);
      break;
    case AlertState::Pending:
      if (criteria_met(e.at))
        fire(e, out);
      break;
    case AlertState::Firing:
      s.clear_since.reset();
      break;
  }
}

void RuleEvaluator::on_pass(const Evaluation& e, std::vector<AlertTransition>& out) {
  AlertStatus& s = status_;
  switch (s.state) {
    case AlertState::Inactive:
      break;
    case AlertState::Pending:
      out.push_back(transition(AlertState::Pending, AlertState::Inactive, e, e.reason));
      s.state = AlertState::Inactive;
      s.pending_since.reset();
      break;
    case AlertState::Firing: {
      if (!s.clear_since)
        s.clear_since = e.at;
      const int needed = std::max(1, rule_.recover_after);
      const auto keep = rule_.keep_firing_for;
      const bool kept_long_enough = keep.count() <= 0 || e.at - *s.clear_since >= keep;
      if (s.consecutive_passes < needed || !kept_long_enough)
        break;
      std::string reason = e.reason + "; clear";
      if (keep.count() > 0)
        reason += " for " + duration_text(*s.clear_since, e.at);
      reason += " (" + plural(s.consecutive_passes, "evaluation") + " in a row)";
      out.push_back(transition(AlertState::Firing, AlertState::Inactive, e, std::move(reason)));
      s.state = AlertState::Inactive;
      s.last_resolved = e.at;
      s.pending_since.reset();
      s.firing_since.reset();
      s.clear_since.reset();
      break;
    }
  }
}

void RuleEvaluator::update_flapping(const Evaluation& e, std::vector<AlertTransition>& out) {
  AlertStatus& s = status_;
  s.flap_percent = flap_percent(s.history);
  const bool starts = !s.flapping && s.flap_percent > rule_.flap_high;
  const bool stops = s.flapping && s.flap_percent < rule_.flap_low;
  if (!starts && !stops)
    return;
  s.flapping = starts;
  AlertTransition t;
  t.rule = rule_.name;
  t.kind = starts ? TransitionKind::FlappingStarted : TransitionKind::FlappingStopped;
  t.from = s.state;
  t.to = s.state;
  t.at = e.at;
  t.reason = sdk::Range::format_number(std::round(s.flap_percent * 10) / 10) + "% over the last " +
             plural(static_cast<int>(s.history.size()), "evaluation") +
             (starts ? ", above " + number(rule_.flap_high) : ", below " + number(rule_.flap_low)) +
             "%";
  t.value = s.flap_percent;
  out.push_back(std::move(t));
}

std::string RuleEvaluator::save() const {
  return alert_status_to_json(status_, rule_.name);
}

void RuleEvaluator::restore(std::string_view json) {
  status_ = alert_status_from_json(json, rule_.name);
}

}  // namespace vigil::core
