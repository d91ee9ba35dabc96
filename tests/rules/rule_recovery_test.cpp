// How a firing alert resolves: recover_after consecutive passes and keep_firing_for.
#include <gtest/gtest.h>

#include "rules_test_support.hpp"

namespace vigil::core {
namespace {

using namespace rules_test;

// A rule without criteria, already firing since kT0.
RuleEvaluator firing(RuleConfig rule) {
  RuleEvaluator ev(std::move(rule));
  ev.observe(fail_at(0s));
  EXPECT_EQ(ev.status().state, AlertState::Firing);
  return ev;
}

TEST(RuleRecovery, ResolvesOnTheFirstPassByDefault) {
  RuleEvaluator ev = firing(rule_named("r"));
  auto ts = ev.observe(pass_at(1min));
  ASSERT_EQ(moves(ts), (Moves{"firing->inactive"}));
  EXPECT_TRUE(ts[0].resolved());
  EXPECT_FALSE(ts[0].fired());
  EXPECT_EQ(ts[0].reason, "error_rate 0.2, not > 1; clear (1 evaluation in a row)");
  EXPECT_EQ(ts[0].value, 0.2);
  const AlertStatus& s = ev.status();
  EXPECT_EQ(s.last_resolved, kT0 + 1min);
  EXPECT_FALSE(s.firing_since);
  EXPECT_FALSE(s.pending_since);
  EXPECT_FALSE(s.clear_since);
}

TEST(RuleRecovery, RecoverAfterNeedsThatManyPassesInARow) {
  RuleConfig rule = rule_named("r");
  rule.recover_after = 3;
  RuleEvaluator ev = firing(rule);

  EXPECT_TRUE(ev.observe(pass_at(1min)).empty());
  EXPECT_EQ(ev.status().clear_since, kT0 + 1min);
  EXPECT_TRUE(ev.observe(pass_at(2min)).empty());
  EXPECT_EQ(ev.status().consecutive_passes, 2);

  // A relapse starts recovery over.
  EXPECT_TRUE(ev.observe(fail_at(3min)).empty());
  EXPECT_EQ(ev.status().state, AlertState::Firing);
  EXPECT_FALSE(ev.status().clear_since);
  EXPECT_EQ(ev.status().consecutive_passes, 0);
  EXPECT_EQ(ev.status().firing_since, kT0);  // still the same episode

  EXPECT_TRUE(ev.observe(pass_at(4min)).empty());
  EXPECT_EQ(ev.status().clear_since, kT0 + 4min);
  EXPECT_TRUE(ev.observe(pass_at(5min)).empty());
  auto ts = ev.observe(pass_at(6min));
  ASSERT_EQ(moves(ts), (Moves{"firing->inactive"}));
  EXPECT_EQ(ts[0].reason, "error_rate 0.2, not > 1; clear (3 evaluations in a row)");
  EXPECT_EQ(ev.status().fired_count, 1);
}

TEST(RuleRecovery, KeepFiringForHoldsUntilClearThatLong) {
  RuleConfig rule = rule_named("r");
  rule.keep_firing_for = 10min;
  RuleEvaluator ev = firing(rule);
  EXPECT_TRUE(ev.observe(pass_at(1min)).empty());
  EXPECT_TRUE(ev.observe(pass_at(6min)).empty());
  EXPECT_TRUE(ev.observe(pass_at(10min + 59s)).empty());
  EXPECT_EQ(ev.status().state, AlertState::Firing);
  auto ts = ev.observe(pass_at(11min));
  ASSERT_EQ(moves(ts), (Moves{"firing->inactive"}));
  EXPECT_EQ(ts[0].reason, "error_rate 0.2, not > 1; clear for 10m (4 evaluations in a row)");
}

TEST(RuleRecovery, AFailureRestartsKeepFiringFor) {
  RuleConfig rule = rule_named("r");
  rule.keep_firing_for = 10min;
  RuleEvaluator ev = firing(rule);
  ev.observe(pass_at(1min));
  ev.observe(pass_at(9min));
  ev.observe(fail_at(10min));
  ev.observe(pass_at(12min));
  EXPECT_EQ(ev.status().clear_since, kT0 + 12min);
  EXPECT_TRUE(ev.observe(pass_at(21min + 59s)).empty());
  EXPECT_EQ(moves(ev.observe(pass_at(22min))), (Moves{"firing->inactive"}));
}

TEST(RuleRecovery, RecoverAfterAndKeepFiringForMustBothHold) {
  RuleConfig rule = rule_named("r");
  rule.recover_after = 3;
  rule.keep_firing_for = 2min;

  // Frequent checks: three passes arrive before 2m are up.
  RuleEvaluator fast = firing(rule);
  fast.observe(pass_at(60s));
  fast.observe(pass_at(90s));
  EXPECT_TRUE(fast.observe(pass_at(120s)).empty());
  EXPECT_TRUE(fast.observe(pass_at(179s)).empty());
  EXPECT_EQ(moves(fast.observe(pass_at(180s))), (Moves{"firing->inactive"}));

  // Rare checks: 2m are up after two passes; the third is needed.
  RuleEvaluator slow = firing(rule);
  slow.observe(pass_at(10min));
  EXPECT_TRUE(slow.observe(pass_at(20min)).empty());
  EXPECT_EQ(moves(slow.observe(pass_at(30min))), (Moves{"firing->inactive"}));
}

TEST(RuleRecovery, HysteresisDoesNotDelayLeavingPending) {
  RuleConfig rule = rule_named("r");
  rule.consecutive = 5;
  rule.recover_after = 3;
  rule.keep_firing_for = 1h;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0s));
  auto ts = ev.observe(pass_at(1s));
  ASSERT_EQ(moves(ts), (Moves{"pending->inactive"}));
  EXPECT_FALSE(ts[0].resolved());
  EXPECT_FALSE(ev.status().last_resolved);
}

TEST(RuleRecovery, ResolvedAlertStartsAFreshEpisode) {
  RuleConfig rule = rule_named("r");
  rule.for_duration = 5min;
  RuleEvaluator ev(rule);
  ev.observe(fail_at(0min));
  ev.observe(fail_at(5min));
  ev.observe(pass_at(6min));
  EXPECT_EQ(ev.status().state, AlertState::Inactive);
  // The old streak is forgotten: the new one needs its own 5 minutes.
  EXPECT_EQ(moves(ev.observe(fail_at(7min))), (Moves{"inactive->pending"}));
  EXPECT_EQ(ev.status().pending_since, kT0 + 7min);
  EXPECT_TRUE(ev.observe(fail_at(11min)).empty());
  EXPECT_EQ(moves(ev.observe(fail_at(12min))), (Moves{"pending->firing"}));
  EXPECT_EQ(ev.status().fired_count, 2);
  EXPECT_EQ(ev.status().last_resolved, kT0 + 6min);
}

}  // namespace
}  // namespace vigil::core
