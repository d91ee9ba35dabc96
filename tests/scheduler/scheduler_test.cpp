// Scheduler behaviour on a FakeClock. No test sleeps: each waits for an event (a run entered, a
// result arrived, the timer went back to sleep), so the outcome does not depend on how fast the
// machine is.
#include "core/scheduler/scheduler.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <future>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/output/result_format.hpp"
#include "tests/scheduler/scheduler_test_support.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using namespace vigil::core::testing;
using std::chrono::milliseconds;

const CheckResult* find_result(const std::vector<CheckResult>& results, const std::string& check,
                               sdk::Status status) {
  for (const auto& r : results) {
    if (r.check == check && r.status == status)
      return &r;
  }
  return nullptr;
}

// Check names in the order their first runs fall due.
std::vector<std::string> by_offset(std::vector<std::string> names, milliseconds interval) {
  std::stable_sort(names.begin(), names.end(), [&](const std::string& a, const std::string& b) {
    return spread_offset("web", a, interval) < spread_offset("web", b, interval);
  });
  return names;
}

// --- spread -------------------------------------------------------------------------------------

TEST(SpreadOffset, IsWithinTheIntervalAndTheSameEveryTime) {
  for (int i = 0; i < 1000; ++i) {
    const std::string name = "check-" + std::to_string(i);
    const milliseconds offset = spread_offset("web", name, 30s);
    EXPECT_GE(offset, 0ms);
    EXPECT_LT(offset, 30s);
    EXPECT_EQ(offset, spread_offset("web", name, 30s));
  }
}

TEST(SpreadOffset, KeepsItsValuesAcrossBuildsAndRestarts) {
  // Pinned: a change here moves every deployed check's phase, so it must be deliberate.
  EXPECT_EQ(spread_offset("web", "api-health", 10s), 9588ms);
  EXPECT_EQ(spread_offset("web", "api-health", 60s), 19588ms);
  EXPECT_EQ(spread_offset("web", "disk-root", 60s), 53899ms);
  EXPECT_EQ(spread_offset("ab", "c", 1h), 3400794ms);
}

TEST(SpreadOffset, SpreadsNamesAndPipelinesApart) {
  std::set<milliseconds> offsets;
  const std::vector<std::string> names{"api-health", "disk-root",  "queue-depth", "tls-expiry",
                                       "login-flow", "cert-chain", "dns-lookup",  "db-replica"};
  for (const auto& name : names)
    offsets.insert(spread_offset("web", name, 60s));
  EXPECT_EQ(offsets.size(), names.size());
  EXPECT_NE(spread_offset("web", "api-health", 60s), spread_offset("batch", "api-health", 60s));
  // The pipeline/name boundary counts: "ab"+"c" is not "a"+"bc".
  EXPECT_NE(spread_offset("ab", "c", 1h), spread_offset("a", "bc", 1h));
}

TEST(SpreadOffset, IsZeroForANonPositiveInterval) {
  EXPECT_EQ(spread_offset("web", "api-health", 0ms), 0ms);
  EXPECT_EQ(spread_offset("web", "api-health", -5s), 0ms);
}

// --- order, spread and cadence ------------------------------------------------------------------

TEST(Scheduler, FirstRunsComeInDueOrderAtTheirOffsets) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  SchedulerOptions options;
  options.max_workers = 1;  // one worker runs them in the order they were released
  Scheduler scheduler(clock, options, inbox.sink());
  const std::vector<std::string> names{"api-health", "disk-root", "queue-depth", "tls-expiry",
                                       "login-flow"};
  for (const auto& name : names)
    scheduler.add(make_check(name, 10s, 5s, recording_run(log, name)));
  const SteadyTime t0 = clock.steady_now();
  scheduler.start();

  clock.advance(10s);  // every first run falls due within one interval
  const std::vector<RunRecord> runs = log->wait_for(names.size());

  const std::vector<std::string> expected = by_offset(names, 10s);
  ASSERT_EQ(runs.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(runs[i].check, expected[i]) << "run " << i;
    EXPECT_EQ(runs[i].scheduled_for, t0 + spread_offset("web", expected[i], 10s)) << expected[i];
  }
}

