// AlertEngine end to end below the CLI: real rule evaluators, a real state database in a
// temporary directory, a real dispatcher on a FakeClock; the actions are recorders, so each
// test sees exactly which notifications and steps ran, and when.
#include "core/alerting/alert_engine.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <condition_variable>
#include <filesystem>
#include <mutex>

#include "core/actions/database_action_journal.hpp"
#include "core/time/clock.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-engine-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// What every recorder saw, in order: "slack firing error-rate", "rollback rollback ...".
struct Tape {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::string> entries;
  std::vector<sdk::Event> events;
  bool fail_rollback = false;
  void add(const std::string& action, const sdk::Event& e) {
    std::lock_guard<std::mutex> lock(mu);
    entries.push_back(action + " " + e.kind + " " + e.rule);
    events.push_back(e);
    cv.notify_all();
  }
  std::vector<std::string> snapshot() {
    std::lock_guard<std::mutex> lock(mu);
    return entries;
  }
};

class Recorder final : public sdk::ActionRunner {
 public:
  Recorder(std::string name, Tape& tape) : name_(std::move(name)), tape_(tape) {}
  sdk::ActionOutcome execute(const sdk::Event& e, sdk::Context&) noexcept override {
    tape_.add(name_, e);
    if (name_ == "rollback" && tape_.fail_rollback)
      return sdk::ActionOutcome::failure("kubectl rollout undo: exit 1");
    return sdk::ActionOutcome::success();
  }

 private:
  std::string name_;
  Tape& tape_;
};

sdk::Options rollback_options(std::vector<std::string> verify) {
  sdk::Options o;
  o.set("command", sdk::OptionValue(sdk::ScalarList{sdk::Scalar(std::string("/bin/true"))}));
  sdk::ScalarList v;
  for (auto& c : verify)
    v.emplace_back(std::move(c));
  o.set("verify", sdk::OptionValue(v));
  o.set("verify_within", sdk::OptionValue(sdk::Scalar(std::chrono::milliseconds(10min))));
  o.set("verify_interval", sdk::OptionValue(sdk::Scalar(std::chrono::milliseconds(30s))));
  return o;
}

// The seed's shape: error rate critical for 2 minutes -> notify and restart at once, roll back
// if still firing 2 minutes later; rollback verified by re-running the api check.
Config seed_config() {
  Config c;
  PipelineConfig p;
  p.name = "genesis";
  for (const char* name : {"error-rate", "api"}) {
    CheckConfig check;
    check.name = name;
    check.pipeline = "genesis";
    check.plugin = "noop";
    p.checks.push_back(check);
  }
  c.pipelines.push_back(p);
  for (const char* name : {"slack", "restart"}) {
    ActionConfig a;
    a.name = name;
    a.plugin = std::string(name) == "slack" ? "webhook" : "command";
    a.retries = 0;
    c.actions.push_back(a);
  }
  ActionConfig rb;
  rb.name = "rollback";
  rb.plugin = "rollback";
  rb.retries = 0;
  rb.options = rollback_options({"api"});
  c.actions.push_back(rb);

  RuleConfig r;
  r.name = "error-rate-critical";
  r.pipeline = "genesis";
  r.check = "error-rate";
  r.when.subject = RuleCondition::Subject::Metric;
  r.when.metric = "error_rate";
  r.when.op = RuleCondition::Op::Greater;
  r.when.value = 1;
  r.when.text = "error_rate > 1";
  r.severity = Severity::Critical;
  r.for_duration = 2min;
  r.labels = {{"alertname", "error-rate-critical"},
              {"severity", "critical"},
              {"pipeline", "genesis"},
              {"check", "error-rate"}};
  r.notify = {"slack"};
  r.repeat_interval = 30min;
  r.escalation.push_back({0s, {"restart"}, {}});
  r.escalation.push_back({2min, {"rollback"}, {}});
  c.rules.push_back(r);
  return c;
}

