#include "core/actions/action_dispatcher.hpp"

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <thread>

#include "core/execution/check_instance.hpp"
#include "core/execution/run_context.hpp"
#include "core/log/logging.hpp"

namespace vigil::core {

namespace {

bool is_notification(const sdk::Event& e) {
  return e.kind == "firing" || e.kind == "resolved" || e.kind == "reminder";
}

// "3 alerts in genesis: 2 firing, 1 resolved"
sdk::Event group_header(const std::vector<sdk::Event>& events) {
  sdk::Event head;
  head.kind = "group";
  int firing = 0;
  int resolved = 0;
  int reminders = 0;
  std::string pipeline;
  bool one_pipeline = true;
  sdk::Status worst = sdk::Status::Ok;
  for (const auto& e : events) {
    firing += e.kind == "firing" ? 1 : 0;
    resolved += e.kind == "resolved" ? 1 : 0;
    reminders += e.kind == "reminder" ? 1 : 0;
    worst = sdk::worst(worst, e.status);
    auto it = e.labels.find("pipeline");
    const std::string p = it == e.labels.end() ? std::string() : it->second;
    if (&e == &events.front())
      pipeline = p;
    else if (p != pipeline)
      one_pipeline = false;
  }
  std::string summary = std::to_string(events.size()) + " alerts";
  if (one_pipeline && !pipeline.empty())
    summary += " in " + pipeline;
  std::string parts;
  auto add = [&parts](int n, const char* what) {
    if (n == 0)
      return;
    if (!parts.empty())
      parts += ", ";
    parts += std::to_string(n) + " " + what;
  };
  add(firing, "firing");
  add(reminders, "still firing");
  add(resolved, "resolved");
  head.summary = summary + ": " + parts;
  head.status = worst;
  head.severity = events.front().severity;
  head.deployment = events.front().deployment;
  head.starts_at = events.front().starts_at;
  if (one_pipeline && !pipeline.empty())
    head.labels["pipeline"] = pipeline;
  head.group = events;
  return head;
}

}  // namespace

struct ActionDispatcher::Lane {
  const ActionConfig* config = nullptr;
  std::unique_ptr<sdk::ActionRunner> runner;
  MemoryStateStore state;  // an action's own key/value state, per lane
  struct Queued {
    ActionJob job;
    Clock::SteadyTime enqueued;
  };
  std::deque<Queued> queue;  // guarded by Shared::mu
  bool busy = false;
  std::thread thread;
  bool joined = false;
  // Replaced or removed by a reload: finishes what it holds, then its thread ends.
  bool retired = false;
  // The lane this one replaced, while it still runs a job: this lane waits for it, so an
  // action never runs twice at once across a reload.
  std::shared_ptr<Lane> predecessor;
};

struct ActionDispatcher::Shared {
  Shared(Clock& c, ActionJournal* j, DispatcherOptions o) : clock(c), journal(j), options(o) {}
  Clock& clock;
  ActionJournal* journal;
  DispatcherOptions options;
  mutable std::mutex mu;
  std::condition_variable cv;       // lanes wait on it for work, backoff and group_wait
  std::condition_variable idle_cv;  // wait_idle() waits on it
  std::map<std::string, std::shared_ptr<Lane>> lanes;
  std::vector<std::shared_ptr<Lane>> retired;  // joined at stop()
  bool started = false;
  bool stopping = false;
  std::atomic<bool> cancel{false};  // set when stop_grace has run out
  DispatcherStats stats;

  bool all_idle() const {
    for (const auto& [name, lane] : lanes) {
      if (lane->busy || !lane->queue.empty())
        return false;
    }
    for (const auto& lane : retired) {
      if (lane->busy || !lane->queue.empty())
        return false;
    }
    return true;
  }

  void start_thread(const std::shared_ptr<Lane>& lane, const std::shared_ptr<Shared>& self) {
    lane->thread = std::thread([self, lane] { self->run_lane(lane); });
  }

  // Whether the lane must keep waiting before it takes its next job (or exits).
  bool lane_waits(const Lane& lane) const {
    if (lane.queue.empty())
      return !stopping && !lane.retired;
    return lane.predecessor && lane.predecessor->busy && !cancel.load();
  }

