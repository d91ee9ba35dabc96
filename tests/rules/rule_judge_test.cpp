// RuleEvaluator::judge: what one check result means for a rule's condition.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "rules_test_support.hpp"

namespace vigil::core {
namespace {

using namespace rules_test;

CheckResult result(sdk::Status status, std::string summary = {}) {
  CheckResult r;
  r.check = "api";
  r.plugin = "http_probe";
  r.status = status;
  r.plugin_status = status;
  r.summary = std::move(summary);
  r.started = kT0 + 90s;
  r.duration = 250ms;
  return r;
}

CheckResult with_metric(CheckResult r, std::string name, double value) {
  r.metrics.emplace_back(std::move(name), value);
  return r;
}

RuleConfig status_rule(RuleCondition::Op op, sdk::Status bound) {
  RuleConfig rule = rule_named("api-down");
  rule.when.subject = RuleCondition::Subject::Status;
  rule.when.metric.clear();
  rule.when.op = op;
  rule.when.value = static_cast<int>(bound);
  return rule;
}

RuleConfig metric_rule(RuleCondition::Op op, double bound, std::string metric = "error_rate") {
  RuleConfig rule = rule_named("error-rate");
  rule.when.metric = std::move(metric);
  rule.when.op = op;
  rule.when.value = bound;
  return rule;
}

TEST(RuleJudge, StatusAtLeastWarningFailsOnWarningAndCritical) {
  RuleEvaluator ev(status_rule(RuleCondition::Op::GreaterEqual, sdk::Status::Warning));

  Evaluation ok = ev.judge(result(sdk::Status::Ok, "200 in 12ms"));
  EXPECT_EQ(ok.outcome, EvaluationOutcome::Pass);
  EXPECT_EQ(ok.reason, "status OK");
  EXPECT_EQ(ok.value, 0.0);

  Evaluation warning = ev.judge(result(sdk::Status::Warning));
  EXPECT_EQ(warning.outcome, EvaluationOutcome::Fail);
  EXPECT_EQ(warning.reason, "status WARNING");
  EXPECT_EQ(warning.value, 1.0);

  Evaluation critical = ev.judge(result(sdk::Status::Critical, "HTTP 503"));
  EXPECT_EQ(critical.outcome, EvaluationOutcome::Fail);
  EXPECT_EQ(critical.reason, "status CRITICAL");
  EXPECT_EQ(critical.value, 2.0);
}

TEST(RuleJudge, StatusEqualsCriticalPassesOnWarning) {
  RuleEvaluator ev(status_rule(RuleCondition::Op::Equal, sdk::Status::Critical));
  EXPECT_EQ(ev.judge(result(sdk::Status::Warning)).outcome, EvaluationOutcome::Pass);
  EXPECT_EQ(ev.judge(result(sdk::Status::Critical)).outcome, EvaluationOutcome::Fail);
}

TEST(RuleJudge, StatusNotOkFailsOnWarning) {
  RuleEvaluator ev(status_rule(RuleCondition::Op::NotEqual, sdk::Status::Ok));
  EXPECT_EQ(ev.judge(result(sdk::Status::Ok)).outcome, EvaluationOutcome::Pass);
  EXPECT_EQ(ev.judge(result(sdk::Status::Warning)).outcome, EvaluationOutcome::Fail);
}

TEST(RuleJudge, UnknownResultIsUnknownForAStatusCondition) {
  // Numerically UNKNOWN (3) is >= WARNING (1); it must not be read as a failure.
  RuleEvaluator ev(status_rule(RuleCondition::Op::GreaterEqual, sdk::Status::Warning));
  Evaluation e = ev.judge(result(sdk::Status::Unknown, "connection refused"));
  EXPECT_EQ(e.outcome, EvaluationOutcome::Unknown);
  EXPECT_EQ(e.reason, "status UNKNOWN (connection refused)");
}

TEST(RuleJudge, ConditionOnUnknownItselfIsTestedLiterally) {
  RuleEvaluator ev(status_rule(RuleCondition::Op::Equal, sdk::Status::Unknown));
  Evaluation unknown = ev.judge(result(sdk::Status::Unknown, "timeout"));
  EXPECT_EQ(unknown.outcome, EvaluationOutcome::Fail);
  EXPECT_EQ(unknown.reason, "status UNKNOWN");
  EXPECT_EQ(ev.judge(result(sdk::Status::Critical)).outcome, EvaluationOutcome::Pass);
}

TEST(RuleJudge, MetricAboveBoundFails) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 1));
  Evaluation e = ev.judge(with_metric(result(sdk::Status::Ok), "error_rate", 1.7));
  EXPECT_EQ(e.outcome, EvaluationOutcome::Fail);
  EXPECT_EQ(e.reason, "error_rate 1.7 > 1");
  EXPECT_EQ(e.value, 1.7);
  EXPECT_EQ(e.at, kT0 + 90s);
}

TEST(RuleJudge, MetricWithinBoundPasses) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 1));
  Evaluation e = ev.judge(with_metric(result(sdk::Status::Ok), "error_rate", 0.25));
  EXPECT_EQ(e.outcome, EvaluationOutcome::Pass);
  EXPECT_EQ(e.reason, "error_rate 0.25, not > 1");
  EXPECT_EQ(e.value, 0.25);
}

