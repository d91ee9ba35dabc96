// ActionDispatcher on a FakeClock: retries with doubling backoff, batching of notifications,
// lanes that do not wait for each other, and the journal written around every job. Actions
// here are real sdk::ActionRunner implementations that record what they were given.
#include "core/actions/action_dispatcher.hpp"

#include <gtest/gtest.h>

#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "core/time/clock.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;

// Records events; fails the first `failures` attempts; can be held until released.
class RecordingAction final : public sdk::ActionRunner {
 public:
  explicit RecordingAction(int failures = 0) : failures_(failures) {}
  sdk::ActionOutcome execute(const sdk::Event& event, sdk::Context& ctx) noexcept override {
    std::unique_lock<std::mutex> lock(mu_);
    events_.push_back(event);
    deadlines_.push_back(ctx.deadline());
    cv_.notify_all();
    cv_.wait(lock, [this] { return !held_; });
    if (attempts_++ < failures_)
      return sdk::ActionOutcome::failure("HTTP 500 from the test");
    return sdk::ActionOutcome::success("delivered");
  }
  void hold() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = true;
  }
  void release() {
    std::lock_guard<std::mutex> lock(mu_);
    held_ = false;
    cv_.notify_all();
  }
  void await_calls(std::size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [&] { return events_.size() >= n; });
  }
  std::vector<sdk::Event> events() const {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  std::vector<sdk::TimePoint> deadlines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return deadlines_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<sdk::Event> events_;
  std::vector<sdk::TimePoint> deadlines_;
  int failures_;
  int attempts_ = 0;
  bool held_ = false;
};

// Forwards to a RecordingAction the test keeps.
class Forwarding final : public sdk::ActionRunner {
 public:
  explicit Forwarding(RecordingAction* target) : target_(target) {}
  sdk::ActionOutcome execute(const sdk::Event& e, sdk::Context& ctx) noexcept override {
    return target_->execute(e, ctx);
  }

 private:
  RecordingAction* target_;
};

class MemoryJournal final : public ActionJournal {
 public:
  std::int64_t begin(const ActionConfig& action, const ActionJob& job, sdk::TimePoint at) override {
    std::lock_guard<std::mutex> lock(mu);
    begun.push_back(action.name + " " + job.trigger + " @" +
                    std::to_string(at.time_since_epoch().count()));
    return static_cast<std::int64_t>(begun.size());
  }
  void finish(std::int64_t id, const ActionResult& r) override {
    std::lock_guard<std::mutex> lock(mu);
    finished.emplace_back(id, r);
  }
  std::mutex mu;
  std::vector<std::string> begun;
  std::vector<std::pair<std::int64_t, ActionResult>> finished;
};

ActionConfig action_config(const std::string& name, int retries = 0,
                           std::chrono::milliseconds backoff = 1s) {
  ActionConfig c;
  c.name = name;
  c.plugin = "test";
  c.retries = retries;
  c.retry_backoff = backoff;
  c.timeout = 10s;
  return c;
}

sdk::Event firing(const std::string& rule) {
  sdk::Event e;
  e.kind = "firing";
  e.rule = rule;
  e.severity = "critical";
  e.status = sdk::Status::Critical;
  e.summary = rule + ": broken";
  e.labels["pipeline"] = "genesis";
  return e;
}

ActionJob job(const std::string& action, sdk::Event e, const std::string& trigger,
              bool groupable = true) {
  ActionJob j;
  j.action = action;
  j.event = std::move(e);
  j.trigger = trigger;
  j.groupable = groupable;
  return j;
}

TEST(ActionDispatcher, RetriesWithDoublingBackoffOnTheInjectedClock) {
  FakeClock clock;
  MemoryJournal journal;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, &journal, options);
  RecordingAction target(/*failures=*/2);
  const ActionConfig cfg = action_config("slack", /*retries=*/3, /*backoff=*/1s);
  dispatcher.add(cfg, std::make_unique<Forwarding>(&target));
  dispatcher.start();
  std::promise<ActionResult> done;
  ActionJob j = job("slack", firing("error-rate"), "notify:error-rate");
  j.done = [&done](const ActionResult& r) { done.set_value(r); };
  dispatcher.submit(std::move(j));

  target.await_calls(1);
  clock.await_sleepers(1);  // backing off 1s after the first failure
  EXPECT_EQ(clock.earliest_wakeup(), clock.steady_now() + 1s);
  clock.advance(1s);
  target.await_calls(2);
  clock.await_sleepers(1);  // then 2s
  EXPECT_EQ(clock.earliest_wakeup(), clock.steady_now() + 2s);
  clock.advance(2s);
  const ActionResult r = done.get_future().get();
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(r.message, "delivered");
  EXPECT_EQ(target.events().size(), 3u);
  dispatcher.wait_idle();
  ASSERT_EQ(journal.begun.size(), 1u);
  ASSERT_EQ(journal.finished.size(), 1u);
  EXPECT_EQ(journal.finished[0].second.attempts, 3);
  EXPECT_EQ(dispatcher.stats().executed, 3u);
}