  // Runs on the lane's thread until stopping and its queue is empty.
  void run_lane(const std::shared_ptr<Lane>& lane);
  ActionResult execute(Lane& lane, const ActionJob& job, std::unique_lock<std::mutex>& lock);
};

ActionResult ActionDispatcher::Shared::execute(Lane& lane, const ActionJob& job,
                                               std::unique_lock<std::mutex>& lock) {
  const ActionConfig& cfg = *lane.config;
  ActionResult result;
  result.action = cfg.name;
  result.trigger = job.trigger;
  result.started = clock.now();
  std::int64_t record = -1;
  lock.unlock();
  if (journal != nullptr) {
    try {
      record = journal->begin(cfg, job, result.started);
    } catch (const std::exception& e) {
      logger()->error("action {}: could not record its start: {}", cfg.name, e.what());
    }
  }
  auto log = logger();
  log->info("action {} ({}) for {}: starting", cfg.name, cfg.plugin, job.trigger);
  const int max_attempts = 1 + std::max(0, cfg.retries);
  std::chrono::milliseconds backoff = cfg.retry_backoff;
  for (int attempt = 1; attempt <= max_attempts; ++attempt) {
    result.attempts = attempt;
    const sdk::TimePoint deadline = clock.now() + cfg.timeout;
    RunContext ctx(cfg.name, clock, lane.state, deadline, &cancel);
    const sdk::ActionOutcome outcome = lane.runner->execute(job.event, ctx);
    lock.lock();
    ++stats.executed;
    lock.unlock();
    result.ok = outcome.ok;
    result.message = outcome.message;
    if (outcome.ok)
      break;
    log->warn("action {} for {}: attempt {}/{} failed: {}", cfg.name, job.trigger, attempt,
              max_attempts, outcome.message);
    if (attempt == max_attempts)
      break;
    // Backoff, cut short only when vigil is stopping and its grace has run out.
    lock.lock();
    const Clock::SteadyTime until = clock.steady_now() + backoff;
    while (!cancel.load() && clock.steady_now() < until)
      clock.wait_until(lock, cv, until);
    const bool give_up = cancel.load();
    lock.unlock();
    if (give_up)
      break;
    backoff *= 2;
  }
  result.finished = clock.now();
  if (result.ok) {
    log->info("action {} for {}: ok{}{}", cfg.name, job.trigger, result.message.empty() ? "" : ": ",
              result.message);
  } else {
    log->error("action {} for {}: failed after {} attempt{}: {}", cfg.name, job.trigger,
               result.attempts, result.attempts == 1 ? "" : "s", result.message);
  }
  if (journal != nullptr && record >= 0) {
    try {
      journal->finish(record, result);
    } catch (const std::exception& e) {
      log->error("action {}: could not record its outcome: {}", cfg.name, e.what());
    }
  }
  lock.lock();
  if (result.ok)
    ++stats.succeeded;
  else
    ++stats.failed;
  return result;
}

void ActionDispatcher::Shared::run_lane(const std::shared_ptr<Lane>& lane) {
  std::unique_lock<std::mutex> lock(mu);
  for (;;) {
    while (lane_waits(*lane))
      clock.wait_until(lock, cv, Clock::SteadyTime::max());
    if (lane->queue.empty())
      return;                   // stopping or retired, nothing left
    lane->predecessor.reset();  // done with its job: no longer needed
    if (cancel.load()) {
      stats.dropped_at_stop += lane->queue.size();
      logger()->error("action {}: {} queued job{} dropped: vigil is stopping", lane->config->name,
                      lane->queue.size(), lane->queue.size() == 1 ? "" : "s");
      lane->queue.clear();
      idle_cv.notify_all();
      return;
    }
    // A notification waits group_wait for others to join its batch.
    if (lane->queue.front().job.groupable && options.group_wait.count() > 0 && !stopping) {
      const Clock::SteadyTime until = lane->queue.front().enqueued + options.group_wait;
      while (!stopping && clock.steady_now() < until)
        clock.wait_until(lock, cv, until);
    }
    std::vector<ActionJob> batch;
    batch.push_back(std::move(lane->queue.front().job));
    lane->queue.pop_front();
    if (batch.front().groupable) {
      for (auto it = lane->queue.begin(); it != lane->queue.end();) {
        if (it->job.groupable) {
          batch.push_back(std::move(it->job));
          it = lane->queue.erase(it);
        } else {
          ++it;
        }
      }
    }
    lane->busy = true;
    ActionJob job;
    if (batch.size() == 1) {
      job = batch.front();  // a copy: the batch keeps its done callback
    } else {
      std::vector<sdk::Event> events;
      std::string triggers;
      for (auto& b : batch) {
        events.push_back(b.event);
        triggers += (triggers.empty() ? "" : ",") + b.trigger;
      }
      stats.grouped += batch.size() - 1;
      job.action = batch.front().action;
      job.event = group_header(events);
      job.trigger = "group:" + triggers;
      job.groupable = true;
    }
    ActionResult result = execute(*lane, job, lock);
    for (auto& b : batch)
      result.triggers.push_back(b.trigger);
    lock.unlock();
    for (auto& b : batch) {
      if (b.done) {
        ActionResult own = result;
        own.trigger = b.trigger;
        b.done(own);
      }
    }
    lock.lock();
    lane->busy = false;
    idle_cv.notify_all();
    cv.notify_all();  // a lane that replaced this one may be waiting for it
  }
}

ActionDispatcher::ActionDispatcher(Clock& clock, ActionJournal* journal, DispatcherOptions options)
    : shared_(std::make_shared<Shared>(clock, journal, options)) {}

ActionDispatcher::~ActionDispatcher() {
  stop();
}

void ActionDispatcher::add(const ActionConfig& config, std::unique_ptr<sdk::ActionRunner> runner) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->stopping)
    throw std::logic_error("ActionDispatcher::add after stop");
  auto lane = std::make_shared<Lane>();
  lane->config = &config;
  lane->runner = std::move(runner);
  if (auto old = shared_->lanes.find(config.name); old != shared_->lanes.end()) {
    // Jobs not yet started run on the new lane, with the new configuration; the job in
    // flight finishes on the old one first.
    lane->queue.swap(old->second->queue);
    if (old->second->busy)
      lane->predecessor = old->second;
    old->second->retired = true;
    if (old->second->thread.joinable())
      shared_->retired.push_back(old->second);
    old->second = lane;
    shared_->cv.notify_all();
  } else {
    shared_->lanes.emplace(config.name, lane);
  }
  if (shared_->started)
    shared_->start_thread(lane, shared_);
}