CheckResult result(const std::string& check, sdk::TimePoint at, sdk::Status status,
                   std::optional<double> error_rate = std::nullopt) {
  CheckResult r;
  r.check = check;
  r.pipeline = "genesis";
  r.plugin = "noop";
  r.status = status;
  r.summary = std::string(sdk::to_string(status));
  r.started = at;
  if (error_rate)
    r.metrics.push_back(sdk::Metric{"error_rate", *error_rate});
  return r;
}

struct Harness {
  explicit Harness(const Config& c, const fs::path& dir, Tape& tape, bool fresh = true)
      : config(c), db(StateDatabase::open(dir)) {
    DispatcherOptions options;
    options.group_wait = 0ms;
    journal = std::make_unique<DatabaseActionJournal>(*db, "");
    dispatcher = std::make_unique<ActionDispatcher>(clock, journal.get(), options);
    for (const auto& a : config.actions)
      dispatcher->add(a, std::make_unique<Recorder>(a.name, tape));
    dispatcher->start();
    AlertEngineHooks hooks;
    hooks.run_check_now = [this](const std::string&, const std::string& check) {
      std::lock_guard<std::mutex> lock(mu);
      reruns.push_back(check);
    };
    engine = std::make_unique<AlertEngine>(config, clock, *db, *dispatcher, hooks);
    engine->restore(clock.now(), "", fresh);
  }
  ~Harness() { dispatcher->stop(); }
  // Feeds a result, then lets the dispatcher finish whatever it caused.
  void feed(const CheckResult& r) {
    engine->on_result(r);
    dispatcher->wait_idle();
  }
  void advance_and_tick(std::chrono::milliseconds by) {
    clock.advance(by);
    engine->tick();
    dispatcher->wait_idle();
  }
  std::vector<std::string> reran() {
    std::lock_guard<std::mutex> lock(mu);
    return reruns;
  }
  const Config& config;
  FakeClock clock;
  std::unique_ptr<StateDatabase> db;
  std::unique_ptr<DatabaseActionJournal> journal;
  std::unique_ptr<ActionDispatcher> dispatcher;
  std::unique_ptr<AlertEngine> engine;
  std::mutex mu;
  std::vector<std::string> reruns;
};

TEST(AlertEngine, FiresAfterForThenNotifiesAndClimbsTheLadderOnce) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  Harness h(config, dir.path(), tape);
  const auto t0 = h.clock.now();
  h.feed(result("error-rate", t0, sdk::Status::Critical, 2.5));
  h.clock.advance(1min);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 2.5));
  EXPECT_TRUE(tape.snapshot().empty());  // pending: 1 minute of 2
  h.clock.advance(1min);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 2.5));
  auto first = tape.snapshot();
  std::sort(first.begin(), first.end());  // lanes run side by side: order is theirs
  EXPECT_EQ(first, (std::vector<std::string>{"restart firing error-rate-critical",
                                             "slack firing error-rate-critical"}));
  // Still firing 1 minute later: nothing new. At 2 minutes: the rollback, once.
  h.advance_and_tick(1min);
  EXPECT_EQ(tape.snapshot().size(), 2u);
  h.advance_and_tick(1min);
  h.advance_and_tick(1min);
  const auto entries = tape.snapshot();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2], "rollback rollback error-rate-critical");
  EXPECT_TRUE(h.engine->rollback_started());
  EXPECT_FALSE(h.engine->rollback_settled());  // verification still open
  ASSERT_FALSE(h.reran().empty());             // verification re-runs the api check at once
  EXPECT_EQ(h.reran()[0], "api");

  // The transitions are in the database with their times.
  const auto transitions = h.db->transitions();
  ASSERT_GE(transitions.size(), 2u);
  EXPECT_EQ(transitions[0].to, "pending");
  EXPECT_EQ(transitions[0].at, t0);
  EXPECT_EQ(transitions[1].to, "firing");
  EXPECT_EQ(transitions[1].at, t0 + 2min);
}

