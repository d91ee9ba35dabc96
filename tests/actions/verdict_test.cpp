// The verdict mapping, rule by rule, in its documented order.
#include "core/window/verdict.hpp"

#include <gtest/gtest.h>

namespace vigil::core {
namespace {

WindowConfig window() {
  WindowConfig w;
  w.duration = std::chrono::hours(48);
  w.max_unknown_ratio = 0.1;
  return w;
}

WindowFacts healthy() {
  WindowFacts f;
  f.results = 576;
  f.unknown_results = 3;
  return f;
}

TEST(Verdict, QuietWindowIsSuccessful) {
  const auto d = decide_verdict(healthy(), window());
  EXPECT_EQ(d.verdict, Verdict::Successful);
  EXPECT_EQ(d.reason, "no critical rule fired in 576 results");
}

TEST(Verdict, ACriticalRuleFiringFails) {
  WindowFacts f = healthy();
  f.fired.push_back({"pass-rate-warning", Severity::Warning});
  f.fired.push_back({"error-rate-critical", Severity::Critical});
  const auto d = decide_verdict(f, window());
  EXPECT_EQ(d.verdict, Verdict::Failed);
  EXPECT_EQ(d.reason, "rule error-rate-critical (critical) fired");
}

TEST(Verdict, AWarningRuleFailsOnlyWhenFailOnSaysSo) {
  WindowFacts f = healthy();
  f.fired.push_back({"pass-rate-warning", Severity::Warning});
  EXPECT_EQ(decide_verdict(f, window()).verdict, Verdict::Successful);
  WindowConfig strict = window();
  strict.fail_on = Severity::Warning;
  EXPECT_EQ(decide_verdict(f, strict).verdict, Verdict::Failed);
}

TEST(Verdict, TooManyUnknownsIsInconclusive) {
  WindowFacts f = healthy();
  f.unknown_results = 58;  // 10.07% > 10%
  const auto d = decide_verdict(f, window());
  EXPECT_EQ(d.verdict, Verdict::Inconclusive);
  EXPECT_EQ(d.reason, "58 of 576 results UNKNOWN (10.1%, limit 10.0%)");
  f.unknown_results = 57;  // 9.9%
  EXPECT_EQ(decide_verdict(f, window()).verdict, Verdict::Successful);
}

TEST(Verdict, FlappingIsInconclusiveUnlessConfiguredOtherwise) {
  WindowFacts f = healthy();
  f.flapped.push_back("p95-latency");
  EXPECT_EQ(decide_verdict(f, window()).verdict, Verdict::Inconclusive);
  WindowConfig lenient = window();
  lenient.flapping_is_inconclusive = false;
  EXPECT_EQ(decide_verdict(f, lenient).verdict, Verdict::Successful);
}

TEST(Verdict, NoResultsAtAllIsInconclusive) {
  EXPECT_EQ(decide_verdict(WindowFacts{}, window()).verdict, Verdict::Inconclusive);
}

TEST(Verdict, ARollbackFailsEvenWhenEverythingElseIsFine) {
  WindowFacts f = healthy();
  f.rollbacks.push_back("rule:error-rate-critical:step2");
  f.promoted = "looked fine";  // a rollback outranks a promotion
  const auto d = decide_verdict(f, window());
  EXPECT_EQ(d.verdict, Verdict::Failed);
  EXPECT_EQ(d.reason, "rolled back (rule:error-rate-critical:step2)");
}

TEST(Verdict, OperatorsDecideBeforeTheRules) {
  WindowFacts f = healthy();
  f.fired.push_back({"error-rate-critical", Severity::Critical});
  f.promoted = "known noisy check (by alice)";
  EXPECT_EQ(decide_verdict(f, window()).verdict, Verdict::Successful);
  f.aborted = "customer escalation (by bob)";
  const auto d = decide_verdict(f, window());
  EXPECT_EQ(d.verdict, Verdict::Failed);
  EXPECT_EQ(d.reason, "aborted by an operator: customer escalation (by bob)");
}

TEST(Verdict, NamesRoundTrip) {
  for (Verdict v : {Verdict::Successful, Verdict::Failed, Verdict::Inconclusive})
    EXPECT_EQ(parse_verdict(to_string(v)), v);
  EXPECT_FALSE(parse_verdict("promoted").has_value());
}

}  // namespace
}  // namespace vigil::core