TEST(ActionDispatcher, GivesUpAfterItsRetriesAndSaysWhy) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, nullptr, options);
  RecordingAction target(/*failures=*/100);
  const ActionConfig cfg = action_config("pager", /*retries=*/1, 500ms);
  dispatcher.add(cfg, std::make_unique<Forwarding>(&target));
  dispatcher.start();
  std::promise<ActionResult> done;
  ActionJob j = job("pager", firing("down"), "notify:down");
  j.done = [&done](const ActionResult& r) { done.set_value(r); };
  dispatcher.submit(std::move(j));
  target.await_calls(1);
  clock.await_sleepers(1);
  clock.advance(500ms);
  const ActionResult r = done.get_future().get();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.attempts, 2);
  EXPECT_EQ(r.message, "HTTP 500 from the test");
  EXPECT_EQ(dispatcher.stats().failed, 1u);
}

TEST(ActionDispatcher, ASlowTargetDoesNotDelayAnother) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, nullptr, options);
  RecordingAction slow, fast;
  const ActionConfig slow_cfg = action_config("slow-webhook");
  const ActionConfig fast_cfg = action_config("pagerduty");
  dispatcher.add(slow_cfg, std::make_unique<Forwarding>(&slow));
  dispatcher.add(fast_cfg, std::make_unique<Forwarding>(&fast));
  dispatcher.start();
  slow.hold();
  dispatcher.submit(job("slow-webhook", firing("a"), "notify:a"));
  slow.await_calls(1);  // now stuck inside execute
  std::promise<void> fast_done;
  ActionJob j = job("pagerduty", firing("a"), "notify:a");
  j.done = [&fast_done](const ActionResult&) { fast_done.set_value(); };
  dispatcher.submit(std::move(j));
  fast_done.get_future().get();  // completes while the slow one is still held
  EXPECT_EQ(fast.events().size(), 1u);
  slow.release();
  dispatcher.wait_idle();
}

// A reload replaces an action while a job of it is in flight: that job finishes on the old
// runner, the queued one runs on the new runner, and never both at once.
TEST(ActionDispatcher, AReplacedActionFinishesItsJobInFlightThenTheNewOneTakesOver) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, nullptr, options);
  RecordingAction old_runner, new_runner;
  const ActionConfig old_cfg = action_config("webhook");
  const ActionConfig new_cfg = action_config("webhook", 2);
  dispatcher.add(old_cfg, std::make_unique<Forwarding>(&old_runner));
  dispatcher.start();
  old_runner.hold();
  dispatcher.submit(job("webhook", firing("a"), "notify:a", false));
  old_runner.await_calls(1);                                          // in flight
  dispatcher.submit(job("webhook", firing("b"), "notify:b", false));  // queued behind it

  dispatcher.add(new_cfg, std::make_unique<Forwarding>(&new_runner));
  dispatcher.submit(job("webhook", firing("c"), "notify:c", false));
  EXPECT_TRUE(new_runner.events().empty());  // waits for the old lane's job
  old_runner.release();
  dispatcher.wait_idle();
  ASSERT_EQ(old_runner.events().size(), 1u);
  EXPECT_EQ(old_runner.events()[0].rule, "a");
  ASSERT_EQ(new_runner.events().size(), 2u);
  EXPECT_EQ(new_runner.events()[0].rule, "b");
  EXPECT_EQ(new_runner.events()[1].rule, "c");
  EXPECT_TRUE(dispatcher.has("webhook"));
  dispatcher.stop();
}

TEST(ActionDispatcher, ARemovedActionRunsWhatItWasGivenAndRefusesNewJobs) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, nullptr, options);
  RecordingAction runner;
  const ActionConfig cfg = action_config("webhook");
  dispatcher.add(cfg, std::make_unique<Forwarding>(&runner));
  dispatcher.start();
  runner.hold();
  dispatcher.submit(job("webhook", firing("a"), "notify:a", false));
  runner.await_calls(1);
  dispatcher.submit(job("webhook", firing("b"), "notify:b", false));

  EXPECT_TRUE(dispatcher.remove("webhook"));
  EXPECT_FALSE(dispatcher.remove("webhook"));
  EXPECT_FALSE(dispatcher.has("webhook"));
  std::promise<ActionResult> refused;
  ActionJob late = job("webhook", firing("c"), "notify:c", false);
  late.done = [&refused](const ActionResult& r) { refused.set_value(r); };
  dispatcher.submit(std::move(late));
  const ActionResult r = refused.get_future().get();
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.message, "no action named 'webhook'");

  runner.release();
  dispatcher.wait_idle();
  ASSERT_EQ(runner.events().size(), 2u);
  EXPECT_EQ(runner.events()[1].rule, "b");
  dispatcher.stop();
}