TEST(AlertEngine, RollbackIsVerifiedByTheNamedChecksPassingAfterIt) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  h.advance_and_tick(1min);  // firing since 2m; rollback due at 4m
  h.advance_and_tick(0ms);
  ASSERT_TRUE(h.engine->rollback_started());
  // A result from before the rollback finished does not verify it.
  h.feed(result("api", h.clock.now() - 1s, sdk::Status::Ok));
  EXPECT_FALSE(h.engine->rollback_settled());
  h.clock.advance(10s);
  h.feed(result("api", h.clock.now(), sdk::Status::Ok));
  EXPECT_TRUE(h.engine->rollback_settled());
  bool verified = false;
  for (const auto& a : h.db->actions()) {
    if (a.type == "verify") {
      EXPECT_EQ(a.status, "ok");
      verified = true;
    }
  }
  EXPECT_TRUE(verified);
  const WindowFacts facts = h.engine->facts();
  ASSERT_EQ(facts.rollbacks.size(), 1u);
  EXPECT_EQ(facts.rollbacks[0], "rule:error-rate-critical:step2");
}

TEST(AlertEngine, AnOkResultVerifiesOnlyOnceTheRulesOnItsCheckHaveCleared) {
  TempDir dir;
  Tape tape;
  Config config = seed_config();
  config.actions[2].options = rollback_options({"error-rate"});
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  h.advance_and_tick(1min);
  h.advance_and_tick(0ms);
  ASSERT_TRUE(h.engine->rollback_started());
  h.clock.advance(10s);
  // OK, but without the metric the rule judges: the rule holds, still firing.
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Ok));
  EXPECT_FALSE(h.engine->rollback_settled());
  h.clock.advance(10s);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Ok, 0.01));
  EXPECT_TRUE(h.engine->rollback_settled());
}

TEST(AlertEngine, UnverifiedRollbackRaisesACriticalAlertOfItsOwn) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  h.advance_and_tick(1min);
  h.advance_and_tick(0ms);
  // Not re-run at once: a run right after the last one measures an empty window.
  EXPECT_TRUE(h.reran().empty());
  h.clock.advance(1min);
  h.feed(result("api", h.clock.now(), sdk::Status::Critical));
  // Re-run every verify_interval while unverified.
  h.advance_and_tick(30s);
  h.advance_and_tick(30s);
  EXPECT_EQ(h.reran(), (std::vector<std::string>{"api", "api"}));
  h.advance_and_tick(10min);  // past verify_within
  EXPECT_TRUE(h.engine->rollback_settled());
  const auto entries = tape.snapshot();
  ASSERT_FALSE(entries.empty());
  EXPECT_EQ(entries.back(), "slack firing rollback");
  EXPECT_EQ(tape.events.back().severity, "critical");
  EXPECT_NE(tape.events.back().summary.find("unverified"), std::string::npos)
      << tape.events.back().summary;
  EXPECT_NE(tape.events.back().summary.find("api CRITICAL"), std::string::npos)
      << tape.events.back().summary;
}

TEST(AlertEngine, FailedRollbackEscalatesAsCritical) {
  TempDir dir;
  Tape tape;
  tape.fail_rollback = true;
  const Config config = seed_config();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  h.advance_and_tick(1min);
  h.advance_and_tick(0ms);
  EXPECT_TRUE(h.engine->rollback_settled());
  EXPECT_EQ(tape.snapshot().back(), "slack firing rollback");
  EXPECT_EQ(tape.events.back().summary, "rollback rollback failed: kubectl rollout undo: exit 1");
}

TEST(AlertEngine, ASilencedAlertIsRecordedButNotifiesNothing) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  Harness h(config, dir.path(), tape);
  Silence s;
  s.matchers.push_back(SilenceMatcher::parse("check=error-rate"));
  s.starts_at = h.clock.now();
  s.ends_at = h.clock.now() + 1h;
  s.comment = "known issue, fix deploying";
  s.created_by = "alice";
  h.db->add_silence(s);
  for (int i = 0; i <= 4; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.advance_and_tick(1min);
  }
  EXPECT_TRUE(tape.snapshot().empty());
  const auto transitions = h.db->transitions();
  ASSERT_GE(transitions.size(), 2u);
  EXPECT_TRUE(transitions[1].silenced);
  EXPECT_EQ(transitions[1].to, "firing");
  // Once the silence ends, the still-firing alert is notified and its ladder runs.
  h.advance_and_tick(1h);
  auto entries = tape.snapshot();
  std::sort(entries.begin(), entries.end());  // lanes run side by side: order is theirs
  EXPECT_EQ(entries, (std::vector<std::string>{"restart firing error-rate-critical",
                                               "rollback rollback error-rate-critical",
                                               "slack firing error-rate-critical"}));
}