TEST(Scheduler, SleepsUntilTheNextDueTimeWithoutTicking) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  const std::vector<std::string> names = by_offset({"disk-root", "login-flow", "tls-expiry"}, 10s);
  // The timeout exceeds the interval so that a run's deadline is never the timer's next wake-up.
  for (const auto& name : names)
    scheduler.add(make_check(name, 10s, 30s, recording_run(log, name)));
  const SteadyTime t0 = clock.steady_now();
  scheduler.start();

  clock.await_sleepers(1);
  const std::uint64_t waits_at_start = clock.blocking_waits();
  const milliseconds first = spread_offset("web", names[0], 10s);
  EXPECT_EQ(clock.earliest_wakeup(), t0 + first);

  // Time passing short of a due time does not wake the timer at all: no polling tick.
  clock.advance_to(t0 + first - 1ms);
  EXPECT_EQ(clock.sleepers(), 1u);
  EXPECT_EQ(clock.blocking_waits(), waits_at_start);

  for (std::size_t i = 0; i < names.size(); ++i) {
    const SteadyTime due = t0 + spread_offset("web", names[i], 10s);
    clock.advance_to(due);
    const RunRecord run = log->wait_for(i + 1).at(i);
    EXPECT_EQ(run.check, names[i]);
    EXPECT_EQ(run.scheduled_for, due);
    EXPECT_EQ(run.deadline, due + 30s);
    clock.await_sleepers(1);
    const SteadyTime next =
        i + 1 < names.size() ? t0 + spread_offset("web", names[i + 1], 10s) : t0 + first + 10s;
    EXPECT_EQ(clock.earliest_wakeup(), next);
  }
  // One wake-up per due time, nothing in between.
  EXPECT_EQ(clock.blocking_waits(), waits_at_start + names.size());
}

// Two check names whose first runs fall due `gap` apart at a 10 s interval.
std::pair<std::string, std::string> names_due_apart(milliseconds gap) {
  std::map<milliseconds, std::string> by_due;
  for (int i = 0;; ++i) {
    const std::string name = "dense-" + std::to_string(i);
    const milliseconds offset = spread_offset("web", name, 10s);
    if (auto found = by_due.find(offset - gap); found != by_due.end())
      return {found->second, name};
    if (auto found = by_due.find(offset + gap); found != by_due.end())
      return {name, found->second};
    by_due.emplace(offset, name);
  }
}

TEST(Scheduler, DueTimesWithinTheTimerSlackShareOneWakeUp) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());  // default slack: 2 ms
  const auto [early, late] = names_due_apart(2ms);
  scheduler.add(make_check(early, 10s, 30s, recording_run(log, early)));
  scheduler.add(make_check(late, 10s, 30s, recording_run(log, late)));
  const SteadyTime t0 = clock.steady_now();
  const SteadyTime early_due = t0 + spread_offset("web", early, 10s);
  const SteadyTime late_due = t0 + spread_offset("web", late, 10s);
  ASSERT_EQ(late_due - early_due, 2ms);
  scheduler.start();

  clock.await_sleepers(1);
  EXPECT_EQ(clock.earliest_wakeup(), late_due);  // one wake-up for both
  clock.advance_to(early_due);
  EXPECT_EQ(clock.sleepers(), 1u);  // not woken at the first due time
  clock.advance_to(late_due);
  std::map<std::string, RunRecord> runs;  // released together, they may run in either order
  for (const auto& run : log->wait_for(2))
    runs.emplace(run.check, run);
  EXPECT_EQ(runs.at(early).scheduled_for, early_due);  // due times stay exact; the start is late
  EXPECT_EQ(runs.at(early).deadline, late_due + 30s);
  EXPECT_EQ(runs.at(late).scheduled_for, late_due);
  EXPECT_EQ(runs.at(late).deadline, late_due + 30s);
}

TEST(Scheduler, WithoutTimerSlackEveryDueTimeIsWokenForExactly) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  SchedulerOptions options;
  options.timer_slack = 0ms;
  Scheduler scheduler(clock, options, inbox.sink());
  const auto [early, late] = names_due_apart(2ms);
  scheduler.add(make_check(early, 10s, 30s, recording_run(log, early)));
  scheduler.add(make_check(late, 10s, 30s, recording_run(log, late)));
  const SteadyTime early_due = clock.steady_now() + spread_offset("web", early, 10s);
  scheduler.start();

  clock.await_sleepers(1);
  EXPECT_EQ(clock.earliest_wakeup(), early_due);
  clock.advance_to(early_due);
  EXPECT_EQ(log->wait_for(1).at(0).deadline, early_due + 30s);
}

