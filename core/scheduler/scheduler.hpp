#pragma once
// Runs configured checks on their intervals, as Icinga's CheckerComponent does: one timer thread
// keeps every check ordered by its next due time and sleeps until the earliest one (or the
// earliest run deadline), then hands due runs to a bounded worker pool. The checks themselves
// live elsewhere; the scheduler sees only a run function per check and a sink for results.
//
// Guarantees, all measured on the injected Clock:
// - Each check runs every `interval`; the first run comes spread_offset() after start() so a
//   fleet of checks does not fire at once. Due times advance by exactly `interval` (no drift);
//   slots missed while the process was stalled are skipped, never run in a burst. A run starts
//   at its due time, or up to timer_slack later when due times are dense.
// - At most max_workers runs execute at once, and never two runs of one check: a due time that
//   finds the previous run still in flight is skipped with an UNKNOWN "skipped: ..." result.
// - A run that passes its deadline is reported UNKNOWN ("timed out after 10s") by the timer
//   thread at the deadline, its cancel flag is set, and it is abandoned: its thread is replaced
//   so the pool keeps max_workers threads for the other checks (see SchedulerOptions), and its
//   result, if it ever comes, is dropped.
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/check_result.hpp"
#include "core/time/clock.hpp"

namespace vigil::core {

struct RunRequest {
  Clock::SteadyTime scheduled_for;  // when this run was due
  // When the run started + timeout: the scheduled start, unless a stalled process or a busy
  // pool made it start late, in which case the check still gets its whole timeout.
  Clock::SteadyTime deadline;
  // Set when the host is stopping or the run timed out. Valid until the run function returns,
  // even if the Scheduler is gone by then.
  const std::atomic<bool>* cancel;
};

struct ScheduledCheck {
  std::string name, plugin, pipeline;
  std::chrono::milliseconds interval{0}, timeout{0};  // both must be positive
  // Called on a worker thread; runs the check synchronously. Anything it throws becomes an
  // UNKNOWN result. It may still be running after its deadline (and after the Scheduler is
  // destroyed, if it hangs); what it references must allow for that.
  std::function<CheckResult(const RunRequest&)> run;
  // Copied onto the UNKNOWN results the scheduler makes itself (timeouts, skips).
  sdk::Labels labels;
};

// Called from the timer and worker threads, possibly at the same time; the sink is thread-safe.
// Never called after stop() has returned.
using ResultSink = std::function<void(CheckResult)>;

struct SchedulerOptions {
  std::size_t max_workers = 16;
  // A run past its deadline keeps its thread until it returns, and the pool starts a
  // replacement so that hung plugins do not starve the other checks. This caps how many such
  // replacements may exist at once; beyond it the pool does shrink, and queued runs that find
  // no worker before their deadline are reported UNKNOWN. Each hung check pins at most one
  // thread, because its next due times are skipped while it is in flight.
  std::size_t max_abandoned_workers = 64;
  // Called on the worker thread with a result that arrived after its run had been reported as
  // timed out; that result never reaches the sink. Not called after stop() has returned.
  std::function<void(const CheckResult&)> on_late_result;
  // When due times are dense, the timer wakes once for all checks due within this window after
  // the first, not once per due instant: those runs start up to this much late, in exchange for
  // fewer wake-ups (about a third as many at 10,000 checks a second). A due time with no other
  // within the window is woken for exactly, so small schedules are not affected. 0 turns this
  // off; it never exceeds half the shortest interval, so it cannot cost a check a slot.
  std::chrono::milliseconds timer_slack{2};
};

// Counters since construction, for tests, diagnostics and the benchmark.
struct SchedulerStats {
  std::uint64_t runs_started = 0;
  std::uint64_t timeouts = 0;              // runs reported UNKNOWN at their deadline
  std::uint64_t skipped_in_flight = 0;     // due times skipped: previous run still in flight
  std::uint64_t missed_slots = 0;          // due times skipped because the process fell behind
  std::uint64_t late_results_dropped = 0;  // results that came back after their timeout
  std::uint64_t not_started_at_stop = 0;   // runs waiting for a worker when stop() was called
  std::size_t abandoned_runs = 0;          // runs past their deadline still executing now
  std::size_t worker_threads = 0;          // threads the pool has started, abandoned included
  std::size_t peak_concurrent_runs = 0;    // most runs executing at once (abandoned excluded)
};

// The delay from start() to a check's first run: a hash of pipeline and name, so the same check
// keeps the same phase across restarts and a test can predict it. Within [0, interval); 0 for a
// non-positive interval.
std::chrono::milliseconds spread_offset(std::string_view pipeline, std::string_view name,
                                        std::chrono::milliseconds interval) noexcept;

class Scheduler {
 public:
  // `clock` must outlive the Scheduler. Throws std::invalid_argument if max_workers is 0.
  Scheduler(Clock& clock, SchedulerOptions options, ResultSink sink);
  ~Scheduler();  // stop(), then release what abandoned runs do not still use
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Before start(), or while running (a configuration reload): a check added while running
  // runs first spread_offset() after the add, as it would have after start(). Throws
  // std::invalid_argument for a non-positive interval or timeout or an empty run function, or
  // (while running) a pipeline/name already scheduled; std::logic_error after stop().
  void add(ScheduledCheck check);

  // Takes a check off the schedule, before start() or while running: it is never due again. A
  // run of it in flight finishes and its result still reaches the sink. False when no such
  // check is scheduled.
  bool remove(std::string_view pipeline, std::string_view name);

  // Swaps the check of the same pipeline/name for `check` (a reload changed it). Its next due
  // time is kept, unless the new interval is shorter than the time left to it: then the check
  // is due spread_offset(new interval) from now. A run of the old check in flight finishes and
  // its result is reported; until it ends the new check's due times are skipped, so the two
  // never overlap. False when no such check is scheduled. Throws as add() does.
  bool replace(ScheduledCheck check);

  std::size_t size() const;  // checks scheduled (removed ones not counted)
  // While running: when the check is next due; nullopt when unknown or not running.
  std::optional<Clock::SteadyTime> next_due(std::string_view pipeline, std::string_view name) const;

  // Starts the timer thread; checks run until stop(). Throws std::logic_error if called twice
  // or after stop().
  void start();

  // No new runs start; runs in flight get until their deadline, and those that pass it are
  // reported UNKNOWN; then the threads are joined, except those of abandoned runs, which are
  // detached. Safe to call more than once, and without start().
  void stop();

  // Runs every check once on the pool, with timeouts enforced, and returns the results in add()
  // order: `vigil run --once`. A hanging check yields UNKNOWN at its deadline. The calling
  // thread does the timekeeping. Not with start(): throws std::logic_error after start() or
  // stop().
  std::vector<CheckResult> run_once();

  // Runs one check now, outside its schedule (rollback verification re-runs the checks it
  // names), with its timeout enforced and its result sent to the sink; its regular due times
  // are unchanged. Does nothing when the check is in flight (its result is on its way) or
  // unknown, or when the scheduler is not running. Returns whether a run was started.
  bool run_now(std::string_view pipeline, std::string_view name);

  SchedulerStats stats() const;

 private:
  struct State;
  // Shared with the threads: an abandoned run's thread may outlive the Scheduler, and must
  // still find the state it returns to.
  std::shared_ptr<State> state_;
};

}  // namespace vigil::core