TEST(AlertEngine, ResolvesWithANotificationAndExpiresExpireOnResolveSilences) {
  TempDir dir;
  Tape tape;
  Config config = seed_config();
  config.rules[0].escalation.clear();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  Silence s;
  s.matchers.push_back(SilenceMatcher::parse("alertname=error-rate-critical"));
  s.starts_at = h.clock.now() + 1h;  // not active yet, but tied to this alert
  s.ends_at = h.clock.now() + 2h;
  s.comment = "maintenance later";
  s.created_by = "bob";
  s.expire_on_resolve = true;
  const auto id = h.db->add_silence(s);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Ok, 0.01));
  const auto entries = tape.snapshot();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1], "slack resolved error-rate-critical");
  ASSERT_TRUE(tape.events[1].ends_at.has_value());
  EXPECT_EQ(tape.events[1].fingerprint, tape.events[0].fingerprint);
  bool expired = false;
  for (const auto& silence : h.db->silences(true, h.clock.now())) {
    if (silence.id == id)
      expired = silence.expired_at.has_value();
  }
  EXPECT_TRUE(expired);
}

TEST(AlertEngine, RemindsEveryRepeatIntervalWhileFiring) {
  TempDir dir;
  Tape tape;
  Config config = seed_config();
  config.rules[0].escalation.clear();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  h.advance_and_tick(28min);  // 29 minutes after firing
  EXPECT_EQ(tape.snapshot().size(), 1u);
  h.advance_and_tick(1min);
  ASSERT_EQ(tape.snapshot().size(), 2u);
  EXPECT_EQ(tape.snapshot()[1], "slack reminder error-rate-critical");
}

TEST(AlertEngine, AlertmanagerHearsAFiringAlertEveryMinuteWhateverRepeatIntervalSays) {
  TempDir dir;
  Tape tape;
  Config config = seed_config();
  config.rules[0].escalation.clear();
  config.rules[0].repeat_interval = 0ms;  // no reminders for people
  ActionConfig am;
  am.name = "am";
  am.plugin = "alertmanager";
  am.retries = 0;
  config.actions.push_back(am);
  config.rules[0].notify = {"slack", "am"};
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    if (i < 2)
      h.clock.advance(1min);
  }
  ASSERT_EQ(tape.snapshot().size(), 2u);  // firing, to both
  h.advance_and_tick(59s);
  EXPECT_EQ(tape.snapshot().size(), 2u);
  h.advance_and_tick(1s);
  auto entries = tape.snapshot();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2], "am reminder error-rate-critical");  // Alertmanager only
  h.advance_and_tick(1min);
  EXPECT_EQ(tape.snapshot().size(), 4u);
}

TEST(AlertEngine, DryRunRulesAreRecordedButNeverAct) {
  TempDir dir;
  Tape tape;
  Config config = seed_config();
  config.rules[0].dry_run = true;
  config.pipelines[0].checks[0].dry_run = true;
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 5; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.advance_and_tick(1min);
  }
  EXPECT_TRUE(tape.snapshot().empty());
  const WindowFacts facts = h.engine->facts();
  EXPECT_TRUE(facts.fired.empty());
  EXPECT_EQ(facts.results, 0u);  // shadow results do not count towards the verdict
  const auto transitions = h.db->transitions();
  ASSERT_FALSE(transitions.empty());
  EXPECT_TRUE(transitions.back().dry_run);
}