TEST(Scheduler, TimerSlackNeverExceedsHalfTheShortestInterval) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  SchedulerOptions options;
  options.timer_slack = 10s;  // absurd: waiting for the second check would cost "fast" slots
  Scheduler scheduler(clock, options, inbox.sink());
  const SteadyTime t0 = clock.steady_now();
  const SteadyTime fast_due = t0 + spread_offset("web", "fast", 1s);
  std::string slow;  // a 60 s check first due 2 to 9 s after "fast"
  for (int i = 0; slow.empty(); ++i) {
    const std::string name = "slow-" + std::to_string(i);
    const SteadyTime due = t0 + spread_offset("web", name, 60s);
    if (due > fast_due + 2s && due < fast_due + 9s)
      slow = name;
  }
  scheduler.add(make_check("fast", 1s, 1s, recording_run(log, "fast")));
  scheduler.add(make_check(slow, 60s, 5s, recording_run(log, slow)));
  scheduler.start();

  clock.await_sleepers(1);
  EXPECT_EQ(clock.earliest_wakeup(), fast_due);  // the slack is capped at 500 ms
  clock.advance_to(fast_due);
  EXPECT_EQ(log->wait_for(1).at(0).scheduled_for, fast_due);
}

TEST(Scheduler, CadenceFollowsDueTimesWithoutDrift) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  // Each run takes 1.5 s of clock time; the next due time must not move by it.
  scheduler.add(make_check("api-health", 10s, 5s, [&clock, log](const RunRequest& request) {
    clock.advance(1500ms);
    log->record({"api-health", request.scheduled_for, request.deadline});
    return ok_result();
  }));
  const SteadyTime first = clock.steady_now() + spread_offset("web", "api-health", 10s);
  scheduler.start();

  for (int k = 0; k < 10; ++k) {
    const SteadyTime due = first + k * 10s;
    clock.advance_to(due);
    // Wait for the result, not just the start: time must not move while the run is in flight.
    inbox.wait_for("api-health", sdk::Status::Ok, static_cast<std::size_t>(k) + 1);
    const RunRecord run = log->snapshot().at(static_cast<std::size_t>(k));
    EXPECT_EQ(run.scheduled_for, due) << "run " << k;
    EXPECT_EQ(run.deadline, due + 5s) << "run " << k;
  }
  EXPECT_EQ(scheduler.stats().missed_slots, 0u);
}

TEST(Scheduler, SkipsSlotsMissedWhileBehindInsteadOfBursting) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  SchedulerOptions options;
  options.max_workers = 1;
  Scheduler scheduler(clock, options, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, recording_run(log, "api-health")));
  const SteadyTime first = clock.steady_now() + spread_offset("web", "api-health", 10s);
  scheduler.start();

  clock.advance_to(first + 35s);  // a stall: four due times have passed
  inbox.wait_for(1);
  EXPECT_EQ(log->snapshot().at(0).scheduled_for, first + 30s);
  clock.advance_to(first + 40s);
  inbox.wait_for(2);
  const std::vector<RunRecord> runs = log->snapshot();
  ASSERT_EQ(runs.size(), 2u);  // one worker: a burst would have run before this one
  EXPECT_EQ(runs[1].scheduled_for, first + 40s);
  EXPECT_EQ(scheduler.stats().missed_slots, 3u);
  EXPECT_EQ(scheduler.stats().skipped_in_flight, 0u);
}

// --- concurrency --------------------------------------------------------------------------------