bool ActionDispatcher::remove(const std::string& action) {
  std::lock_guard<std::mutex> lock(shared_->mu);
  auto it = shared_->lanes.find(action);
  if (it == shared_->lanes.end())
    return false;
  it->second->retired = true;
  if (it->second->thread.joinable())
    shared_->retired.push_back(it->second);
  shared_->lanes.erase(it);
  shared_->cv.notify_all();
  return true;
}

bool ActionDispatcher::has(const std::string& action) const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->lanes.count(action) != 0;
}

void ActionDispatcher::start() {
  std::lock_guard<std::mutex> lock(shared_->mu);
  if (shared_->started)
    return;
  shared_->started = true;
  for (auto& [name, lane] : shared_->lanes)
    shared_->start_thread(lane, shared_);
}

void ActionDispatcher::submit(ActionJob job) {
  std::unique_lock<std::mutex> lock(shared_->mu);
  ++shared_->stats.submitted;
  auto it = shared_->lanes.find(job.action);
  if (it == shared_->lanes.end() || shared_->stopping) {
    const std::string why =
        shared_->stopping ? "vigil is stopping" : "no action named '" + job.action + "'";
    lock.unlock();
    logger()->error("action {} for {}: not run: {}", job.action, job.trigger, why);
    if (job.done) {
      ActionResult r;
      r.action = job.action;
      r.trigger = job.trigger;
      r.message = why;
      r.started = r.finished = shared_->clock.now();
      job.done(r);
    }
    return;
  }
  job.groupable = job.groupable && is_notification(job.event);
  it->second->queue.push_back({std::move(job), shared_->clock.steady_now()});
  shared_->cv.notify_all();
}

void ActionDispatcher::wait_idle() {
  std::unique_lock<std::mutex> lock(shared_->mu);
  shared_->idle_cv.wait(lock, [this] { return shared_->all_idle(); });
}

void ActionDispatcher::stop() {
  std::unique_lock<std::mutex> lock(shared_->mu);
  if (shared_->stopping && shared_->lanes.empty() && shared_->retired.empty())
    return;
  shared_->stopping = true;
  shared_->cv.notify_all();
  // The grace period is real time on purpose: it bounds how long shutdown takes.
  const bool drained = shared_->idle_cv.wait_for(lock, shared_->options.stop_grace,
                                                 [this] { return shared_->all_idle(); });
  if (!drained) {
    shared_->cancel.store(true);
    shared_->cv.notify_all();
  }
  std::map<std::string, std::shared_ptr<Lane>> lanes;
  lanes.swap(shared_->lanes);
  std::vector<std::shared_ptr<Lane>> retired;
  retired.swap(shared_->retired);
  lock.unlock();
  for (auto& lane : retired) {
    if (!lane->thread.joinable())
      continue;
    if (drained)
      lane->thread.join();
    else
      lane->thread.detach();
  }
  for (auto& [name, lane] : lanes) {
    if (!lane->thread.joinable())
      continue;
    if (drained) {
      lane->thread.join();
    } else {
      // A hung action keeps its thread; it holds the shared state it needs.
      logger()->error("action {}: still running at shutdown; abandoned", name);
      lane->thread.detach();
    }
  }
}

DispatcherStats ActionDispatcher::stats() const {
  std::lock_guard<std::mutex> lock(shared_->mu);
  return shared_->stats;
}

}  // namespace vigil::core