TEST(AlertEngine, ARestartResumesTheLadderWithoutRepeatingWhatRan) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  sdk::TimePoint firing_at{};
  {
    Harness h(config, dir.path(), tape);
    for (int i = 0; i <= 2; ++i) {
      h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
      h.clock.advance(1min);
    }
    firing_at = h.clock.now() - 1min;
    ASSERT_EQ(tape.snapshot().size(), 2u);  // notified, restarted; rollback not yet due
  }
  // vigil restarts 30 seconds later.
  Harness h(config, dir.path(), tape, /*fresh=*/false);
  h.clock.advance_to(Clock::SteadyTime{} + (firing_at - FakeClock::kDefaultWallStart) + 90s);
  h.engine->tick();
  h.dispatcher->wait_idle();
  EXPECT_EQ(tape.snapshot().size(), 2u);  // no second notification, no second restart
  h.advance_and_tick(30s);                // 2 minutes after firing: the rollback
  ASSERT_EQ(tape.snapshot().size(), 3u);
  EXPECT_EQ(tape.snapshot()[2], "rollback rollback error-rate-critical");
}

TEST(AlertEngine, TheLoopGuardAllowsOneRollbackPerWindow) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  Harness h(config, dir.path(), tape);
  EXPECT_EQ(h.engine->request_rollback("bad deploy", "alice", false), "");
  h.dispatcher->wait_idle();
  const std::string second = h.engine->request_rollback("again", "alice", false);
  EXPECT_EQ(second,
            "loop guard: 1 rollback already in this window (max_per_window 1) (--force overrides)");
  int skipped = 0;
  for (const auto& a : h.db->actions()) {
    if (a.type == "rollback" && a.status == "skipped")
      ++skipped;
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(h.engine->request_rollback("operator insists", "alice", true), "");
}

TEST(AlertEngine, VerifyNamingAnUnknownCheckIsRefused) {
  TempDir dir;
  Tape tape;
  Config config = seed_config();
  config.actions[2].options = rollback_options({"apii"});
  FakeClock clock;
  auto db = StateDatabase::open(dir.path());
  ActionDispatcher dispatcher(clock, nullptr);
  try {
    AlertEngine engine(config, clock, *db, dispatcher);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()), "actions[rollback].options.verify: no check named 'apii'");
  }
}

// --- reload (reconfigure) -----------------------------------------------------------------------

namespace reload {

Config without_escalation() {
  Config c = seed_config();
  c.rules[0].escalation.clear();
  return c;
}

RuleConfig other_rule() {
  RuleConfig r = seed_config().rules[0];
  r.name = "api-down";
  r.check = "api";
  r.when = RuleCondition{};
  r.for_duration.reset();
  r.escalation.clear();
  r.labels["alertname"] = "api-down";
  return r;
}

}  // namespace reload

TEST(AlertEngineReload, AnUpdatedRuleKeepsItsPendingTimer) {
  TempDir dir;
  Tape tape;
  const Config config = reload::without_escalation();
  Config next = reload::without_escalation();
  next.rules[0].annotations["summary"] = "new words, same alert";  // updated in place
  next.rules.push_back(reload::other_rule());
  Harness h(config, dir.path(), tape);
  const auto t0 = h.clock.now();
  h.feed(result("error-rate", t0, sdk::Status::Critical, 5));
  h.clock.advance(1min);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));

  const RuleChanges changes = h.engine->reconfigure(next);
  EXPECT_EQ(changes.added, std::vector<std::string>{"api-down"});
  EXPECT_EQ(changes.updated, std::vector<std::string>{"error-rate-critical"});
  EXPECT_TRUE(changes.changed.empty());
  EXPECT_TRUE(changes.removed.empty());
  ASSERT_EQ(h.engine->alerts().size(), 2u);
  EXPECT_EQ(h.engine->alerts()[0].state, AlertState::Pending);
  EXPECT_EQ(h.engine->alerts()[0].since, t0);

  // Pending since t0, `for: 2m`: fires 2 minutes after t0, not 2 minutes after the reload.
  h.clock.advance(1min);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
  EXPECT_EQ(h.engine->alerts()[0].state, AlertState::Firing);
  ASSERT_EQ(tape.snapshot().size(), 1u);
  EXPECT_EQ(tape.snapshot()[0], "slack firing error-rate-critical");
  EXPECT_EQ(tape.events[0].annotations.at("summary"), "new words, same alert");
  // The added rule is evaluated from now on.
  h.feed(result("api", h.clock.now(), sdk::Status::Critical));
  EXPECT_EQ(h.engine->alerts()[1].state, AlertState::Firing);
}