TEST(Scheduler, NeverRunsMoreThanMaxWorkersAtOnce) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  SchedulerOptions options;
  options.max_workers = 3;
  Scheduler scheduler(clock, options, inbox.sink());
  for (int i = 0; i < 8; ++i) {
    scheduler.add(make_check("check-" + std::to_string(i), 10s, 30s, gated_run(gate)));
  }
  scheduler.start();
  clock.advance(10s);  // all eight fall due

  gate->await_entered(3);
  for (std::size_t started = 4; started <= 8; ++started) {
    EXPECT_EQ(gate->inside(), 3u);
    gate->permit_one();  // one run ends, exactly one more may start
    gate->await_entered(started);
  }
  gate->open();
  inbox.wait_for(8);

  EXPECT_EQ(gate->peak_inside(), 3u);
  const SchedulerStats stats = scheduler.stats();
  EXPECT_EQ(stats.peak_concurrent_runs, 3u);
  EXPECT_EQ(stats.runs_started, 8u);
  EXPECT_LE(stats.worker_threads, 3u);
}

TEST(Scheduler, NeverOverlapsRunsOfOneCheck) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("login-flow", 10s, 25s, gated_run(gate, "done")));
  const SteadyTime first = clock.steady_now() + spread_offset("web", "login-flow", 10s);
  scheduler.start();

  clock.advance_to(first);
  gate->await_entered(1);
  const sdk::TimePoint run_started = clock.now();

  clock.advance(10s);  // due again while the first run is still in flight
  std::vector<CheckResult> results = inbox.wait_for(1);
  EXPECT_EQ(results[0].check, "login-flow");
  EXPECT_EQ(results[0].status, sdk::Status::Unknown);
  EXPECT_EQ(results[0].summary,
            "skipped: previous run still in flight since " + format_rfc3339(run_started));
  EXPECT_EQ(results[0].summary, "skipped: previous run still in flight since 2025-10-18T15:32:06Z");

  clock.advance(10s);
  results = inbox.wait_for(2);
  EXPECT_EQ(results[1].status, sdk::Status::Unknown);
  EXPECT_EQ(gate->entered(), 1u);
  EXPECT_EQ(scheduler.stats().skipped_in_flight, 2u);

  gate->open();
  results = inbox.wait_for("login-flow", sdk::Status::Ok, 1);
  EXPECT_EQ(results.back().summary, "done");

  clock.advance(10s);  // the check is free again: it runs
  inbox.wait_for("login-flow", sdk::Status::Ok, 2);
  EXPECT_EQ(gate->entered(), 2u);
  EXPECT_EQ(scheduler.stats().timeouts, 0u);
}

TEST(Scheduler, AQuickCheckTurningSlowDoesNotHoldUpRunsQueuedBehindIt) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  auto log = std::make_shared<RunLog>();
  auto runs = std::make_shared<std::atomic<int>>(0);
  Scheduler scheduler(clock, {}, inbox.sink());
  const std::vector<std::string> names = by_offset({"disk-root", "tls-expiry"}, 10s);
  // The first check is quick on its first run and blocks on its second.
  scheduler.add(make_check(names[0], 10s, 30s, [gate, runs](const RunRequest& request) {
    if (runs->fetch_add(1) > 0)
      gate->pass(request);
    return ok_result();
  }));
  scheduler.add(make_check(names[1], 10s, 30s, recording_run(log, names[1])));
  scheduler.start();

  clock.advance(10s);  // both run once; the first proves quick
  inbox.wait_for(2);
  clock.advance(10s);  // both due again, released together, the first one first
  gate->await_entered(1);
  // Its worker did not wake another for the run queued behind it, expecting to be back in
  // microseconds. The timekeeper recruits one once that run has waited the grace period:
  // the timer slack (2 ms by default) plus 1 ms.
  clock.advance(3ms);
  inbox.wait_for(names[1], sdk::Status::Ok, 2);
  EXPECT_EQ(gate->inside(), 1u);  // the slow run is still going
  gate->open();
}

// --- timeouts -----------------------------------------------------------------------------------

