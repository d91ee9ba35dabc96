// Flap detection: the weighted share of pass/fail changes, with hysteresis.
#include "core/rules/flapping.hpp"

#include <gtest/gtest.h>

#include "rules_test_support.hpp"

namespace vigil::core {
namespace {

using namespace rules_test;

std::vector<bool> alternating(int n) {
  std::vector<bool> h;
  for (int i = 0; i < n; ++i)
    h.push_back(i % 2 == 0);
  return h;
}

TEST(FlapPercent, SteadyHistoriesDoNotFlap) {
  EXPECT_DOUBLE_EQ(flap_percent({}), 0);
  EXPECT_DOUBLE_EQ(flap_percent({true}), 0);
  EXPECT_DOUBLE_EQ(flap_percent(std::vector<bool>(20, true)), 0);
  EXPECT_DOUBLE_EQ(flap_percent(std::vector<bool>(20, false)), 0);
}

TEST(FlapPercent, AChangeAtEveryEvaluationIsAHundred) {
  EXPECT_DOUBLE_EQ(flap_percent(alternating(20)), 100);
}

TEST(FlapPercent, RecentChangesWeighMoreThanOldOnes) {
  // One change, as the newest (weight 1.2) or the oldest (0.8) of 19 places.
  std::vector<bool> newest(20, false);
  newest.back() = true;
  EXPECT_DOUBLE_EQ(flap_percent(newest), 100 * 1.2 / 19);
  std::vector<bool> oldest(20, false);
  oldest.front() = true;
  EXPECT_DOUBLE_EQ(flap_percent(oldest), 100 * 0.8 / 19);
  // The middle place (9 of 0..18) weighs exactly 1.
  std::vector<bool> middle(20, false);
  for (int i = 10; i < 20; ++i)
    middle[static_cast<std::size_t>(i)] = true;
  EXPECT_DOUBLE_EQ(flap_percent(middle), 100 * 1.0 / 19);
}

TEST(FlapPercent, AShortHistoryCountsItsMissingPlacesAsSteady) {
  // Two changes into the newest two outcomes: weights 1.2 and 1.2 - 0.4/18.
  EXPECT_DOUBLE_EQ(flap_percent({false, true, false}), 100 * (1.2 + 1.2 - 0.4 / 18) / 19);
}

TEST(FlapPercent, OnlyTheLastTwentyCount) {
  std::vector<bool> h(10, true);  // an old change at 9 -> 10 falls out
  h.push_back(false);
  h.insert(h.end(), 19, false);
  ASSERT_EQ(h.size(), 30u);
  EXPECT_DOUBLE_EQ(flap_percent(h), 0);
}

TEST(RuleFlapping, AlternatingResultsStartFlappingAndCalmDown) {
  RuleEvaluator ev(rule_named("r"));  // flap_high 30, flap_low 25
  // F P F P ...: the sixth evaluation brings five changes, 30.4% > 30.
  for (int i = 0; i < 20; ++i) {
    const auto at = std::chrono::minutes(i);
    auto ts = ev.observe(i % 2 == 0 ? fail_at(at) : pass_at(at));
    const bool flap = !ts.empty() && ts.back().kind == TransitionKind::FlappingStarted;
    EXPECT_EQ(flap, i == 5) << "evaluation " << i + 1;
    if (flap) {
      EXPECT_EQ(ts.back().reason, "30.4% over the last 6 evaluations, above 30%");
      EXPECT_NEAR(*ts.back().value, 30.409, 0.001);
      // The alert state goes on regardless; flapping is reported beside it.
      EXPECT_EQ(moves(ts), (Moves{"firing->inactive", "flapping_started"}));
      EXPECT_EQ(ts.back().from, AlertState::Inactive);
      EXPECT_EQ(ts.back().to, AlertState::Inactive);
    }
  }
  EXPECT_TRUE(ev.status().flapping);
  EXPECT_DOUBLE_EQ(ev.status().flap_percent, 100);
  EXPECT_EQ(ev.status().history.size(), 20u);

  // Then steady passes: changes age out. Still flapping at 27% (hysteresis: it would not have
  // started there), stopped at the 34th evaluation, 22.2% < 25.
  for (int i = 20; i < 40; ++i) {
    auto ts = ev.observe(pass_at(std::chrono::minutes(i)));
    const bool stop = !ts.empty() && ts.back().kind == TransitionKind::FlappingStopped;
    EXPECT_EQ(stop, i == 33) << "evaluation " << i + 1;
    if (i == 32) {
      EXPECT_GT(ev.status().flap_percent, 25);
      EXPECT_LT(ev.status().flap_percent, 30);
      EXPECT_TRUE(ev.status().flapping);
    }
    if (stop) {
      EXPECT_EQ(ts.back().reason, "22.2% over the last 20 evaluations, below 25%");
    }
  }
  EXPECT_FALSE(ev.status().flapping);
  EXPECT_DOUBLE_EQ(ev.status().flap_percent, 0);
}

TEST(RuleFlapping, ThresholdsComeFromTheRule) {
  RuleConfig rule = rule_named("r");
  rule.flap_high = 5;
  rule.flap_low = 1;
  RuleEvaluator ev(rule);
  ev.observe(pass_at(0s));
  auto ts = ev.observe(fail_at(1s));  // one change: 6.3%
  EXPECT_EQ(moves(ts), (Moves{"inactive->firing", "flapping_started"}));
}

TEST(RuleFlapping, HeldUnknownsStayOutOfTheHistory) {
  // F U F U ...: with hold the rule saw only failures; with reset it saw a flapping check.
  for (UnknownPolicy p : {UnknownPolicy::Hold, UnknownPolicy::Failing, UnknownPolicy::Reset}) {
    RuleConfig rule = rule_named("r");
    rule.on_unknown = p;
    RuleEvaluator ev(rule);
    for (int i = 0; i < 20; ++i) {
      const auto at = std::chrono::minutes(i);
      ev.observe(i % 2 == 0 ? fail_at(at) : unknown_at(at));
    }
    SCOPED_TRACE(static_cast<int>(p));
    EXPECT_EQ(ev.status().flapping, p == UnknownPolicy::Reset);
    EXPECT_EQ(ev.status().history.size(), p == UnknownPolicy::Hold ? 10u : 20u);
  }
}

}  // namespace
}  // namespace vigil::core