TEST(AlertEngineReload, AnUnchangedFiringRuleKeepsItsEpisodeAndTheStepsItRan) {
  TempDir dir;
  Tape tape;
  const Config config = seed_config();
  const Config next = seed_config();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  ASSERT_EQ(tape.snapshot().size(), 2u);  // slack firing + restart (step 1)

  const RuleChanges changes = h.engine->reconfigure(next);
  EXPECT_EQ(changes.unchanged, std::vector<std::string>{"error-rate-critical"});
  h.advance_and_tick(0ms);
  EXPECT_EQ(tape.snapshot().size(), 2u);  // no second firing notice, no second restart
  // Firing since 2m: the rollback step is due at 4m, on the old episode's clock.
  h.advance_and_tick(1min);
  const auto entries = tape.snapshot();
  ASSERT_EQ(entries.size(), 3u);
  EXPECT_EQ(entries[2], "rollback rollback error-rate-critical");
}

TEST(AlertEngineReload, AChangedFiringRuleResolvesThenStartsOver) {
  TempDir dir;
  Tape tape;
  const Config config = reload::without_escalation();
  Config next = reload::without_escalation();
  next.rules[0].for_duration = 5min;
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  ASSERT_EQ(h.engine->alerts()[0].state, AlertState::Firing);

  const RuleChanges changes = h.engine->reconfigure(next);
  EXPECT_EQ(changes.changed, std::vector<std::string>{"error-rate-critical"});
  h.dispatcher->wait_idle();
  const auto entries = tape.snapshot();
  ASSERT_EQ(entries.size(), 2u);
  EXPECT_EQ(entries[1], "slack resolved error-rate-critical");
  EXPECT_EQ(h.engine->alerts()[0].state, AlertState::Inactive);
  const auto transitions = h.db->transitions();
  ASSERT_FALSE(transitions.empty());
  EXPECT_EQ(transitions.back().from, "firing");
  EXPECT_EQ(transitions.back().to, "inactive");
  EXPECT_EQ(transitions.back().reason, "rule changed by reload");

  // Evaluated afresh under the new `for: 5m`: pending from the next failure, not firing.
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
  EXPECT_EQ(h.engine->alerts()[0].state, AlertState::Pending);
  EXPECT_EQ(h.engine->alerts()[0].since, h.clock.now());
}

TEST(AlertEngineReload, ARemovedFiringRuleResolvesAndIsGone) {
  TempDir dir;
  Tape tape;
  const Config config = reload::without_escalation();
  Config next = reload::without_escalation();
  next.rules.clear();
  Harness h(config, dir.path(), tape);
  for (int i = 0; i <= 2; ++i) {
    h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
    h.clock.advance(1min);
  }
  const RuleChanges changes = h.engine->reconfigure(next);
  EXPECT_EQ(changes.removed, std::vector<std::string>{"error-rate-critical"});
  h.dispatcher->wait_idle();
  ASSERT_EQ(tape.snapshot().size(), 2u);
  EXPECT_EQ(tape.snapshot()[1], "slack resolved error-rate-critical");
  EXPECT_EQ(h.db->transitions().back().reason, "rule removed by reload");
  EXPECT_TRUE(h.engine->alerts().empty());
  // Its state on file is inactive, so a restart does not bring the alert back.
  const auto states = h.db->load_rule_states();
  ASSERT_EQ(states.count("error-rate-critical"), 1u);
  EXPECT_NE(states.at("error-rate-critical").find("inactive"), std::string::npos);
  h.feed(result("error-rate", h.clock.now(), sdk::Status::Critical, 5));
  EXPECT_EQ(tape.snapshot().size(), 2u);
}

TEST(AlertEngineReload, ValidateSaysWhatTheConstructorWouldThrow) {
  Config config = seed_config();
  EXPECT_EQ(AlertEngine::validate(config), "");
  config.actions[2].options = rollback_options({"no-such-check"});
  EXPECT_EQ(AlertEngine::validate(config),
            "actions[rollback].options.verify: no check named 'no-such-check'");
}

}  // namespace
}  // namespace vigil::core
