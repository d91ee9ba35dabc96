#include "core/scheduler/scheduler.hpp"

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <exception>
#include <list>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

#include "core/memory/heap_release.hpp"
#include "core/output/result_format.hpp"

namespace vigil::core {

namespace {

using SteadyTime = Clock::SteadyTime;
using std::chrono::milliseconds;

// FNV-1a and the splitmix64 finaliser: fixed, documented functions, unlike std::hash, whose
// values may change with the standard library, which would move every check's phase.
constexpr std::uint64_t kFnvOffsetBasis = 14695981039346656037ULL;
constexpr std::uint64_t kFnvPrime = 1099511628211ULL;

std::uint64_t fnv1a(std::uint64_t hash, std::string_view bytes) noexcept {
  for (unsigned char byte : bytes) {
    hash ^= byte;
    hash *= kFnvPrime;
  }
  return hash;
}

// FNV-1a's low bits mix poorly, and the offset is the hash modulo the interval.
std::uint64_t avalanche(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

// "10s", "2m", "1500ms": the way durations are written in the configuration.
std::string format_duration(milliseconds d) {
  const auto ms = d.count();
  if (ms != 0 && ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms != 0 && ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

CheckResult unknown_result(const ScheduledCheck& check, std::string summary, sdk::TimePoint started,
                           milliseconds duration) {
  CheckResult r;
  r.check = check.name;
  r.plugin = check.plugin;
  r.pipeline = check.pipeline;
  r.labels = check.labels;
  r.status = sdk::Status::Unknown;
  r.plugin_status = sdk::Status::Unknown;
  r.summary = std::move(summary);
  r.started = started;
  r.duration = duration;
  return r;
}

}  // namespace

std::chrono::milliseconds spread_offset(std::string_view pipeline, std::string_view name,
                                        std::chrono::milliseconds interval) noexcept {
  if (interval <= milliseconds::zero())
    return milliseconds::zero();
  std::uint64_t hash = fnv1a(kFnvOffsetBasis, pipeline);
  // A separator, so that pipeline "ab" + check "c" and "a" + "bc" get different phases.
  hash = fnv1a(hash, std::string_view("\0", 1));
  hash = fnv1a(hash, name);
  const auto span = static_cast<std::uint64_t>(interval.count());
  return milliseconds(static_cast<milliseconds::rep>(avalanche(hash) % span));
}

struct Scheduler::State : std::enable_shared_from_this<Scheduler::State> {
  struct Worker {
    std::thread thread;
    // A condition variable per worker, so that waking one wakes exactly that one, and the pool
    // knows which workers are on their way (see `searching`).
    std::condition_variable wake_cv;
    bool woken = false;
    bool abandoned = false;  // busy in a run that has passed its deadline
  };

  // Where run_once() collects the results of one call.
  struct OnceBatch {
    std::vector<std::optional<CheckResult>> results;
    std::size_t outstanding = 0;
  };

  struct Run {
    enum class Phase { Queued, Running, Finished, Abandoned };

    // Its own reference: a check replaced or removed while this run is in flight keeps what
    // the run is executing alive until the run ends.
    std::shared_ptr<const ScheduledCheck> check;
    std::size_t check_index = 0;
    std::uint64_t seq = 0;  // tie-breaker in the deadline index
    SteadyTime scheduled_for{};
    SteadyTime deadline{};
    SteadyTime started_steady{};  // release time until a worker takes it, then start time
    sdk::TimePoint started_wall{};
    Phase phase = Phase::Queued;
    Worker* worker = nullptr;
    std::shared_ptr<OnceBatch> batch;  // run_once(): the result goes here, not to the sink
    std::size_t batch_slot = 0;
    std::atomic<bool> cancel{false};
  };

  struct CheckSlot {
    std::shared_ptr<const ScheduledCheck> check;  // null once removed
    // Removed while running: never due again, never run_now(); the slot stays so that the
    // indices of the other checks and of a run still in flight stay valid.
    bool removed = false;
    SteadyTime next_due{};  // while running: where this check is listed in `due`
    // The run that is queued or executing (an abandoned one included): while set, due times are
    // skipped, which is how one check never overlaps itself.
    std::shared_ptr<Run> current;
    // What the last run cost in real time (not the injected clock: this is a measure of work,
    // not a schedule); negative until the check has run once.
    std::chrono::nanoseconds last_run_cost{-1};
  };

  using DeadlineKey = std::pair<SteadyTime, std::uint64_t>;

  enum class Lifecycle { Configuring, Running, Stopping, Stopped };

  // A run this cheap is over before a sleeping thread would even wake up (tens of microseconds
  // on Linux, more on a busy or virtualised host).
  static constexpr std::chrono::nanoseconds kQuickRun = std::chrono::microseconds{100};
  // How long a run may sit in the queue, runnable, with no worker on its way, before the
  // timekeeper recruits one (see take_run_locked), on top of the timer slack: the timer sleeps
  // up to that much past a due time anyway, and need not be woken earlier for these runs.
  static constexpr milliseconds kStrandedRunGrace{1};

  State(Clock& clock_, SchedulerOptions options_, ResultSink sink_)
      : clock(clock_), options(std::move(options_)), sink(std::move(sink_)) {}

  Clock& clock;
  const SchedulerOptions options;
  const ResultSink sink;
  HeapRelease heap_release;

  std::mutex lifecycle_mu;  // serialises start() and stop(); taken before mu
  std::thread timer_thread;

  std::mutex mu;
  std::condition_variable timer_cv;  // the timekeeper (timer thread or run_once caller) sleeps
  Lifecycle lifecycle = Lifecycle::Configuring;
  bool workers_exit = false;
  // A deque keeps each ScheduledCheck at a fixed address, which a running worker relies on.
  std::deque<CheckSlot> checks;
  // While running, every check is listed under its next due time, in order of time. Offsets and
  // intervals are whole milliseconds, so checks share due instants (10,000 checks at 1 s share
  // 1,000): a wake-up takes one entry off the front, never scans all checks or sifts a heap
  // once per check.
  std::map<SteadyTime, std::vector<std::size_t>> due;
  std::vector<std::vector<std::size_t>> spare_due_lists;  // reused, so lists rarely reallocate
  // Queued and executing runs by deadline (abandoned runs leave it); erased when a run ends.
  std::map<DeadlineKey, std::shared_ptr<Run>> deadlines;
  std::deque<std::shared_ptr<Run>> ready;  // released, waiting for a worker, FIFO
  std::list<Worker> workers;               // std::list: a Worker's address is stable
  std::size_t active_runs = 0;             // executing and not yet past their deadline
  std::size_t abandoned_runs = 0;
  // Idle workers, most recently idle last: that one is woken first, its cache still warm.
  std::vector<Worker*> idle;
  // Workers woken or started that have not yet taken the lock. At most one at a time: when runs
  // are short, the first worker often drains the queue before a second could even wake up, so
  // waking one per queued run would mostly cost context switches. A worker that takes a run
  // which is not known to be quick recruits the next one, so slow runs still fan out across
  // the pool within microseconds of each other.
  std::size_t searching = 0;
  // The worker recruited last, to be notified once the recruiter has released mu: notified
  // under the lock, it would wake only to block on mu at once.
  Worker* wake_pending = nullptr;
  // When the timekeeper (timer thread or run_once caller) will next wake; min() while awake.
  SteadyTime timekeeper_sleeps_until = SteadyTime::min();
  std::uint64_t next_seq = 0;
  milliseconds timer_slack{0};  // options.timer_slack, capped at start()
  SchedulerStats stats;

  bool has_runnable_locked() const { return !ready.empty() && active_runs < options.max_workers; }

  std::shared_ptr<Run> release_locked(std::size_t index, SteadyTime scheduled_for, SteadyTime now,
                                      sdk::TimePoint wall_now, std::shared_ptr<OnceBatch> batch) {
    CheckSlot& slot = checks[index];
    auto run = std::make_shared<Run>();
    run->check = slot.check;
    run->check_index = index;
    run->seq = next_seq++;
    run->scheduled_for = scheduled_for;
    run->deadline = now + slot.check->timeout;
    run->started_steady = now;
    run->started_wall = wall_now;
    run->batch = std::move(batch);
    run->batch_slot = index;
    deadlines.emplace(DeadlineKey{run->deadline, run->seq}, run);
    ready.push_back(run);
    slot.current = run;
    return run;
  }

  CheckResult skip_result(const CheckSlot& slot, sdk::TimePoint wall_now) const {
    const Run& previous = *slot.current;
    std::string summary = previous.phase == Run::Phase::Queued
                              ? "skipped: previous run still waiting for a free worker since "
                              : "skipped: previous run still in flight since ";
    summary += format_rfc3339(previous.started_wall);
    return unknown_result(*slot.check, std::move(summary), wall_now, milliseconds::zero());
  }

  void complete_locked(Run& run, CheckResult result, std::vector<CheckResult>& outbox) {
    if (run.batch) {
      run.batch->results[run.batch_slot] = std::move(result);
      if (--run.batch->outstanding == 0)
        timer_cv.notify_all();
    } else {
      outbox.push_back(std::move(result));
    }
  }

  // Makes sure a worker is on its way to runnable work: wakes an idle one or, if none is idle,
  // starts a thread. Threads not held by abandoned runs never exceed max_workers; beyond that,
  // busy workers take queued runs as they finish.
  void recruit_worker_locked() {
    if (!has_runnable_locked() || searching > 0)
      return;
    if (!idle.empty()) {
      Worker* worker = idle.back();
      idle.pop_back();
      worker->woken = true;
      ++searching;
      wake_pending = worker;
      return;
    }
    const std::size_t thread_cap = options.max_workers + options.max_abandoned_workers;
    if (workers.size() - abandoned_runs >= options.max_workers || workers.size() >= thread_cap) {
      return;
    }
    Worker& worker = workers.emplace_back();
    try {
      worker.thread =
          std::thread([state = shared_from_this(), &worker] { state->worker_loop(worker); });
    } catch (const std::system_error&) {
      // Out of threads: the runs stay queued and are reported UNKNOWN at their deadline if no
      // worker frees up, which is the visible outcome we want, not a crash.
      workers.pop_back();
      return;
    }
    ++searching;
  }

  SteadyTime stranded_rescue_time_locked() const {
    return ready.front()->started_steady + timer_slack + kStrandedRunGrace;
  }

  // Recruits a worker for runs that have waited out the grace in the queue with none on its
  // way: left behind by a quick run that turned out slow. Returns when to look again.
  SteadyTime rescue_stranded_runs_locked(SteadyTime now) {
    if (!has_runnable_locked() || searching > 0)
      return SteadyTime::max();
    const SteadyTime rescue_at = stranded_rescue_time_locked();
    if (rescue_at > now)
      return rescue_at;
    recruit_worker_locked();
    return SteadyTime::max();
  }

  // Releases mu and notifies the worker recruited meanwhile, if any; the caller re-locks.
  void unlock_and_wake(std::unique_lock<std::mutex>& lock) {
    Worker* worker = std::exchange(wake_pending, nullptr);
    lock.unlock();
    if (worker != nullptr)
      worker->wake_cv.notify_one();
  }

  void schedule_locked(SteadyTime when, std::size_t check_index) {
    auto [entry, created] = due.try_emplace(when);
    if (created && !spare_due_lists.empty()) {
      entry->second = std::move(spare_due_lists.back());
      spare_due_lists.pop_back();
    }
    entry->second.push_back(check_index);
    checks[check_index].next_due = when;
  }

  // Takes a check off the schedule (it is listed under exactly one due time while running).
  void unschedule_locked(std::size_t check_index) {
    auto entry = due.find(checks[check_index].next_due);
    if (entry == due.end())
      return;
    std::erase(entry->second, check_index);
    if (entry->second.empty()) {
      spare_due_lists.push_back(std::move(entry->second));
      due.erase(entry);
    }
  }

  // The live check called pipeline/name; checks.size() when there is none.
  std::size_t find_locked(std::string_view pipeline, std::string_view name) const {
    for (std::size_t i = 0; i < checks.size(); ++i) {
      const CheckSlot& slot = checks[i];
      if (!slot.removed && slot.check->pipeline == pipeline && slot.check->name == name)
        return i;
    }
    return checks.size();
  }

  // A check added while running: first due spread_offset() from now, as at start().
  void schedule_new_locked(std::size_t check_index) {
    const ScheduledCheck& check = *checks[check_index].check;
    schedule_locked(clock.steady_now() + spread_offset(check.pipeline, check.name, check.interval),
                    check_index);
    timer_slack = std::min(timer_slack, check.interval / 2);
    timer_cv.notify_all();  // it may be due before the timer would next wake
  }

  // When the timer should next release runs: the first due time, or, if more due times follow
  // within the slack window, the last of those, so that one wake-up serves them all.
  SteadyTime next_release_locked() const {
    if (due.empty())
      return SteadyTime::max();
    auto entry = due.begin();
    SteadyTime release_at = entry->first;
    const SteadyTime window_end = release_at + timer_slack;
    for (++entry; entry != due.end() && entry->first <= window_end; ++entry)
      release_at = entry->first;
    return release_at;
  }

  // Due checks become runs; checks whose previous run is still in flight are skipped. Slots
  // missed while the process was stalled are skipped too: only the latest one runs.
  void release_due_locked(SteadyTime now, std::vector<CheckResult>& outbox) {
    std::optional<sdk::TimePoint> wall_now;
    bool released = false;
    while (!due.empty() && due.begin()->first <= now) {
      auto node = due.extract(due.begin());
      std::vector<std::size_t>& due_now = node.mapped();
      // Checks due together start in add() order, whatever order they were listed in.
      std::sort(due_now.begin(), due_now.end());
      for (const std::size_t index : due_now) {
        CheckSlot& slot = checks[index];
        const milliseconds interval = slot.check->interval;
        SteadyTime slot_time = node.key();
        if (now - slot_time >= interval) {
          const auto missed = (now - slot_time) / interval;
          slot_time += missed * interval;
          stats.missed_slots += static_cast<std::uint64_t>(missed);
        }
        if (!wall_now)
          wall_now = clock.now();
        if (slot.current) {
          ++stats.skipped_in_flight;
          outbox.push_back(skip_result(slot, *wall_now));
        } else {
          release_locked(index, slot_time, now, *wall_now, nullptr);
          released = true;
        }
        schedule_locked(slot_time + interval, index);
      }
      due_now.clear();
      spare_due_lists.push_back(std::move(due_now));
    }
    if (released)
      recruit_worker_locked();
  }

  // Reports every run whose deadline has come: an executing one is abandoned (cancel flag set,
  // thread given up on), a queued one is withdrawn.
  void expire_deadlines_locked(SteadyTime now, std::vector<CheckResult>& outbox) {
    bool freed_capacity = false;
    while (!deadlines.empty() && deadlines.begin()->first.first <= now) {
      std::shared_ptr<Run> run = std::move(deadlines.begin()->second);
      deadlines.erase(deadlines.begin());
      ++stats.timeouts;
      std::string summary = "timed out after " + format_duration(run->check->timeout);
      if (run->phase == Run::Phase::Queued) {
        std::erase(ready, run);
        checks[run->check_index].current.reset();
        summary += " waiting for a free worker";
      } else {
        run->phase = Run::Phase::Abandoned;
        run->cancel.store(true);
        run->cancel.notify_all();  // for a check blocked in cancel->wait(false)
        run->worker->abandoned = true;
        --active_runs;
        ++abandoned_runs;
        freed_capacity = true;
      }
      const auto elapsed = std::chrono::duration_cast<milliseconds>(now - run->started_steady);
      complete_locked(*run,
                      unknown_result(*run->check, std::move(summary), run->started_wall, elapsed),
                      outbox);
    }
    // The abandoned thread no longer counts against max_workers; a queued run may start now,
    // on a replacement thread if need be.
    if (freed_capacity)
      recruit_worker_locked();
  }

  // Calls the sink with the lock released: the sink may block (a slow log file) and must not
  // hold up workers or the timer meanwhile.
  void deliver_unlocked(std::vector<CheckResult>& outbox) {
    for (CheckResult& result : outbox) {
      if (!sink)
        break;
      try {
        sink(std::move(result));
      } catch (...) {
        // A throwing sink would take the timer or a worker thread down, and with it the
        // process; losing one result is the smaller harm.
      }
    }
    outbox.clear();
  }

  void timer_loop() {
    std::unique_lock<std::mutex> lock(mu);
    std::vector<CheckResult> outbox;
    for (;;) {
      const SteadyTime now = clock.steady_now();
      expire_deadlines_locked(now, outbox);
      if (lifecycle == Lifecycle::Running)
        release_due_locked(now, outbox);
      const SteadyTime rescue_at = rescue_stranded_runs_locked(now);
      if (!outbox.empty() || wake_pending != nullptr) {
        unlock_and_wake(lock);
        deliver_unlocked(outbox);
        lock.lock();
        continue;  // time has moved meanwhile
      }
      if (lifecycle != Lifecycle::Running && active_runs == 0)
        return;
      // Sleep until the next thing known to happen. Workers wake the timer only at stop or for
      // runs stranded behind a quick run (take_run_locked), so an idle daemon makes no
      // wake-ups between due times.
      SteadyTime wake = rescue_at;
      if (!deadlines.empty())
        wake = std::min(wake, deadlines.begin()->first.first);
      if (lifecycle == Lifecycle::Running)
        wake = std::min(wake, next_release_locked());
      timekeeper_sleeps_until = wake;
      clock.wait_until(lock, timer_cv, wake);
      timekeeper_sleeps_until = SteadyTime::min();
    }
  }

  static CheckResult invoke(const Run& run, const RunRequest& request) {
    const ScheduledCheck& check = *run.check;
    CheckResult result;
    try {
      result = check.run(request);
    } catch (const std::exception& e) {
      return unknown_result(check, std::string("check run failed: ") + e.what(), run.started_wall,
                            milliseconds::zero());
    } catch (...) {
      return unknown_result(check, "check run failed: unknown exception", run.started_wall,
                            milliseconds::zero());
    }
    if (result.check.empty())
      result.check = check.name;
    if (result.plugin.empty())
      result.plugin = check.plugin;
    if (result.pipeline.empty())
      result.pipeline = check.pipeline;
    return result;
  }

  void begin_locked(const std::shared_ptr<Run>& run, Worker& self) {
    run->phase = Run::Phase::Running;
    run->worker = &self;
    const SteadyTime now = clock.steady_now();
    run->started_steady = now;
    run->started_wall = clock.now();
    // A run that waited for a worker still gets its whole timeout. The deadline only moves
    // later, so the timer, which may be sleeping until the old one, never oversleeps. A wait
    // under a millisecond is noise against a timeout and not worth re-indexing the run for.
    const SteadyTime deadline = now + run->check->timeout;
    if (deadline - run->deadline >= milliseconds{1}) {
      deadlines.erase(DeadlineKey{run->deadline, run->seq});
      run->deadline = deadline;
      deadlines.emplace(DeadlineKey{run->deadline, run->seq}, run);
    }
    ++active_runs;
    ++stats.runs_started;
    stats.peak_concurrent_runs = std::max(stats.peak_concurrent_runs, active_runs);
  }

  std::shared_ptr<Run> take_run_locked(Worker& self) {
    std::shared_ptr<Run> run = std::move(ready.front());
    ready.pop_front();
    begin_locked(run, self);
    // Runs queued behind this one get a worker of their own, unless this run is known to be
    // quick: this thread will then be back for them before a sleeping one could even be
    // scheduled, and waking it would cost more than the run. Should the run turn out slow,
    // the queued runs are picked up at the next release or deadline, or when it ends.
    const std::chrono::nanoseconds cost = checks[run->check_index].last_run_cost;
    if (cost < std::chrono::nanoseconds::zero() || cost >= kQuickRun) {
      recruit_worker_locked();
    } else if (has_runnable_locked() && timekeeper_sleeps_until > stranded_rescue_time_locked()) {
      timer_cv.notify_all();  // so that it sleeps no longer than the grace for these runs
    }
    return run;
  }

  // Records the end of a run. Returns false if the run had been abandoned: its result is late,
  // for on_late_result only.
  bool finish_locked(const std::shared_ptr<Run>& run, Worker& self, CheckResult& result,
                     std::chrono::nanoseconds cost, std::vector<CheckResult>& outbox) {
    CheckSlot& slot = checks[run->check_index];
    slot.last_run_cost = cost;
    if (slot.current == run)
      slot.current.reset();
    if (run->phase == Run::Phase::Abandoned) {
      // Already reported as timed out; this thread is an ordinary pool thread again.
      self.abandoned = false;
      --abandoned_runs;
      ++stats.late_results_dropped;
      return false;
    }
    run->phase = Run::Phase::Finished;
    deadlines.erase(DeadlineKey{run->deadline, run->seq});
    --active_runs;
    if (lifecycle == Lifecycle::Stopping && active_runs == 0)
      timer_cv.notify_all();
    complete_locked(*run, std::move(result), outbox);
    return true;
  }

  void worker_loop(Worker& self) {
    std::unique_lock<std::mutex> lock(mu);
    --searching;  // a new thread counts as searching until here
    std::vector<CheckResult> outbox;
    std::shared_ptr<Run> run;
    for (;;) {
      if (!run) {
        if (workers_exit)
          return;
        if (!has_runnable_locked()) {
          idle.push_back(&self);
          self.wake_cv.wait(lock, [&] { return self.woken || workers_exit; });
          if (self.woken) {
            self.woken = false;
            --searching;
          } else {
            std::erase(idle, &self);
          }
          continue;
        }
        run = take_run_locked(self);
      }
      const RunRequest request{run->scheduled_for, run->deadline, &run->cancel};
      unlock_and_wake(lock);
      // The previous run's result goes out here, so finishing one run and taking the next
      // cost one trip through the lock, not two.
      deliver_unlocked(outbox);
      const auto call_start = std::chrono::steady_clock::now();
      CheckResult result = invoke(*run, request);
      const auto cost = std::chrono::steady_clock::now() - call_start;
      lock.lock();

      const bool on_time = finish_locked(run, self, result, cost, outbox);
      run.reset();
      if (!on_time && lifecycle != Lifecycle::Stopped && options.on_late_result) {
        lock.unlock();
        try {
          options.on_late_result(result);
        } catch (...) {
          // As for the sink: a throwing hook must not take the thread down.
        }
        lock.lock();
      }
      if (!workers_exit && has_runnable_locked()) {
        run = take_run_locked(self);
      } else if (!outbox.empty()) {
        lock.unlock();
        deliver_unlocked(outbox);  // before this thread sleeps or exits
        // The run and its result are gone: give their pages back before sleeping.
        heap_release.after_burst(clock.steady_now());
        lock.lock();
      }
    }
  }
};

Scheduler::Scheduler(Clock& clock, SchedulerOptions options, ResultSink sink) {
  if (options.max_workers == 0) {
    throw std::invalid_argument("scheduler: max_workers must be at least 1");
  }
  state_ = std::make_shared<State>(clock, std::move(options), std::move(sink));
}

Scheduler::~Scheduler() {
  stop();
}

namespace {

void require_runnable(const ScheduledCheck& check) {
  if (check.interval <= milliseconds::zero()) {
    throw std::invalid_argument("scheduler: check " + check.name + " needs a positive interval");
  }
  if (check.timeout <= milliseconds::zero()) {
    throw std::invalid_argument("scheduler: check " + check.name + " needs a positive timeout");
  }
  if (!check.run) {
    throw std::invalid_argument("scheduler: check " + check.name + " has no run function");
  }
}

}  // namespace

void Scheduler::add(ScheduledCheck check) {
  require_runnable(check);
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  if (s.lifecycle != State::Lifecycle::Configuring && s.lifecycle != State::Lifecycle::Running) {
    throw std::logic_error("scheduler: add() after stop()");
  }
  if (s.lifecycle == State::Lifecycle::Running &&
      s.find_locked(check.pipeline, check.name) != s.checks.size()) {
    throw std::invalid_argument("scheduler: check " + check.pipeline + "/" + check.name +
                                " is already scheduled");
  }
  State::CheckSlot slot;
  slot.check = std::make_shared<const ScheduledCheck>(std::move(check));
  s.checks.push_back(std::move(slot));
  if (s.lifecycle == State::Lifecycle::Running)
    s.schedule_new_locked(s.checks.size() - 1);
}

bool Scheduler::remove(std::string_view pipeline, std::string_view name) {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  const std::size_t index = s.find_locked(pipeline, name);
  if (index == s.checks.size())
    return false;
  State::CheckSlot& slot = s.checks[index];
  if (s.lifecycle == State::Lifecycle::Running)
    s.unschedule_locked(index);
  slot.removed = true;
  // A run in flight holds its own reference; nothing else needs the check any more.
  slot.check.reset();
  return true;
}

bool Scheduler::replace(ScheduledCheck check) {
  require_runnable(check);
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  const std::size_t index = s.find_locked(check.pipeline, check.name);
  if (index == s.checks.size())
    return false;
  State::CheckSlot& slot = s.checks[index];
  const milliseconds old_interval = slot.check->interval;
  slot.check = std::make_shared<const ScheduledCheck>(std::move(check));
  // The slot, and with it `current`, stays: a run of the old check still in flight makes the
  // new one's due times skip until it ends, so the two never overlap.
  if (s.lifecycle != State::Lifecycle::Running || slot.check->interval == old_interval)
    return true;
  const milliseconds interval = slot.check->interval;
  const SteadyTime now = s.clock.steady_now();
  if (slot.next_due > now + interval) {
    // Shortened: the old due time is further away than the new interval allows.
    s.unschedule_locked(index);
    s.schedule_new_locked(index);
  } else {
    s.timer_slack = std::min(s.timer_slack, interval / 2);
  }
  return true;
}

std::size_t Scheduler::size() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return static_cast<std::size_t>(
      std::count_if(state_->checks.begin(), state_->checks.end(),
                    [](const State::CheckSlot& slot) { return !slot.removed; }));
}

std::optional<Clock::SteadyTime> Scheduler::next_due(std::string_view pipeline,
                                                     std::string_view name) const {
  State& s = *state_;
  std::lock_guard<std::mutex> lock(s.mu);
  const std::size_t index = s.find_locked(pipeline, name);
  if (index == s.checks.size() || s.lifecycle != State::Lifecycle::Running)
    return std::nullopt;
  return s.checks[index].next_due;
}

void Scheduler::start() {
  State& s = *state_;
  std::lock_guard<std::mutex> lifecycle_guard(s.lifecycle_mu);
  {
    std::lock_guard<std::mutex> lock(s.mu);
    if (s.lifecycle != State::Lifecycle::Configuring) {
      throw std::logic_error("scheduler: start() called twice or after stop()");
    }
    const SteadyTime now = s.clock.steady_now();
    s.timer_slack = std::max(s.options.timer_slack, milliseconds::zero());
    for (std::size_t i = 0; i < s.checks.size(); ++i) {
      if (s.checks[i].removed)
        continue;
      const ScheduledCheck& check = *s.checks[i].check;
      s.schedule_locked(now + spread_offset(check.pipeline, check.name, check.interval), i);
      s.timer_slack = std::min(s.timer_slack, check.interval / 2);
    }
    s.lifecycle = State::Lifecycle::Running;
  }
  s.timer_thread = std::thread([state = state_] { state->timer_loop(); });
}

void Scheduler::stop() {
  State& s = *state_;
  std::lock_guard<std::mutex> lifecycle_guard(s.lifecycle_mu);
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.lifecycle == State::Lifecycle::Stopped)
    return;
  if (s.lifecycle == State::Lifecycle::Running) {
    s.lifecycle = State::Lifecycle::Stopping;
    for (const auto& run : s.ready) {
      s.deadlines.erase(State::DeadlineKey{run->deadline, run->seq});
      s.checks[run->check_index].current.reset();
      ++s.stats.not_started_at_stop;
    }
    s.ready.clear();
    // Runs in flight keep their deadline, but a check that polls its cancel flag can wrap up.
    for (const auto& entry : s.deadlines) {
      entry.second->cancel.store(true);
      entry.second->cancel.notify_all();
    }
    s.timer_cv.notify_all();
  }
  lock.unlock();
  // The timer returns once every run in flight has ended or been reported as timed out.
  if (s.timer_thread.joinable())
    s.timer_thread.join();
  lock.lock();
  s.lifecycle = State::Lifecycle::Stopped;
  s.workers_exit = true;
  std::vector<std::thread> to_join;
  for (State::Worker& worker : s.workers) {
    if (!worker.thread.joinable())
      continue;
    if (worker.abandoned) {
      // Stuck in a run nobody can interrupt. It holds a reference to the shared state, so it
      // can return at any time, drop its result and exit without touching the Scheduler.
      worker.thread.detach();
    } else {
      to_join.push_back(std::move(worker.thread));
    }
  }
  for (State::Worker& worker : s.workers)
    worker.wake_cv.notify_all();
  lock.unlock();
  for (std::thread& thread : to_join)
    thread.join();
}

bool Scheduler::run_now(std::string_view pipeline, std::string_view name) {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.lifecycle != State::Lifecycle::Running)
    return false;
  for (std::size_t i = 0; i < s.checks.size(); ++i) {
    State::CheckSlot& slot = s.checks[i];
    if (slot.removed || slot.check->pipeline != pipeline || slot.check->name != name)
      continue;
    if (slot.current)
      return false;
    const SteadyTime now = s.clock.steady_now();
    s.release_locked(i, now, now, s.clock.now(), nullptr);
    s.recruit_worker_locked();
    s.timer_cv.notify_all();  // the timer watches the new run's deadline
    s.unlock_and_wake(lock);
    return true;
  }
  return false;
}

std::vector<CheckResult> Scheduler::run_once() {
  State& s = *state_;
  std::unique_lock<std::mutex> lock(s.mu);
  if (s.lifecycle != State::Lifecycle::Configuring) {
    throw std::logic_error("scheduler: run_once() after start() or stop()");
  }
  auto batch = std::make_shared<State::OnceBatch>();
  batch->results.resize(s.checks.size());
  const SteadyTime released_at = s.clock.steady_now();
  const sdk::TimePoint wall_now = s.clock.now();
  for (std::size_t i = 0; i < s.checks.size(); ++i) {
    if (s.checks[i].removed) {
      batch->results[i] = CheckResult{};  // dropped below: removed checks do not run
    } else if (s.checks[i].current) {
      // Still hung from an earlier run_once(): never two runs of one check.
      ++s.stats.skipped_in_flight;
      batch->results[i] = s.skip_result(s.checks[i], wall_now);
    } else {
      s.release_locked(i, released_at, released_at, wall_now, batch);
      ++batch->outstanding;
    }
  }
  s.recruit_worker_locked();

  // This thread keeps time for the batch as the timer thread would. Results go into the batch,
  // so the outbox stays empty.
  std::vector<CheckResult> outbox;
  for (;;) {
    const SteadyTime now = s.clock.steady_now();
    s.expire_deadlines_locked(now, outbox);
    const SteadyTime rescue_at = s.rescue_stranded_runs_locked(now);
    if (s.wake_pending != nullptr) {
      s.unlock_and_wake(lock);
      lock.lock();
      continue;
    }
    if (batch->outstanding == 0)
      break;
    const SteadyTime wake =
        s.deadlines.empty() ? rescue_at : std::min(rescue_at, s.deadlines.begin()->first.first);
    s.timekeeper_sleeps_until = wake;
    s.clock.wait_until(lock, s.timer_cv, wake);
    s.timekeeper_sleeps_until = SteadyTime::min();
  }
  std::vector<CheckResult> results;
  results.reserve(batch->results.size());
  for (std::size_t i = 0; i < batch->results.size(); ++i) {
    if (!s.checks[i].removed)
      results.push_back(std::move(*batch->results[i]));
  }
  return results;
}

SchedulerStats Scheduler::stats() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  SchedulerStats copy = state_->stats;
  copy.abandoned_runs = state_->abandoned_runs;
  copy.worker_threads = state_->workers.size();
  return copy;
}

}  // namespace vigil::core
