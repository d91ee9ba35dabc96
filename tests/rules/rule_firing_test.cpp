// When a rule fires: `for`, `consecutive`, `budget`, their combinations, and none of them.
#include <gtest/gtest.h>

#include "rules_test_support.hpp"

namespace vigil::core {
namespace {

using namespace rules_test;

TEST(RuleFiring, WithoutCriteriaFiresOnTheFirstFailureWithNoPendingStage) {
  RuleEvaluator ev(rule_named("r"));
  EXPECT_TRUE(ev.observe(pass_at(0s)).empty());
  auto ts = ev.observe(fail_at(1min));
  ASSERT_EQ(moves(ts), (Moves{"inactive->firing"}));
  EXPECT_TRUE(ts[0].fired());
  EXPECT_FALSE(ts[0].resolved());
  EXPECT_EQ(ts[0].reason, "error_rate 1.7 > 1");
  EXPECT_EQ(ts[0].value, 1.7);
  EXPECT_EQ(ev.status().state, AlertState::Firing);
  EXPECT_EQ(ev.status().firing_since, kT0 + 1min);
  EXPECT_EQ(ev.status().fired_count, 1);
  // Further failures keep it firing, quietly.
  EXPECT_TRUE(ev.observe(fail_at(2min)).empty());
  EXPECT_EQ(ev.status().firing_since, kT0 + 1min);
  EXPECT_EQ(ev.status().fired_count, 1);
}

TEST(RuleFiring, ForIsPendingUntilTheDurationHasPassed) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);

  auto first = ev.observe(fail_at(0s));
  ASSERT_EQ(moves(first), (Moves{"inactive->pending"}));
  EXPECT_FALSE(first[0].fired());
  EXPECT_EQ(ev.status().state, AlertState::Pending);
  EXPECT_EQ(ev.status().pending_since, kT0);

  EXPECT_TRUE(ev.observe(fail_at(2min)).empty());
  EXPECT_TRUE(ev.observe(fail_at(4min + 59s)).empty());
  EXPECT_EQ(ev.status().state, AlertState::Pending);

  auto fired = ev.observe(fail_at(5min));
  ASSERT_EQ(moves(fired), (Moves{"pending->firing"}));
  EXPECT_TRUE(fired[0].fired());
  EXPECT_EQ(fired[0].reason, "error_rate 1.7 > 1; failing for 5m (4 evaluations in a row)");
  EXPECT_EQ(ev.status().firing_since, kT0 + 5min);
  EXPECT_EQ(ev.status().pending_since, kT0);  // when the problem began
}

TEST(RuleFiring, ForBoundaryIsInclusiveToTheMillisecond) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  EXPECT_TRUE(ev.observe(fail_at(5min - 1ms)).empty());
  EXPECT_EQ(moves(ev.observe(fail_at(5min))), (Moves{"pending->firing"}));
}

TEST(RuleFiring, APassWhilePendingResetsTheForTimer) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  ev.observe(fail_at(3min));

  auto back = ev.observe(pass_at(4min));
  ASSERT_EQ(moves(back), (Moves{"pending->inactive"}));
  EXPECT_FALSE(back[0].resolved());  // it never fired
  EXPECT_FALSE(ev.status().pending_since);

  // t0 is now the next failure: 5m after the first one is not enough.
  EXPECT_EQ(moves(ev.observe(fail_at(5min))), (Moves{"inactive->pending"}));
  EXPECT_EQ(ev.status().pending_since, kT0 + 5min);
  EXPECT_TRUE(ev.observe(fail_at(9min + 59s)).empty());
  EXPECT_EQ(moves(ev.observe(fail_at(10min))), (Moves{"pending->firing"}));
}

TEST(RuleFiring, ZeroForPassesThroughPendingInOneEvaluation) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 0s;
  RuleEvaluator ev(rule);
  auto ts = ev.observe(fail_at(0s));
  ASSERT_EQ(moves(ts), (Moves{"inactive->pending", "pending->firing"}));
  EXPECT_EQ(ts[0].at, ts[1].at);
  EXPECT_FALSE(ts[0].fired());
  EXPECT_TRUE(ts[1].fired());
}