TEST(Scheduler, TimeoutIsReportedAtTheDeadlineWhileOtherChecksKeepRunning) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  auto log = std::make_shared<RunLog>();
  auto late_result = std::make_shared<std::promise<CheckResult>>();
  SchedulerOptions options;
  options.max_workers = 1;  // the hung run holds the only worker: it must be replaced
  options.on_late_result = [late_result](const CheckResult& r) { late_result->set_value(r); };
  Scheduler scheduler(clock, options, inbox.sink());
  scheduler.add(make_check("stuck", 60s, 5s, gated_run(gate)));
  scheduler.add(make_check("healthy", 10s, 5s, recording_run(log, "healthy")));
  const SteadyTime t0 = clock.steady_now();
  const SteadyTime stuck_due = t0 + spread_offset("web", "stuck", 60s);
  const SteadyTime healthy_first = t0 + spread_offset("web", "healthy", 10s);
  ASSERT_LT(healthy_first + 10s, stuck_due);  // the layout the steps below rely on
  ASSERT_GT(healthy_first + 20s, stuck_due + 5s);
  scheduler.start();

  clock.advance_to(stuck_due);  // "healthy" runs first (slot healthy_first + 10s), then "stuck"
  gate->await_entered(1);
  inbox.wait_for("healthy", sdk::Status::Ok, 1);
  const sdk::TimePoint stuck_started = clock.now();

  clock.advance(5s);
  std::vector<CheckResult> results = inbox.wait_for("stuck", sdk::Status::Unknown, 1);
  const CheckResult* timeout = find_result(results, "stuck", sdk::Status::Unknown);
  ASSERT_NE(timeout, nullptr);
  EXPECT_EQ(timeout->summary, "timed out after 5s");
  EXPECT_EQ(timeout->plugin, "test_plugin");
  EXPECT_EQ(timeout->pipeline, "web");
  EXPECT_EQ(timeout->started, stuck_started);
  EXPECT_EQ(timeout->duration, 5s);
  EXPECT_EQ(clock.steady_now(), stuck_due + 5s);  // reported at the deadline, not later
  EXPECT_TRUE(gate->last_cancel()->load());
  EXPECT_EQ(gate->inside(), 1u);  // still hung: the scheduler did not wait for it

  // The other check keeps its cadence on a replacement thread.
  clock.advance_to(healthy_first + 20s);
  inbox.wait_for("healthy", sdk::Status::Ok, 2);
  EXPECT_EQ(log->snapshot().at(1).scheduled_for, healthy_first + 20s);
  clock.advance_to(healthy_first + 30s);
  inbox.wait_for("healthy", sdk::Status::Ok, 3);
  EXPECT_EQ(log->snapshot().at(2).scheduled_for, healthy_first + 30s);
  SchedulerStats stats = scheduler.stats();
  EXPECT_EQ(stats.timeouts, 1u);
  EXPECT_EQ(stats.abandoned_runs, 1u);
  EXPECT_EQ(stats.worker_threads, 2u);

  // The hung run finally returns: its result is dropped, not delivered.
  gate->open();
  const CheckResult late = late_result->get_future().get();
  EXPECT_EQ(late.check, "stuck");
  EXPECT_EQ(late.summary, "late");
  EXPECT_EQ(inbox.count("stuck", sdk::Status::Ok), 0u);
  stats = scheduler.stats();
  EXPECT_EQ(stats.late_results_dropped, 1u);
  EXPECT_EQ(stats.abandoned_runs, 0u);
}

TEST(Scheduler, AbandonedThreadsAreCappedAndQueuedRunsThenTimeOut) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  SchedulerOptions options;
  options.max_workers = 1;
  options.max_abandoned_workers = 1;
  Scheduler scheduler(clock, options, inbox.sink());
  scheduler.add(make_check("a", 60s, 5s, gated_run(gate)));
  scheduler.add(make_check("b", 60s, 10s, gated_run(gate)));
  scheduler.add(make_check("c", 60s, 30s, gated_run(gate)));

  auto once = std::async(std::launch::async, [&scheduler] { return scheduler.run_once(); });
  gate->await_entered(1);  // a runs; b and c wait for the one worker
  clock.advance(5s);       // a is abandoned and replaced; b starts, with its whole timeout
  gate->await_entered(2);
  clock.advance(10s);  // b is abandoned; the cap allows no third thread
  clock.advance(15s);  // c never found a worker
  const std::vector<CheckResult> results = once.get();

  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].summary, "timed out after 5s");
  EXPECT_EQ(results[1].summary, "timed out after 10s");
  EXPECT_EQ(results[2].summary, "timed out after 30s waiting for a free worker");
  for (const auto& r : results)
    EXPECT_EQ(r.status, sdk::Status::Unknown);
  EXPECT_EQ(gate->entered(), 2u);
  const SchedulerStats stats = scheduler.stats();
  EXPECT_EQ(stats.worker_threads, 2u);
  EXPECT_EQ(stats.abandoned_runs, 2u);
  EXPECT_EQ(stats.timeouts, 3u);
  gate->open();
}