TEST(ActionDispatcher, AnActionAddedWhileRunningStartsAtOnce) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, nullptr, options);
  dispatcher.start();
  RecordingAction runner;
  const ActionConfig cfg = action_config("pagerduty");
  dispatcher.add(cfg, std::make_unique<Forwarding>(&runner));
  dispatcher.submit(job("pagerduty", firing("a"), "notify:a"));
  dispatcher.wait_idle();
  EXPECT_EQ(runner.events().size(), 1u);
  dispatcher.stop();
  EXPECT_THROW(dispatcher.add(cfg, std::make_unique<Forwarding>(&runner)), std::logic_error);
}

TEST(ActionDispatcher, NotificationsQueuedTogetherGoOutAsOneGroup) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 2s;
  ActionDispatcher dispatcher(clock, nullptr, options);
  RecordingAction target;
  const ActionConfig cfg = action_config("slack");
  dispatcher.add(cfg, std::make_unique<Forwarding>(&target));
  dispatcher.start();
  dispatcher.submit(job("slack", firing("error-rate"), "notify:error-rate"));
  clock.await_sleepers(1);  // the lane waits group_wait for company
  dispatcher.submit(job("slack", firing("p95-latency"), "notify:p95-latency"));
  sdk::Event resolved = firing("pass-rate");
  resolved.kind = "resolved";
  dispatcher.submit(job("slack", resolved, "notify:pass-rate"));
  // A remediation step is never folded into a notification batch.
  dispatcher.submit(job("slack", firing("restart"), "rule:restart:step1", /*groupable=*/false));
  clock.advance(2s);
  target.await_calls(2);
  dispatcher.wait_idle();
  const auto events = target.events();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].kind, "group");
  ASSERT_EQ(events[0].group.size(), 3u);
  EXPECT_EQ(events[0].group[0].rule, "error-rate");
  EXPECT_EQ(events[0].group[2].kind, "resolved");
  EXPECT_EQ(events[0].summary, "3 alerts in genesis: 2 firing, 1 resolved");
  EXPECT_EQ(events[1].kind, "firing");
  EXPECT_EQ(events[1].rule, "restart");
  EXPECT_EQ(dispatcher.stats().grouped, 2u);
}

TEST(ActionDispatcher, TheActionGetsItsTimeoutAsDeadline) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  ActionDispatcher dispatcher(clock, nullptr, options);
  RecordingAction target;
  ActionConfig cfg = action_config("rollback");
  cfg.timeout = 90s;
  dispatcher.add(cfg, std::make_unique<Forwarding>(&target));
  dispatcher.start();
  dispatcher.submit(job("rollback", firing("x"), "rule:x:step2", false));
  target.await_calls(1);
  dispatcher.wait_idle();
  EXPECT_EQ(target.deadlines().at(0), clock.now() + 90s);
}

TEST(ActionDispatcher, AnUnknownActionIsReportedNotThrown) {
  FakeClock clock;
  ActionDispatcher dispatcher(clock, nullptr);
  dispatcher.start();
  std::optional<ActionResult> result;
  ActionJob j = job("nope", firing("x"), "notify:x");
  j.done = [&result](const ActionResult& r) { result = r; };
  dispatcher.submit(std::move(j));
  ASSERT_TRUE(result.has_value());
  EXPECT_FALSE(result->ok);
  EXPECT_EQ(result->message, "no action named 'nope'");
}

TEST(ActionDispatcher, StopAbandonsAHungActionAfterTheGrace) {
  FakeClock clock;
  DispatcherOptions options;
  options.group_wait = 0ms;
  options.stop_grace = 50ms;  // real time: it bounds how long shutdown may take
  // The abandoned lane stays blocked inside the action until the process exits, as a hung
  // plugin would; what it uses must outlive every destructor, as config does in vigil.
  auto* target = new RecordingAction;
  const auto* cfg = new ActionConfig(action_config("hangs"));
  ActionDispatcher dispatcher(clock, nullptr, options);
  dispatcher.add(*cfg, std::make_unique<Forwarding>(target));
  dispatcher.start();
  target->hold();
  dispatcher.submit(job("hangs", firing("x"), "notify:x"));
  target->await_calls(1);
  dispatcher.stop();  // returns although the action is still inside execute
  EXPECT_EQ(dispatcher.stats().succeeded, 0u);
}

}  // namespace
}  // namespace vigil::core