TEST(RuleFiring, ConsecutiveFiresOnTheNthFailureInARow) {
  RuleConfig rule = rule_named("r");
  rule.consecutive = 3;
  RuleEvaluator ev(rule);
  EXPECT_EQ(moves(ev.observe(fail_at(0s))), (Moves{"inactive->pending"}));
  EXPECT_TRUE(ev.observe(fail_at(1s)).empty());
  EXPECT_EQ(ev.status().consecutive_failures, 2);
  auto ts = ev.observe(fail_at(2s));
  ASSERT_EQ(moves(ts), (Moves{"pending->firing"}));
  EXPECT_EQ(ts[0].reason, "error_rate 1.7 > 1; failing (3 evaluations in a row)");
}

TEST(RuleFiring, APassResetsTheConsecutiveCount) {
  RuleConfig rule = rule_named("r");
  rule.consecutive = 3;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  ev.observe(fail_at(1s));
  EXPECT_EQ(moves(ev.observe(pass_at(2s))), (Moves{"pending->inactive"}));
  EXPECT_EQ(ev.status().consecutive_failures, 0);
  EXPECT_EQ(ev.status().consecutive_passes, 1);
  EXPECT_EQ(moves(ev.observe(fail_at(3s))), (Moves{"inactive->pending"}));
  EXPECT_TRUE(ev.observe(fail_at(4s)).empty());
  EXPECT_EQ(moves(ev.observe(fail_at(5s))), (Moves{"pending->firing"}));
}

TEST(RuleFiring, ConsecutiveOneFiresAtOnceThroughPending) {
  RuleConfig rule = rule_named("r");
  rule.consecutive = 1;
  RuleEvaluator ev(rule);
  EXPECT_EQ(moves(ev.observe(fail_at(0s))), (Moves{"inactive->pending", "pending->firing"}));
}

TEST(RuleFiring, ForAndConsecutiveMustBothHold) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 5min;
  rule.consecutive = 3;

  // Slow checks: 5m pass after two evaluations; the third is needed.
  RuleEvaluator slow(rule);
  slow.observe(fail_at(0s));
  EXPECT_TRUE(slow.observe(fail_at(10min)).empty());
  EXPECT_EQ(moves(slow.observe(fail_at(20min))), (Moves{"pending->firing"}));

  // Fast checks: three in a row after 2m; 5m are needed.
  RuleEvaluator fast(rule);
  for (int minute = 0; minute < 5; ++minute)
    EXPECT_TRUE(fast.observe(fail_at(std::chrono::minutes(minute))).size() <= 1);
  EXPECT_EQ(fast.status().state, AlertState::Pending);
  EXPECT_EQ(fast.status().consecutive_failures, 5);
  EXPECT_EQ(moves(fast.observe(fail_at(5min))), (Moves{"pending->firing"}));
}

TEST(RuleFiring, BudgetFiresWhenFailuresInTheWindowExceedIt) {
  RuleConfig rule = rule_named("r");
  rule.budget = 2;
  RuleEvaluator ev(rule);
  EXPECT_EQ(moves(ev.observe(fail_at(0min))), (Moves{"inactive->pending"}));
  EXPECT_EQ(moves(ev.observe(pass_at(1min))), (Moves{"pending->inactive"}));
  EXPECT_EQ(moves(ev.observe(fail_at(2min))), (Moves{"inactive->pending"}));
  EXPECT_EQ(moves(ev.observe(pass_at(3min))), (Moves{"pending->inactive"}));
  EXPECT_EQ(ev.status().failures, 2);  // passes do not pay back the budget
  auto ts = ev.observe(fail_at(4min));
  ASSERT_EQ(moves(ts), (Moves{"inactive->pending", "pending->firing"}));
  EXPECT_EQ(ts[1].reason,
            "error_rate 1.7 > 1; 3 failing evaluations in the window, over the budget of 2");
  EXPECT_EQ(ev.status().failures, 3);
}