// --- stop ---------------------------------------------------------------------------------------

TEST(Scheduler, StopLetsARunInFlightFinish) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, gated_run(gate, "finished")));
  scheduler.start();
  clock.advance(10s);
  gate->await_entered(1);
  const std::atomic<bool>* cancel = gate->last_cancel();

  auto stopped = std::async(std::launch::async, [&scheduler] { scheduler.stop(); });
  cancel->wait(false);  // stop() has begun: it tells runs in flight
  EXPECT_EQ(stopped.wait_for(0s), std::future_status::timeout);
  gate->open();
  stopped.get();

  const std::vector<CheckResult> results = inbox.snapshot();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, sdk::Status::Ok);
  EXPECT_EQ(results[0].summary, "finished");
  EXPECT_EQ(scheduler.stats().timeouts, 0u);
}

TEST(Scheduler, StopReportsARunPastItsDeadlineAndReturnsWithoutIt) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, gated_run(gate)));
  scheduler.start();
  clock.advance(10s);
  gate->await_entered(1);
  const std::atomic<bool>* cancel = gate->last_cancel();

  auto stopped = std::async(std::launch::async, [&scheduler] { scheduler.stop(); });
  cancel->wait(false);
  clock.advance(5s);
  stopped.get();  // returns although the run is still hung

  EXPECT_EQ(gate->inside(), 1u);
  const std::vector<CheckResult> results = inbox.snapshot();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].status, sdk::Status::Unknown);
  EXPECT_EQ(results[0].summary, "timed out after 5s");
  gate->open();  // the abandoned thread returns after stop(): nothing reaches the sink
}

TEST(Scheduler, StopDropsRunsStillWaitingForAWorker) {
  FakeClock clock;
  Inbox inbox;
  auto gate = std::make_shared<Gate>();
  SchedulerOptions options;
  options.max_workers = 1;
  Scheduler scheduler(clock, options, inbox.sink());
  scheduler.add(make_check("a", 10s, 30s, gated_run(gate)));
  scheduler.add(make_check("b", 10s, 30s, gated_run(gate)));
  scheduler.start();
  clock.advance(10s);  // both due; one runs, the other waits for the worker
  gate->await_entered(1);
  const std::atomic<bool>* cancel = gate->last_cancel();

  auto stopped = std::async(std::launch::async, [&scheduler] { scheduler.stop(); });
  cancel->wait(false);
  gate->open();
  stopped.get();

  EXPECT_EQ(gate->entered(), 1u);
  EXPECT_EQ(inbox.snapshot().size(), 1u);
  EXPECT_EQ(scheduler.stats().not_started_at_stop, 1u);
}

TEST(Scheduler, StopTwiceIsSafeAndNothingRunsAfterIt) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, recording_run(log, "api-health")));
  scheduler.start();
  scheduler.stop();
  scheduler.stop();
  clock.advance(1h);
  EXPECT_TRUE(log->snapshot().empty());
  EXPECT_TRUE(inbox.snapshot().empty());
  EXPECT_THROW(scheduler.start(), std::logic_error);
  EXPECT_THROW(scheduler.run_once(), std::logic_error);
  EXPECT_THROW(scheduler.add(make_check("late", 10s, 5s, recording_run(log, "late"))),
               std::logic_error);
}

TEST(Scheduler, StopWithoutStartIsSafe) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, inbox.sink());
  scheduler.add(make_check("api-health", 10s, 5s, recording_run(log, "api-health")));
  scheduler.stop();
  EXPECT_TRUE(log->snapshot().empty());
}

