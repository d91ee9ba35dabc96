// UNKNOWN gaps under each on_unknown policy.
#include <gtest/gtest.h>

#include "rules_test_support.hpp"

namespace vigil::core {
namespace {

using namespace rules_test;

RuleConfig with_policy(UnknownPolicy p) {
  RuleConfig rule = rule_named("r");
  rule.on_unknown = p;
  return rule;
}

TEST(RuleUnknownHold, APendingAlertStaysPendingThroughUnknowns) {
  RuleConfig rule = with_policy(UnknownPolicy::Hold);
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0min));
  ev.observe(fail_at(1min));
  for (int minute = 2; minute <= 4; ++minute) {
    EXPECT_TRUE(ev.observe(unknown_at(std::chrono::minutes(minute))).empty());
    EXPECT_EQ(ev.status().state, AlertState::Pending);
  }
  const AlertStatus& s = ev.status();
  EXPECT_EQ(s.pending_since, kT0);
  EXPECT_EQ(s.consecutive_failures, 2);
  EXPECT_EQ(s.unknowns, 3);
  EXPECT_EQ(s.evaluations, 5);
  EXPECT_EQ(s.history, (std::vector<bool>{true, true}));
  EXPECT_EQ(s.last_reason, "no metric error_rate in result (UNKNOWN: connection refused)");
  EXPECT_FALSE(s.last_value);
  EXPECT_EQ(s.last_evaluated, kT0 + 4min);
}

TEST(RuleUnknownHold, TheForTimerRunsOnThroughTheGap) {
  RuleConfig rule = with_policy(UnknownPolicy::Hold);
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0min));
  for (int minute = 1; minute <= 6; ++minute)
    ev.observe(unknown_at(std::chrono::minutes(minute)));
  // Only UNKNOWN since t0, but the next real failure is 7m after it: fires.
  auto ts = ev.observe(fail_at(7min));
  ASSERT_EQ(moves(ts), (Moves{"pending->firing"}));
  EXPECT_EQ(ts[0].reason, "error_rate 1.7 > 1; failing for 7m (2 evaluations in a row)");
}

TEST(RuleUnknownHold, UnknownNeitherGrowsNorResetsConsecutive) {
  RuleConfig rule = with_policy(UnknownPolicy::Hold);
  rule.consecutive = 3;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  ev.observe(fail_at(1s));
  ev.observe(unknown_at(2s));
  ev.observe(unknown_at(3s));
  EXPECT_EQ(ev.status().consecutive_failures, 2);
  EXPECT_EQ(moves(ev.observe(fail_at(4s))), (Moves{"pending->firing"}));
}

TEST(RuleUnknownHold, AnInactiveRuleStaysInactive) {
  RuleEvaluator ev(with_policy(UnknownPolicy::Hold));
  EXPECT_TRUE(ev.observe(unknown_at(0s)).empty());
  EXPECT_EQ(ev.status().state, AlertState::Inactive);
  EXPECT_EQ(ev.status().failures, 0);
}

TEST(RuleUnknownHold, AFiringAlertDoesNotRecoverOnUnknowns) {
  RuleConfig rule = with_policy(UnknownPolicy::Hold);
  rule.recover_after = 2;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  EXPECT_TRUE(ev.observe(unknown_at(1s)).empty());
  EXPECT_TRUE(ev.observe(pass_at(2s)).empty());
  EXPECT_TRUE(ev.observe(unknown_at(3s)).empty());
  EXPECT_EQ(ev.status().consecutive_passes, 1);
  EXPECT_EQ(ev.status().clear_since, kT0 + 2s);
  EXPECT_EQ(moves(ev.observe(pass_at(4s))), (Moves{"firing->inactive"}));
}

TEST(RuleUnknownHold, BudgetIsNotSpentOnUnknowns) {
  RuleConfig rule = with_policy(UnknownPolicy::Hold);
  rule.budget = 1;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  for (int i = 1; i <= 5; ++i)
    ev.observe(unknown_at(std::chrono::seconds(i)));
  EXPECT_EQ(ev.status().failures, 1);
  EXPECT_EQ(ev.status().state, AlertState::Pending);
}

TEST(RuleUnknownFailing, UnknownCountsAsAFailure) {
  RuleConfig rule = with_policy(UnknownPolicy::Failing);
  rule.consecutive = 3;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  ev.observe(unknown_at(1s));
  auto ts = ev.observe(unknown_at(2s));
  ASSERT_EQ(moves(ts), (Moves{"pending->firing"}));
  EXPECT_EQ(ts[0].reason,
            "no metric error_rate in result (UNKNOWN: connection refused); failing (3 evaluations "
            "in a row)");
  EXPECT_FALSE(ts[0].value);
  EXPECT_EQ(ev.status().failures, 3);
  EXPECT_EQ(ev.status().unknowns, 2);
  EXPECT_EQ(ev.status().history, (std::vector<bool>{true, true, true}));
}

TEST(RuleUnknownFailing, StartsPendingAndKeepsAFiringAlertFromRecovering) {
  RuleConfig rule = with_policy(UnknownPolicy::Failing);
  rule.for_duration = 1min;
  rule.recover_after = 2;
  RuleEvaluator ev(rule);
  EXPECT_EQ(moves(ev.observe(unknown_at(0s))), (Moves{"inactive->pending"}));
  EXPECT_EQ(moves(ev.observe(fail_at(1min))), (Moves{"pending->firing"}));
  ev.observe(pass_at(2min));
  EXPECT_EQ(ev.status().clear_since, kT0 + 2min);
  EXPECT_TRUE(ev.observe(unknown_at(3min)).empty());
  EXPECT_FALSE(ev.status().clear_since);
  EXPECT_EQ(ev.status().state, AlertState::Firing);
}

TEST(RuleUnknownReset, UnknownCountsAsAPass) {
  RuleConfig rule = with_policy(UnknownPolicy::Reset);
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0min));
  EXPECT_EQ(moves(ev.observe(unknown_at(1min))), (Moves{"pending->inactive"}));
  EXPECT_EQ(moves(ev.observe(fail_at(5min))), (Moves{"inactive->pending"}));
  EXPECT_EQ(ev.status().pending_since, kT0 + 5min);
  EXPECT_EQ(ev.status().unknowns, 1);
  EXPECT_EQ(ev.status().history, (std::vector<bool>{true, false, true}));
}

TEST(RuleUnknownReset, AFiringAlertRecoversOnUnknown) {
  RuleEvaluator ev(with_policy(UnknownPolicy::Reset));
  ev.observe(fail_at(0s));
  auto ts = ev.observe(unknown_at(1s));
  ASSERT_EQ(moves(ts), (Moves{"firing->inactive"}));
  EXPECT_TRUE(ts[0].resolved());
}

}  // namespace
}  // namespace vigil::core