TEST(RuleFiring, BudgetZeroFiresOnTheFirstFailure) {
  RuleConfig rule = rule_named("r");
  rule.budget = 0;
  RuleEvaluator ev(rule);
  EXPECT_EQ(moves(ev.observe(fail_at(0s))), (Moves{"inactive->pending", "pending->firing"}));
}

TEST(RuleFiring, ExhaustedBudgetFiresAgainAfterResolvingUntilTheWindowResets) {
  RuleConfig rule = rule_named("r");
  rule.budget = 1;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0min));
  EXPECT_EQ(moves(ev.observe(fail_at(1min))), (Moves{"pending->firing"}));
  EXPECT_EQ(ev.status().failures, 2);
  EXPECT_TRUE(ev.observe(fail_at(2min)).empty());
  EXPECT_EQ(ev.status().failures, 3);  // counted while firing too
  EXPECT_EQ(moves(ev.observe(pass_at(3min))), (Moves{"firing->inactive"}));
  EXPECT_EQ(moves(ev.observe(fail_at(4min))), (Moves{"inactive->pending", "pending->firing"}));
  EXPECT_EQ(ev.status().fired_count, 2);
  ev.observe(pass_at(5min));

  ev.reset_window();
  EXPECT_EQ(ev.status().failures, 0);
  EXPECT_EQ(ev.status().fired_count, 2);  // the rest of the status stays
  EXPECT_EQ(moves(ev.observe(fail_at(6min))), (Moves{"inactive->pending"}));
  EXPECT_EQ(moves(ev.observe(fail_at(7min))), (Moves{"pending->firing"}));
}

TEST(RuleFiring, ResetWindowLeavesAFiringAlertFiring) {
  RuleConfig rule = rule_named("r");
  rule.budget = 0;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  ev.reset_window();
  EXPECT_EQ(ev.status().state, AlertState::Firing);
  EXPECT_TRUE(ev.observe(fail_at(1s)).empty());
}

TEST(RuleFiring, BudgetOrConsecutiveWhicheverComesFirst) {
  RuleConfig rule = rule_named("r");
  rule.consecutive = 3;
  rule.budget = 3;

  // Never three in a row, but the fourth failure exceeds the budget.
  RuleEvaluator scattered(rule);
  scattered.observe(fail_at(0min));
  scattered.observe(fail_at(1min));
  scattered.observe(pass_at(2min));
  scattered.observe(fail_at(3min));
  auto ts = scattered.observe(fail_at(4min));
  EXPECT_EQ(moves(ts), (Moves{"pending->firing"}));
  EXPECT_EQ(scattered.status().consecutive_failures, 2);

  // Three in a row long before the budget runs out.
  rule.budget = 10;
  RuleEvaluator burst(rule);
  burst.observe(fail_at(0min));
  burst.observe(fail_at(1min));
  EXPECT_EQ(moves(burst.observe(fail_at(2min))), (Moves{"pending->firing"}));
  EXPECT_EQ(burst.status().failures, 3);
}

TEST(RuleFiring, BudgetOrForWhicheverComesFirst) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 10min;
  rule.budget = 2;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0min));
  ev.observe(fail_at(1min));
  // Far short of 10m, but a third failure is over the budget.
  EXPECT_EQ(moves(ev.observe(fail_at(2min))), (Moves{"pending->firing"}));
}

TEST(RuleFiring, EachEpisodeCountsOnce) {
  RuleEvaluator ev(rule_named("r"));
  for (int i = 0; i < 3; ++i) {
    ev.observe(fail_at(std::chrono::minutes(2 * i)));
    ev.observe(pass_at(std::chrono::minutes(2 * i + 1)));
  }
  EXPECT_EQ(ev.status().fired_count, 3);
  EXPECT_EQ(ev.status().evaluations, 6);
  EXPECT_EQ(ev.status().state, AlertState::Inactive);
}

}  // namespace
}  // namespace vigil::core