TEST(Scheduler, RejectsChecksItCannotSchedule) {
  FakeClock clock;
  EXPECT_THROW(Scheduler(clock, SchedulerOptions{0, 0, {}}, {}), std::invalid_argument);
  Scheduler scheduler(clock, {}, {});
  auto log = std::make_shared<RunLog>();
  EXPECT_THROW(scheduler.add(make_check("x", 0s, 5s, recording_run(log, "x"))),
               std::invalid_argument);
  EXPECT_THROW(scheduler.add(make_check("x", 10s, 0s, recording_run(log, "x"))),
               std::invalid_argument);
  EXPECT_THROW(scheduler.add(make_check("x", 10s, 5s, nullptr)), std::invalid_argument);
  scheduler.start();
  EXPECT_THROW(scheduler.start(), std::logic_error);
  scheduler.add(make_check("x", 10s, 5s, recording_run(log, "x")));
  // While running, a second check of the same pipeline/name is a mistake, not a replacement.
  EXPECT_THROW(scheduler.add(make_check("x", 10s, 5s, recording_run(log, "x"))),
               std::invalid_argument);
}

// --- run_once -----------------------------------------------------------------------------------

TEST(SchedulerRunOnce, ReturnsEveryResultInAddOrder) {
  FakeClock clock;
  auto log = std::make_shared<RunLog>();
  SchedulerOptions options;
  options.max_workers = 2;
  Scheduler scheduler(clock, options, {});
  const std::vector<std::string> names{"tls-expiry",  "api-health", "disk-root",
                                       "queue-depth", "login-flow", "dns-lookup"};
  for (const auto& name : names)
    scheduler.add(make_check(name, 60s, 5s, recording_run(log, name)));

  const std::vector<CheckResult> results = scheduler.run_once();
  ASSERT_EQ(results.size(), names.size());
  for (std::size_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(results[i].check, names[i]);
    EXPECT_EQ(results[i].status, sdk::Status::Ok);
  }
  for (const auto& run : log->snapshot())
    EXPECT_EQ(run.scheduled_for, clock.steady_now());
}

TEST(SchedulerRunOnce, ReportsAHangingCheckAtItsDeadline) {
  FakeClock clock;
  auto gate = std::make_shared<Gate>();
  auto log = std::make_shared<RunLog>();
  auto late_result = std::make_shared<std::promise<CheckResult>>();
  SchedulerOptions options;
  options.max_workers = 2;
  options.on_late_result = [late_result](const CheckResult& r) { late_result->set_value(r); };
  Scheduler scheduler(clock, options, {});
  scheduler.add(make_check("before", 60s, 30s, recording_run(log, "before")));
  scheduler.add(make_check("hangs", 60s, 5s, gated_run(gate)));
  scheduler.add(make_check("after", 60s, 30s, recording_run(log, "after")));

  auto once = std::async(std::launch::async, [&scheduler] { return scheduler.run_once(); });
  gate->await_entered(1);
  // The others have started; their longer timeout lets them finish whenever they do.
  log->wait_for(2);
  clock.advance(5s);
  const std::vector<CheckResult> results = once.get();

  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].check, "before");
  EXPECT_EQ(results[0].status, sdk::Status::Ok);
  EXPECT_EQ(results[1].check, "hangs");
  EXPECT_EQ(results[1].status, sdk::Status::Unknown);
  EXPECT_EQ(results[1].summary, "timed out after 5s");
  EXPECT_EQ(results[2].check, "after");
  EXPECT_EQ(results[2].status, sdk::Status::Ok);
  EXPECT_TRUE(gate->last_cancel()->load());

  gate->open();
  EXPECT_EQ(late_result->get_future().get().check, "hangs");
}

TEST(SchedulerRunOnce, SkipsACheckStillHungFromTheLastCall) {
  FakeClock clock;
  auto gate = std::make_shared<Gate>();
  auto log = std::make_shared<RunLog>();
  Scheduler scheduler(clock, {}, {});
  scheduler.add(make_check("hangs", 60s, 5s, gated_run(gate)));
  scheduler.add(make_check("fine", 60s, 30s, recording_run(log, "fine")));

  auto once = std::async(std::launch::async, [&scheduler] { return scheduler.run_once(); });
  gate->await_entered(1);
  log->wait_for(1);
  const sdk::TimePoint hung_since = clock.now();
  clock.advance(5s);
  EXPECT_EQ(once.get()[0].summary, "timed out after 5s");

  const std::vector<CheckResult> again = scheduler.run_once();  // "hangs" is still in flight
  EXPECT_EQ(again[0].status, sdk::Status::Unknown);
  EXPECT_EQ(again[0].summary,
            "skipped: previous run still in flight since " + format_rfc3339(hung_since));
  EXPECT_EQ(again[1].status, sdk::Status::Ok);
  EXPECT_EQ(gate->entered(), 1u);
  gate->open();
}

