// Changing the schedule while it runs (a configuration reload): add, remove and replace on a
// FakeClock. As in scheduler_test.cpp, no test sleeps: each waits for a run, a result or the
// timer going back to sleep.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/scheduler/scheduler.hpp"
#include "tests/scheduler/scheduler_test_support.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using namespace vigil::core::testing;

std::size_t runs_of(const std::vector<RunRecord>& runs, const std::string& check) {
  return static_cast<std::size_t>(std::count_if(
      runs.begin(), runs.end(), [&](const RunRecord& r) { return r.check == check; }));
}

TEST(SchedulerReload, AddedWhileRunningFirstRunsAtItsSpreadOffsetFromTheAdd) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 1h, 5s, recording_run(log, "api-health")));
  scheduler.start();
  clock.await_sleepers(1);
  clock.advance(7s);  // nothing due yet: the only check runs hourly

  const SteadyTime added_at = clock.steady_now();
  scheduler.add(make_check("disk-root", 10s, 5s, recording_run(log, "disk-root")));
  const SteadyTime due = added_at + spread_offset("web", "disk-root", 10s);
  EXPECT_EQ(scheduler.next_due("web", "disk-root"), due);
  EXPECT_EQ(scheduler.size(), 2u);

  clock.advance_to(due);
  const RunRecord first = log->wait_for(1).at(0);
  EXPECT_EQ(first.check, "disk-root");
  EXPECT_EQ(first.scheduled_for, due);
  inbox.wait_for(1);  // the run is over: its next due time cannot find it in flight
  clock.advance_to(due + 10s);
  EXPECT_EQ(log->wait_for(2).at(1).scheduled_for, due + 10s);
}

TEST(SchedulerReload, RemovedCheckIsNeverDueAgainWhileTheOthersKeepTheirCadence) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, recording_run(log, "api-health")));
  scheduler.add(make_check("disk-root", 10s, 5s, recording_run(log, "disk-root")));
  const SteadyTime t0 = clock.steady_now();
  scheduler.start();
  clock.advance(10s);
  log->wait_for(2);
  inbox.wait_for(2);
  const auto kept_due = scheduler.next_due("web", "api-health");
  ASSERT_TRUE(kept_due.has_value());

  EXPECT_TRUE(scheduler.remove("web", "disk-root"));
  EXPECT_FALSE(scheduler.remove("web", "disk-root"));
  EXPECT_FALSE(scheduler.remove("web", "no-such-check"));
  EXPECT_FALSE(scheduler.next_due("web", "disk-root").has_value());
  EXPECT_FALSE(scheduler.run_now("web", "disk-root"));
  EXPECT_EQ(scheduler.size(), 1u);
  // The check left standing is untouched by the removal.
  EXPECT_EQ(scheduler.next_due("web", "api-health"), kept_due);

  // One due time at a time: a jump over several would count as missed slots.
  for (int i = 0; i < 5; ++i) {
    clock.advance_to(*kept_due + i * 10s);
    const RunRecord run = log->wait_for(3 + static_cast<std::size_t>(i)).back();
    EXPECT_EQ(run.check, "api-health");
    EXPECT_EQ(run.scheduled_for, *kept_due + i * 10s);
    inbox.wait_for(3 + static_cast<std::size_t>(i));
  }
  clock.advance_to(t0 + 60s);
  inbox.wait_for(7);
  clock.await_sleepers(1);
  EXPECT_EQ(runs_of(log->snapshot(), "disk-root"), 1u);
  EXPECT_EQ(runs_of(log->snapshot(), "api-health"), 6u);
}

