#include "core/model/thresholds.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace vigil::core {
namespace {

using sdk::Result;
using sdk::Status;

Condition cond(const char* text) {
  std::string error;
  auto c = Condition::parse(text, &error);
  EXPECT_TRUE(c.has_value()) << error;
  return *c;
}

TEST(Condition, ComparisonEdgesAreExact) {
  EXPECT_TRUE(cond("< 95").violated(94.999));
  EXPECT_FALSE(cond("< 95").violated(95));
  EXPECT_TRUE(cond("<= 95").violated(95));
  EXPECT_FALSE(cond("> 0.5").violated(0.5));
  EXPECT_TRUE(cond(">0.5").violated(0.5001));
  EXPECT_TRUE(cond(">= 0.5").violated(0.5));
  EXPECT_TRUE(cond("!= 1").violated(0));
  EXPECT_FALSE(cond("== 1").violated(0));
  EXPECT_FALSE(cond("< 95").violated(std::nan("")));
}

TEST(Condition, NagiosRangesFollowTheGuidelines) {
  // "10" alerts outside 0..10
  EXPECT_TRUE(cond("10").violated(-1));
  EXPECT_FALSE(cond("10").violated(10));
  EXPECT_TRUE(cond("10").violated(10.5));
  // "10:" alerts below 10
  EXPECT_TRUE(cond("10:").violated(9.9));
  EXPECT_FALSE(cond("10:").violated(1e9));
  // "~:10" alerts above 10
  EXPECT_FALSE(cond("~:10").violated(-1e9));
  EXPECT_TRUE(cond("~:10").violated(11));
  // "@10:20" alerts inside 10..20, inclusive
  EXPECT_TRUE(cond("@10:20").violated(10));
  EXPECT_TRUE(cond("@10:20").violated(20));
  EXPECT_FALSE(cond("@10:20").violated(20.1));
}

TEST(Condition, RejectsGarbageWithAReason) {
  std::string error;
  EXPECT_FALSE(Condition::parse("< ninety", &error));
  EXPECT_NE(error.find("expected a number after '<'"), std::string::npos) << error;
  EXPECT_FALSE(Condition::parse("20:10", &error));
  EXPECT_FALSE(Condition::parse("", &error));
  EXPECT_NE(error.find("expected a condition"), std::string::npos) << error;
}

Thresholds pass_rate_thresholds() {
  return Thresholds({{"pass_rate", {}, cond("< 98"), cond("< 95")}});
}

TEST(Thresholds, WorstOfPluginAndThresholds) {
  auto t = pass_rate_thresholds();
  auto ok = Result::ok("tests ran").metric("pass_rate", 98.5, "%");
  t.judge(ok);
  EXPECT_EQ(ok.status(), Status::Ok);

  auto warn = Result::ok("tests ran").metric("pass_rate", 97.0, "%");
  t.judge(warn);
  EXPECT_EQ(warn.status(), Status::Warning);
  EXPECT_NE(warn.summary().find("pass_rate 97 < 98 (warning)"), std::string::npos)
      << warn.summary();

  auto crit = Result::ok("tests ran").metric("pass_rate", 94.9, "%");
  t.judge(crit);
  EXPECT_EQ(crit.status(), Status::Critical);

  // The plugin's own CRITICAL is never lowered by a passing threshold.
  auto plugin_crit = Result::critical("connection refused").metric("pass_rate", 100.0);
  t.judge(plugin_crit);
  EXPECT_EQ(plugin_crit.status(), Status::Critical);
}

TEST(Thresholds, BoundsAreCopiedOntoMetricsAsRanges) {
  auto t = pass_rate_thresholds();
  auto r = Result::ok("x").metric("pass_rate", 99.0);
  t.judge(r);
  ASSERT_TRUE(r.metrics()[0].warn.has_value());
  EXPECT_EQ(r.metrics()[0].warn->to_string(), "98:");
  EXPECT_EQ(r.metrics()[0].crit->to_string(), "95:");
}

TEST(Thresholds, LabelMatchersNarrowTheSeries) {
  Thresholds t({{"used_percent", {{"mount", "/"}}, std::nullopt, cond("> 90")}});
  auto r = Result::ok("disks")
               .metric("used_percent", 95, "%", {{"mount", "/boot"}})
               .metric("used_percent", 50, "%", {{"mount", "/"}});
  t.judge(r);
  EXPECT_EQ(r.status(), Status::Ok);
  auto r2 = Result::ok("disks").metric("used_percent", 91, "%", {{"mount", "/"}});
  t.judge(r2);
  EXPECT_EQ(r2.status(), Status::Critical);
  EXPECT_NE(r2.summary().find("used_percent{mount=/} 91 > 90"), std::string::npos) << r2.summary();
}

TEST(Thresholds, MissingJudgedMetricIsUnknownNotOk) {
  auto t = pass_rate_thresholds();
  auto r = Result::ok("no numbers");
  t.judge(r);
  EXPECT_EQ(r.status(), Status::Unknown);
  EXPECT_NE(r.summary().find("'pass_rate' has a threshold but was not reported"),
            std::string::npos);
}

}  // namespace
}  // namespace vigil::core