TEST(SchedulerRunOnce, IsBoundedByMaxWorkers) {
  FakeClock clock;
  auto gate = std::make_shared<Gate>();
  SchedulerOptions options;
  options.max_workers = 2;
  Scheduler scheduler(clock, options, {});
  for (int i = 0; i < 6; ++i) {
    scheduler.add(make_check("check-" + std::to_string(i), 60s, 5s, gated_run(gate)));
  }
  auto once = std::async(std::launch::async, [&scheduler] { return scheduler.run_once(); });
  gate->await_entered(2);
  for (std::size_t started = 3; started <= 6; ++started) {
    EXPECT_EQ(gate->inside(), 2u);
    gate->permit_one();
    gate->await_entered(started);
  }
  gate->open();
  const std::vector<CheckResult> results = once.get();
  EXPECT_EQ(results.size(), 6u);
  for (const auto& r : results)
    EXPECT_EQ(r.status, sdk::Status::Ok);
  EXPECT_EQ(gate->peak_inside(), 2u);
}

TEST(SchedulerRunOnce, TurnsAThrowingRunIntoUnknown) {
  FakeClock clock;
  Scheduler scheduler(clock, {}, {});
  scheduler.add(make_check("throws", 60s, 5s, [](const RunRequest&) -> CheckResult {
    throw std::runtime_error("connection pool exhausted");
  }));
  const std::vector<CheckResult> results = scheduler.run_once();
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].check, "throws");
  EXPECT_EQ(results[0].status, sdk::Status::Unknown);
  EXPECT_EQ(results[0].summary, "check run failed: connection pool exhausted");
}

// --- scale --------------------------------------------------------------------------------------

TEST(Scheduler, TenThousandChecksEachRunOncePerInterval) {
  FakeClock clock;
  Inbox inbox;
  auto log = std::make_shared<RunLog>();
  SchedulerOptions options;
  options.max_workers = 4;
  Scheduler scheduler(clock, options, inbox.sink());
  constexpr std::size_t kChecks = 10'000;
  std::size_t due_at_start = 0;  // an offset of 0 runs at start()
  for (std::size_t i = 0; i < kChecks; ++i) {
    const std::string name = "check-" + std::to_string(i);
    if (spread_offset("web", name, 1s) == 0ms)
      ++due_at_start;
    scheduler.add(make_check(name, 1s, 5s, recording_run(log, name)));
  }
  const SteadyTime t0 = clock.steady_now();
  scheduler.start();
  clock.await_sleepers(1);
  const std::uint64_t waits_at_start = clock.blocking_waits();
  inbox.wait_for(due_at_start);  // or they would still be in flight at their next due time

  // The timer wakes once per advance, not once per check. It may still be awake when the last
  // result arrives, so each count is taken once it sleeps again.
  clock.advance(1s);
  inbox.wait_for(kChecks + due_at_start);
  clock.await_sleepers(1);
  EXPECT_EQ(clock.blocking_waits(), waits_at_start + 1);
  clock.advance(1s);
  inbox.wait_for(2 * kChecks + due_at_start);
  clock.await_sleepers(1);
  EXPECT_EQ(clock.blocking_waits(), waits_at_start + 2);

  std::map<std::string, std::vector<SteadyTime>> due_times;
  for (const auto& run : log->snapshot())
    due_times[run.check].push_back(run.scheduled_for);
  ASSERT_EQ(due_times.size(), kChecks);
  for (const auto& [name, times] : due_times) {
    const milliseconds offset = spread_offset("web", name, 1s);
    ASSERT_EQ(times.size(), offset == 0ms ? 3u : 2u) << name;
    for (std::size_t k = 0; k < times.size(); ++k) {
      EXPECT_EQ(times[k], t0 + offset + static_cast<int>(k) * 1s) << name;
    }
  }
  for (const auto& result : inbox.snapshot())
    EXPECT_EQ(result.status, sdk::Status::Ok);
  EXPECT_EQ(scheduler.stats().runs_started, 2 * kChecks + due_at_start);
}

}  // namespace
}  // namespace vigil::core