TEST(RuleJudge, MetricConditionIgnoresTheCheckStatus) {
  // The check is CRITICAL for some other threshold; this rule asks about error_rate only.
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 1));
  EXPECT_EQ(ev.judge(with_metric(result(sdk::Status::Critical), "error_rate", 0.5)).outcome,
            EvaluationOutcome::Pass);
}

struct OpCase {
  RuleCondition::Op op;
  bool below, equal, above;  // does 4, 5, 6 break "<op> 5"?
};

TEST(RuleJudge, EveryOperatorAtBelowEqualAndAboveTheBound) {
  const OpCase cases[] = {
      {RuleCondition::Op::Less, true, false, false},
      {RuleCondition::Op::LessEqual, true, true, false},
      {RuleCondition::Op::Greater, false, false, true},
      {RuleCondition::Op::GreaterEqual, false, true, true},
      {RuleCondition::Op::Equal, false, true, false},
      {RuleCondition::Op::NotEqual, true, false, true},
  };
  for (const OpCase& c : cases) {
    RuleEvaluator ev(metric_rule(c.op, 5, "pass_rate"));
    auto fails = [&](double v) {
      return ev.judge(with_metric(result(sdk::Status::Ok), "pass_rate", v)).outcome ==
             EvaluationOutcome::Fail;
    };
    SCOPED_TRACE(static_cast<int>(c.op));
    EXPECT_EQ(fails(4), c.below);
    EXPECT_EQ(fails(5), c.equal);
    EXPECT_EQ(fails(6), c.above);
  }
}

TEST(RuleJudge, MissingMetricIsUnknownAndSaysWhatTheResultSaid) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 0.5, "p95"));
  Evaluation refused = ev.judge(result(sdk::Status::Unknown, "connection refused"));
  EXPECT_EQ(refused.outcome, EvaluationOutcome::Unknown);
  EXPECT_EQ(refused.reason, "no metric p95 in result (UNKNOWN: connection refused)");
  EXPECT_FALSE(refused.value);

  // A healthy result without the metric is still a gap, not a pass.
  Evaluation other = ev.judge(with_metric(result(sdk::Status::Ok, "fine"), "p50", 0.1));
  EXPECT_EQ(other.outcome, EvaluationOutcome::Unknown);
  EXPECT_EQ(other.reason, "no metric p95 in result (OK: fine)");
}

TEST(RuleJudge, MetricInAnUnknownResultIsUnknown) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 0.5, "p95"));
  Evaluation e = ev.judge(with_metric(result(sdk::Status::Unknown, "partial"), "p95", 9));
  EXPECT_EQ(e.outcome, EvaluationOutcome::Unknown);
  EXPECT_EQ(e.value, 9.0);
  EXPECT_EQ(e.reason, "p95 9 in an UNKNOWN result (UNKNOWN: partial)");
}

TEST(RuleJudge, NaNMetricIsUnknown) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::NotEqual, 0, "errors"));
  Evaluation e = ev.judge(
      with_metric(result(sdk::Status::Ok), "errors", std::numeric_limits<double>::quiet_NaN()));
  EXPECT_EQ(e.outcome, EvaluationOutcome::Unknown);
  EXPECT_EQ(e.reason, "metric errors is NaN (OK)");
  EXPECT_FALSE(e.value);
}

TEST(RuleJudge, AnySeriesBreakingTheConditionFails) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 90, "disk_used_percent"));
  CheckResult r = result(sdk::Status::Ok);
  r.metrics.emplace_back("disk_used_percent", 40, "%", sdk::Labels{{"mount", "/"}});
  r.metrics.emplace_back("disk_used_percent", 97, "%", sdk::Labels{{"mount", "/var"}});
  r.metrics.emplace_back("disk_used_percent", 95, "%", sdk::Labels{{"mount", "/srv"}});
  Evaluation e = ev.judge(r);
  EXPECT_EQ(e.outcome, EvaluationOutcome::Fail);
  EXPECT_EQ(e.value, 97.0);

  r.metrics[1].value = 50;
  r.metrics[2].value = 60;
  Evaluation calm = ev.judge(r);
  EXPECT_EQ(calm.outcome, EvaluationOutcome::Pass);
  EXPECT_EQ(calm.value, 40.0);
}

TEST(RuleJudge, ObservingAResultJudgesIt) {
  RuleEvaluator ev(metric_rule(RuleCondition::Op::Greater, 1));
  auto ts = ev.observe(with_metric(result(sdk::Status::Ok), "error_rate", 2.5));
  ASSERT_EQ(moves(ts), (Moves{"inactive->firing"}));
  EXPECT_EQ(ts[0].rule, "error-rate");
  EXPECT_EQ(ts[0].at, kT0 + 90s);
  EXPECT_EQ(ts[0].value, 2.5);
  EXPECT_EQ(ts[0].reason, "error_rate 2.5 > 1");
  EXPECT_EQ(ev.status().last_reason, "error_rate 2.5 > 1");
  EXPECT_EQ(ev.status().last_evaluated, kT0 + 90s);
}

TEST(AlertState, NamesRoundTrip) {
  for (AlertState s : {AlertState::Inactive, AlertState::Pending, AlertState::Firing})
    EXPECT_EQ(alert_state_from_string(to_string(s)), s);
  EXPECT_EQ(to_string(AlertState::Firing), "firing");
  EXPECT_FALSE(alert_state_from_string("FIRING"));
}

}  // namespace
}  // namespace vigil::core
