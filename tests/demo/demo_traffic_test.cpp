// DemoTraffic on a FakeClock: the healthy and the degraded release's figures, the rollback, and
// that the figures depend on the clock only, not on how often the model is ticked.
#include "core/demo/demo_traffic.hpp"

#include <gtest/gtest.h>

#include <chrono>

#include "core/time/clock.hpp"

namespace vigil::demo {
namespace {

using namespace std::chrono_literals;

TrafficSettings settings_degrading_after(std::chrono::milliseconds after) {
  TrafficSettings s;
  s.degrade_after = after;
  return s;
}

// Ticks every 100 ms, as the server's timer does, until `span` has passed.
void run_for(DemoTraffic& traffic, core::FakeClock& clock, std::chrono::milliseconds span) {
  for (auto left = span; left > 0ms; left -= 100ms) {
    clock.advance(std::min<std::chrono::milliseconds>(left, 100ms));
    traffic.tick(clock.steady_now());
  }
}

TEST(DemoTraffic, HealthyReleaseIsFastAndAlmostNeverFails) {
  core::FakeClock clock;
  DemoTraffic traffic(settings_degrading_after(1h), clock.steady_now());
  run_for(traffic, clock, 10s);

  const TrafficSnapshot s = traffic.snapshot();
  EXPECT_EQ(s.phase, Phase::Healthy);
  EXPECT_EQ(s.version, "1.4.2");
  // One request at every 20 ms from t=0 to t=10 s inclusive.
  EXPECT_EQ(s.requests_total, 501u);
  EXPECT_EQ(s.histogram.count(), 501u);
  EXPECT_EQ(s.recent.requests, 200u);
  EXPECT_GE(s.recent.p95_seconds, 0.02);
  EXPECT_LE(s.recent.p95_seconds, 0.1);
  EXPECT_LT(s.recent.error_ratio, 0.01);
  // Nothing below 20 ms, nothing above the tail's 250 ms.
  const auto cumulative = s.histogram.cumulative_counts();
  EXPECT_EQ(cumulative[1], 0u);    // le=0.01
  EXPECT_EQ(cumulative[5], 501u);  // le=0.25
  EXPECT_EQ(s.events.size(), 1u);
}

TEST(DemoTraffic, HealthyErrorRateIsAboutOneInTwoThousand) {
  core::FakeClock clock;
  TrafficSettings s = settings_degrading_after(24h);
  s.requests_per_second = 1000;
  DemoTraffic traffic(s, clock.steady_now());
  run_for(traffic, clock, 59s);  // within the one-minute catch-up bound per tick anyway
  const auto snap = traffic.snapshot();
  const double ratio =
      static_cast<double>(snap.errors_total) / static_cast<double>(snap.requests_total);
  EXPECT_GT(ratio, 0.0002);
  EXPECT_LT(ratio, 0.001);
}

TEST(DemoTraffic, DegradesAtItsTimeWithSlowAnswersAndErrors) {
  core::FakeClock clock;
  DemoTraffic traffic(settings_degrading_after(20s), clock.steady_now());
  run_for(traffic, clock, 19900ms);
  EXPECT_EQ(traffic.phase(), Phase::Healthy);
  run_for(traffic, clock, 100ms);
  EXPECT_EQ(traffic.phase(), Phase::Degraded);
  run_for(traffic, clock, 10s);

  const TrafficSnapshot s = traffic.snapshot();
  EXPECT_EQ(s.version, "1.5.0");
  EXPECT_GE(s.recent.p95_seconds, 0.5);
  EXPECT_LE(s.recent.p95_seconds, 0.9);
  EXPECT_GT(s.recent.error_ratio, 0.01);
  EXPECT_LT(s.recent.error_ratio, 0.15);
  ASSERT_EQ(s.events.size(), 2u);
  EXPECT_EQ(s.events[1].event, "degraded");
  EXPECT_EQ(s.events[1].version, "1.5.0");
  EXPECT_EQ(s.events[1].at, 20s);
}

TEST(DemoTraffic, DegradedErrorRateIsAboutFivePercent) {
  core::FakeClock clock;
  TrafficSettings s = settings_degrading_after(0ms);
  s.requests_per_second = 1000;
  DemoTraffic traffic(s, clock.steady_now());
  run_for(traffic, clock, 30s);
  const auto snap = traffic.snapshot();
  const double ratio =
      static_cast<double>(snap.errors_total) / static_cast<double>(snap.requests_total);
  EXPECT_GT(ratio, 0.04);
  EXPECT_LT(ratio, 0.06);
  const double mean = snap.histogram.sum() / static_cast<double>(snap.histogram.count());
  EXPECT_NEAR(mean, 0.6, 0.02);  // uniform over 300-900 ms
}

TEST(DemoTraffic, RollbackRestoresTheHealthyReleaseAndCountersCarryOn) {
  core::FakeClock clock;
  DemoTraffic traffic(settings_degrading_after(5s), clock.steady_now());
  run_for(traffic, clock, 15s);
  const TrafficSnapshot before = traffic.snapshot();
  ASSERT_EQ(before.phase, Phase::Degraded);

  const RollbackOutcome outcome = traffic.rollback(clock.steady_now());
  EXPECT_TRUE(outcome.changed);
  EXPECT_EQ(outcome.from, "1.5.0");
  EXPECT_EQ(outcome.to, "1.4.2");
  run_for(traffic, clock, 5s);  // longer than the 200-request window at 50/s

  const TrafficSnapshot after = traffic.snapshot();
  EXPECT_EQ(after.phase, Phase::RolledBack);
  EXPECT_EQ(after.version, "1.4.2");
  EXPECT_EQ(after.rollbacks, 1u);
  EXPECT_EQ(after.requests_total, before.requests_total + 250);
  EXPECT_GE(after.errors_total, before.errors_total);
  EXPECT_GE(after.histogram.count(), before.histogram.count());
  EXPECT_GE(after.histogram.sum(), before.histogram.sum());
  EXPECT_LE(after.recent.p95_seconds, 0.1);
  ASSERT_EQ(after.events.size(), 3u);
  EXPECT_EQ(after.events[2].event, "rolled_back");
  EXPECT_EQ(after.events[2].at, 15s);

  // The bad release does not come back, and a second rollback changes nothing.
  run_for(traffic, clock, 60s);
  EXPECT_EQ(traffic.phase(), Phase::RolledBack);
  EXPECT_FALSE(traffic.rollback(clock.steady_now()).changed);
  EXPECT_EQ(traffic.snapshot().rollbacks, 1u);
}

TEST(DemoTraffic, RollbackBeforeTheBadReleaseWithdrawsIt) {
  core::FakeClock clock;
  DemoTraffic traffic(settings_degrading_after(5s), clock.steady_now());
  run_for(traffic, clock, 1s);
  const RollbackOutcome outcome = traffic.rollback(clock.steady_now());
  EXPECT_FALSE(outcome.changed);
  run_for(traffic, clock, 10s);
  EXPECT_NE(traffic.phase(), Phase::Degraded);
  EXPECT_EQ(traffic.snapshot().version, "1.4.2");
}

TEST(DemoTraffic, FiguresDependOnTheClockNotOnHowOftenItTicks) {
  core::FakeClock fine_clock;
  core::FakeClock coarse_clock;
  DemoTraffic fine(settings_degrading_after(3s), fine_clock.steady_now());
  DemoTraffic coarse(settings_degrading_after(3s), coarse_clock.steady_now());
  run_for(fine, fine_clock, 8s);
  coarse_clock.advance(8s);
  coarse.tick(coarse_clock.steady_now());

  const auto a = fine.snapshot();
  const auto b = coarse.snapshot();
  EXPECT_EQ(a.requests_total, b.requests_total);
  EXPECT_EQ(a.errors_total, b.errors_total);
  EXPECT_EQ(a.histogram.sum(), b.histogram.sum());
  EXPECT_EQ(a.histogram.cumulative_counts(), b.histogram.cumulative_counts());
  EXPECT_EQ(a.recent.p95_seconds, b.recent.p95_seconds);
  EXPECT_EQ(a.events.back().at, b.events.back().at);
}

TEST(DemoTraffic, TheSeedChoosesTheSequence) {
  core::FakeClock clock;
  TrafficSettings other = settings_degrading_after(1h);
  other.seed = 7;
  DemoTraffic a(settings_degrading_after(1h), clock.steady_now());
  DemoTraffic b(other, clock.steady_now());
  clock.advance(5s);
  a.tick(clock.steady_now());
  b.tick(clock.steady_now());
  EXPECT_EQ(a.snapshot().requests_total, b.snapshot().requests_total);
  EXPECT_NE(a.snapshot().histogram.sum(), b.snapshot().histogram.sum());
}

TEST(DemoTraffic, TimeGoingBackDoesNothingAndAStallIsNotReplayed) {
  core::FakeClock clock(core::FakeClock::kDefaultWallStart,
                        core::Clock::SteadyTime{std::chrono::hours(1)});
  DemoTraffic traffic(settings_degrading_after(1h), clock.steady_now());
  clock.advance(1s);
  traffic.tick(clock.steady_now());
  const auto served = traffic.snapshot().requests_total;
  traffic.tick(clock.steady_now() - 500ms);
  EXPECT_EQ(traffic.snapshot().requests_total, served);

  clock.advance(std::chrono::hours(10));
  traffic.tick(clock.steady_now());
  // At most a minute of traffic (3000 requests at 50/s) is caught up after a stall.
  EXPECT_LE(traffic.snapshot().requests_total, served + 3001);
  EXPECT_GE(traffic.snapshot().requests_total, served + 2999);
}

TEST(RequestHistogram, BucketsAreCumulativeAndTheLastEqualsTheCount) {
  RequestHistogram h;
  h.observe(0.005);  // on a bound: belongs to it (le means <=)
  h.observe(0.0051);
  h.observe(0.3);
  h.observe(42);  // beyond every bound: only in +Inf
  const auto c = h.cumulative_counts();
  EXPECT_EQ(c[0], 1u);
  EXPECT_EQ(c[1], 2u);
  EXPECT_EQ(c[6], 3u);  // le=0.5
  EXPECT_EQ(c.back(), 3u);
  EXPECT_EQ(h.count(), 4u);
  EXPECT_DOUBLE_EQ(h.sum(), 0.005 + 0.0051 + 0.3 + 42);
}

}  // namespace
}  // namespace vigil::demo