TEST(SchedulerReload, ARunInFlightWhenItsCheckIsRemovedStillReportsItsResult) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("slow", 10s, 1h, gated_run(gate, "finished after removal")));
  scheduler.start();
  clock.advance(10s);
  gate->await_entered(1);

  EXPECT_TRUE(scheduler.remove("web", "slow"));
  gate->permit_one();
  const auto results = inbox.wait_for(1);
  EXPECT_EQ(results.at(0).check, "slow");
  EXPECT_EQ(results.at(0).summary, "finished after removal");

  clock.advance(1min);
  clock.await_sleepers(1);
  EXPECT_EQ(gate->entered(), 1u);
  EXPECT_EQ(inbox.snapshot().size(), 1u);
}

TEST(SchedulerReload, ReplacedCheckKeepsItsNextDueTimeAndRunsTheNewFunction) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, recording_run(log, "old")));
  scheduler.start();
  clock.advance(10s);
  log->wait_for(1);
  inbox.wait_for(1);
  const auto due = scheduler.next_due("web", "api-health");
  ASSERT_TRUE(due.has_value());

  // A longer timeout, the same interval: the phase stays.
  EXPECT_TRUE(scheduler.replace(make_check("api-health", 10s, 8s, recording_run(log, "new"))));
  EXPECT_FALSE(scheduler.replace(make_check("nope", 10s, 8s, recording_run(log, "nope"))));
  EXPECT_EQ(scheduler.next_due("web", "api-health"), due);
  EXPECT_EQ(scheduler.size(), 1u);

  clock.advance_to(*due);
  const RunRecord next = log->wait_for(2).at(1);
  EXPECT_EQ(next.check, "new");
  EXPECT_EQ(next.scheduled_for, *due);
  EXPECT_EQ(next.deadline, *due + 8s);
}

TEST(SchedulerReload, AShorterIntervalThanTheTimeLeftReschedulesAtTheNewOffset) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 1h, 5s, recording_run(log, "hourly")));
  const SteadyTime t0 = clock.steady_now();
  scheduler.start();
  clock.await_sleepers(1);
  EXPECT_EQ(scheduler.next_due("web", "api-health"), t0 + spread_offset("web", "api-health", 1h));

  clock.advance(3s);
  const SteadyTime replaced_at = clock.steady_now();
  EXPECT_TRUE(scheduler.replace(make_check("api-health", 10s, 5s, recording_run(log, "fast"))));
  const SteadyTime due = replaced_at + spread_offset("web", "api-health", 10s);
  EXPECT_EQ(scheduler.next_due("web", "api-health"), due);
  clock.advance_to(due);
  EXPECT_EQ(log->wait_for(1).at(0).check, "fast");
  inbox.wait_for(1);
  clock.advance_to(due + 10s);
  EXPECT_EQ(log->wait_for(2).at(1).scheduled_for, due + 10s);

  // A longer interval keeps the due time it has: it comes sooner than the new interval would.
  const auto before = scheduler.next_due("web", "api-health");
  EXPECT_TRUE(scheduler.replace(make_check("api-health", 1min, 5s, recording_run(log, "slow"))));
  EXPECT_EQ(scheduler.next_due("web", "api-health"), before);
}

TEST(SchedulerReload, TheOldAndTheNewCheckNeverOverlap) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 1h, gated_run(gate, "old result")));
  scheduler.start();
  clock.advance(10s);
  gate->await_entered(1);
  const auto due = scheduler.next_due("web", "api-health");
  ASSERT_TRUE(due.has_value());

  EXPECT_TRUE(scheduler.replace(make_check("api-health", 10s, 5s, recording_run(log, "new"))));
  clock.advance_to(*due);  // the old run is still inside: this due time is skipped
  inbox.wait_for("api-health", sdk::Status::Unknown, 1);
  EXPECT_TRUE(log->snapshot().empty());

  gate->permit_one();
  inbox.wait_for(2);
  EXPECT_EQ(inbox.snapshot().at(1).summary, "old result");
  clock.advance_to(*due + 10s);
  EXPECT_EQ(log->wait_for(1).at(0).check, "new");
  EXPECT_EQ(gate->entered(), 1u);
}

}  // namespace
}  // namespace vigil::core
