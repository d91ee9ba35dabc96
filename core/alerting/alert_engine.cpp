#include "core/alerting/alert_engine.hpp"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/log/logging.hpp"
#include "core/output/result_format.hpp"
#include "core/state/state_error.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

std::string key_of(const std::string& pipeline, const std::string& check) {
  return pipeline + "/" + check;
}

// A stable id of an alert from its labels (FNV-1a, 64 bits): a notifier's dedup key, the same
// across restarts.
std::string fingerprint_of(const sdk::Labels& labels) {
  std::uint64_t h = 1469598103934665603ULL;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) {
      h ^= c;
      h *= 1099511628211ULL;
    }
    h ^= 0xff;
    h *= 1099511628211ULL;
  };
  for (const auto& [k, v] : labels) {  // std::map: sorted
    mix(k);
    mix(v);
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::string kind_text(TransitionKind k) {
  switch (k) {
    case TransitionKind::State:
      return "state";
    case TransitionKind::FlappingStarted:
      return "flapping_started";
    case TransitionKind::FlappingStopped:
      return "flapping_stopped";
  }
  return "state";
}

// "notify:<rule>" alone or inside a group's trigger list.
bool trigger_mentions(const std::string& trigger, const std::string& wanted) {
  std::size_t pos = 0;
  while ((pos = trigger.find(wanted, pos)) != std::string::npos) {
    const bool start_ok = pos == 0 || trigger[pos - 1] == ',' || trigger[pos - 1] == ':';
    const std::size_t end = pos + wanted.size();
    const bool end_ok = end == trigger.size() || trigger[end] == ',';
    if (start_ok && end_ok)
      return true;
    pos = end;
  }
  return false;
}

}  // namespace

struct AlertEngine::RuleSlot {
  explicit RuleSlot(const RuleConfig& r) : rule(&r), evaluator(r) {}
  const RuleConfig* rule;
  RuleEvaluator evaluator;
  sdk::Labels labels;  // the rule's, plus deployment
  std::string fingerprint;
  // The current firing episode.
  std::optional<sdk::TimePoint> firing_since;
  std::set<std::size_t> steps_done;
  bool notified_firing = false;
  std::optional<sdk::TimePoint> last_notified;
  std::map<std::string, sdk::TimePoint> last_sent;  // per notify action, reminders included
  bool silenced_now = false;
  sdk::Status last_status = sdk::Status::Unknown;
  std::string reason;
};

struct AlertEngine::Verification {
  std::string action;                                       // the rollback's config name
  std::vector<std::pair<std::string, std::string>> checks;  // (pipeline, check)
  std::set<std::string> passed;                             // keys
  std::map<std::string, std::string> last_seen;             // key -> "CRITICAL: summary"
  sdk::TimePoint since{};
  sdk::TimePoint deadline{};
  sdk::TimePoint next_run{};
  std::chrono::milliseconds interval{0};
  std::int64_t record = -1;
  sdk::Event cause;
  bool done = false;
};

std::string AlertEngine::validate(const Config& config) {
  for (const auto& a : config.actions) {
    if (a.plugin != "rollback")
      continue;
    for (const auto& name : RollbackPolicy::from(a.options).verify) {
      bool known = false;
      for (const auto& p : config.pipelines) {
        known = known || std::any_of(p.checks.begin(), p.checks.end(),
                                     [&name](const CheckConfig& c) { return c.name == name; });
      }
      if (!known)
        return "actions[" + a.name + "].options.verify: no check named '" + name + "'";
    }
  }
  return {};
}

AlertEngine::AlertEngine(const Config& config, Clock& clock, StateDatabase& db,
                         ActionDispatcher& dispatcher, AlertEngineHooks hooks)
    : config_(&config), clock_(clock), db_(db), dispatcher_(dispatcher), hooks_(std::move(hooks)) {
  if (std::string error = validate(config); !error.empty())
    throw std::invalid_argument(error);
  index_checks();
  for (const auto& r : config_->rules) {
    auto slot = std::make_unique<RuleSlot>(r);
    rules_by_check_.emplace(key_of(r.pipeline, r.check), slot.get());
    rules_.push_back(std::move(slot));
  }
}

void AlertEngine::index_checks() {
  dry_run_checks_.clear();
  for (const auto& p : config_->pipelines) {
    for (const auto& c : p.checks)
      dry_run_checks_[key_of(p.name, c.name)] = c.dry_run;
  }
}

void AlertEngine::label(RuleSlot& slot) const {
  slot.labels = slot.rule->labels;
  if (!deployment_.empty())
    slot.labels["deployment"] = deployment_;
  slot.fingerprint = fingerprint_of(slot.labels);
}

void AlertEngine::retire(RuleSlot& slot, const std::string& why, sdk::TimePoint now) {
  const RuleConfig& rule = *slot.rule;
  const AlertState state = slot.evaluator.status().state;
  if (state != AlertState::Inactive) {
    // Resolved (or no longer pending) as if by a passing evaluation: recorded, logged, and
    // whoever heard it fire hears it resolve.
    AlertTransition t;
    t.rule = rule.name;
    t.from = state;
    t.to = AlertState::Inactive;
    t.at = now;
    t.reason = why;
    CheckResult r;
    r.check = rule.check;
    r.pipeline = rule.pipeline;
    handle_transition(slot, t, r);
  }
  try {
    // An inactive state on file, so a restart does not resurrect the retired alert.
    db_.save_rule_state(rule.name, RuleEvaluator(rule).save());
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
}

RuleChanges AlertEngine::reconfigure(const Config& next) {
  std::lock_guard<std::mutex> lock(mu_);
  const sdk::TimePoint now = clock_.now();
  RuleChanges changes;
  std::map<std::string, std::unique_ptr<RuleSlot>> running;
  for (auto& slot : rules_)
    running.emplace(slot->rule->name, std::move(slot));
  rules_.clear();
  rules_by_check_.clear();
  for (const auto& r : next.rules) {
    std::unique_ptr<RuleSlot> slot;
    auto it = running.find(r.name);
    const RuleChange change =
        it == running.end() ? RuleChange::Changed : classify_rule(*it->second->rule, r);
    if (it == running.end()) {
      changes.added.push_back(r.name);
    } else if (change == RuleChange::Changed) {
      retire(*it->second, "rule changed by reload", now);
      changes.changed.push_back(r.name);
    } else {
      slot = std::move(it->second);
      // The evaluator keeps a copy of its rule: a new one from the new config, carrying the
      // whole state of the old (timers, counts, history) across.
      RuleEvaluator evaluator(r);
      try {
        evaluator.restore(slot->evaluator.save());
        slot->evaluator = std::move(evaluator);
      } catch (const std::exception& e) {
        logger()->error("rule {}: state not carried over the reload: {}", r.name, e.what());
      }
      slot->rule = &r;
      (change == RuleChange::Updated ? changes.updated : changes.unchanged).push_back(r.name);
    }
    if (it != running.end())
      running.erase(it);
    if (!slot) {
      slot = std::make_unique<RuleSlot>(r);
      try {
        db_.save_rule_state(r.name, slot->evaluator.save());
      } catch (const std::exception& e) {
        logger()->error("{}", e.what());
      }
    }
    label(*slot);
    rules_by_check_.emplace(key_of(r.pipeline, r.check), slot.get());
    rules_.push_back(std::move(slot));
  }
  for (auto& [name, slot] : running) {
    retire(*slot, "rule removed by reload", now);
    changes.removed.push_back(name);
  }
  config_ = &next;
  index_checks();
  // A removed check's last result would otherwise stay in the snapshot for good.
  for (auto it = latest_.begin(); it != latest_.end();) {
    if (dry_run_checks_.count(it->first) == 0)
      it = latest_.erase(it);
    else
      ++it;
  }
  return changes;
}

AlertEngine::~AlertEngine() = default;

const ActionConfig* AlertEngine::find_action(const std::string& name) const {
  for (const auto& a : config_->actions) {
    if (a.name == name)
      return &a;
  }
  return nullptr;
}

void AlertEngine::restore(sdk::TimePoint window_start, const std::string& deployment,
                          bool fresh_window) {
  std::lock_guard<std::mutex> lock(mu_);
  window_start_ = window_start;
  deployment_ = deployment;
  auto log = logger();
  for (auto& slot : rules_)
    label(*slot);
  std::map<std::string, std::string> states;
  std::vector<ActionRecord> actions;
  std::vector<AlertTransitionRecord> transitions;
  try {
    states = db_.load_rule_states();
    actions = db_.actions(window_start);
    transitions = db_.transitions(window_start);
    for (const auto& stored : db_.results(std::nullopt, window_start, std::nullopt)) {
      const std::string key = key_of(stored.result.pipeline, stored.result.check);
      latest_[key] = stored.result;
      if (stored.dry_run)
        continue;
      ++facts_.results;
      if (stored.result.status == sdk::Status::Unknown)
        ++facts_.unknown_results;
    }
  } catch (const std::exception& e) {
    log->error("state: could not restore alert state: {}", e.what());
  }
  for (auto& slot : rules_) {
    const RuleConfig& rule = *slot->rule;
    if (auto it = states.find(rule.name); it != states.end()) {
      try {
        slot->evaluator.restore(it->second);
      } catch (const std::exception& e) {
        log->warn("rule {}: stored state unreadable, starting afresh: {}", rule.name, e.what());
      }
    }
    if (fresh_window)
      slot->evaluator.reset_window();
    const AlertStatus& st = slot->evaluator.status();
    if (st.state != AlertState::Firing)
      continue;
    slot->firing_since = st.firing_since;
    slot->reason = st.last_reason;
    const sdk::TimePoint since = st.firing_since.value_or(window_start);
    for (const auto& a : actions) {
      if (a.started_at < since)
        continue;
      for (std::size_t i = 0; i < rule.escalation.size(); ++i) {
        if (a.trigger == "rule:" + rule.name + ":step" + std::to_string(i + 1))
          slot->steps_done.insert(i);
      }
      if (trigger_mentions(a.trigger, "notify:" + rule.name)) {
        slot->notified_firing = true;
        if (!slot->last_notified || *slot->last_notified < a.started_at)
          slot->last_notified = a.started_at;
      }
    }
    log->info("rule {}: resumed firing since {} ({} of {} escalation steps done)", rule.name,
              format_rfc3339(since), slot->steps_done.size(), rule.escalation.size());
  }
  for (const auto& t : transitions) {
    if (t.dry_run)
      continue;
    if (t.kind == "state" && t.to == "firing") {
      Severity sev = Severity::Warning;
      if (t.severity == "critical")
        sev = Severity::Critical;
      else if (t.severity == "info")
        sev = Severity::Info;
      const bool seen = std::any_of(facts_.fired.begin(), facts_.fired.end(),
                                    [&t](const FiredRule& f) { return f.rule == t.rule; });
      if (!seen)
        facts_.fired.push_back({t.rule, sev});
    } else if (t.kind == "flapping_started") {
      if (std::find(facts_.flapped.begin(), facts_.flapped.end(), t.rule) == facts_.flapped.end())
        facts_.flapped.push_back(t.rule);
    }
  }
  // Rollbacks already run in this window: they count for the loop guard and the verdict; one
  // that was still running when vigil stopped is not run again, and says so.
  for (const auto& a : actions) {
    if (a.type == "rollback" && a.status != "skipped") {
      facts_.rollbacks.push_back(a.trigger);
      if (!last_rollback_ || *last_rollback_ < a.started_at)
        last_rollback_ = a.started_at;
      if (a.status == "running") {
        log->error("rollback {} was running when vigil stopped; not repeating it", a.action);
        try {
          db_.finish_action(a.id, "failed", "interrupted: vigil stopped while it ran", "",
                            a.attempts, clock_.now());
        } catch (const std::exception& e) {
          log->error("state: {}", e.what());
        }
      }
    }
    if (a.type == "verify" && a.status == "running") {
      const ActionConfig* rb = find_action(a.action);
      if (rb == nullptr)
        continue;
      const RollbackPolicy policy = RollbackPolicy::from(rb->options);
      verification_ = std::make_unique<Verification>();
      verification_->action = a.action;
      verification_->since = a.started_at;
      verification_->deadline = a.started_at + policy.verify_within;
      verification_->next_run = clock_.now();
      verification_->interval = policy.verify_interval;
      verification_->record = a.id;
      for (const auto& p : config_->pipelines) {
        for (const auto& c : p.checks) {
          if (std::find(policy.verify.begin(), policy.verify.end(), c.name) != policy.verify.end())
            verification_->checks.emplace_back(p.name, c.name);
        }
      }
      log->info("rollback {}: resuming verification (deadline {})", a.action,
                format_rfc3339(verification_->deadline));
    }
  }
  try {
    for (const auto& s : db_.silences(false, clock_.now())) {
      if (s.created_by == "vigil" && s.deployment == deployment_)
        own_silences_.push_back(s.id);
    }
  } catch (const std::exception& e) {
    log->error("state: {}", e.what());
  }
}

bool AlertEngine::silenced(const sdk::Labels& labels, sdk::TimePoint now, std::int64_t* by) const {
  try {
    for (const auto& s : db_.silences(false, now)) {
      if (s.active_at(now) && s.matches(labels)) {
        if (by != nullptr)
          *by = s.id;
        return true;
      }
    }
  } catch (const std::exception& e) {
    logger()->error("state: could not read silences: {}", e.what());
  }
  return false;
}

bool AlertEngine::on_result(const CheckResult& r) {
  std::lock_guard<std::mutex> lock(mu_);
  bool changed = false;
  const std::string key = key_of(r.pipeline, r.check);
  const auto dry = dry_run_checks_.find(key);
  const bool dry_run = dry != dry_run_checks_.end() && dry->second;
  try {
    db_.record_result(r, dry_run);
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
  latest_[key] = r;
  if (!dry_run) {
    ++facts_.results;
    if (r.status == sdk::Status::Unknown)
      ++facts_.unknown_results;
  }
  auto range = rules_by_check_.equal_range(key);
  for (auto it = range.first; it != range.second; ++it) {
    RuleSlot& slot = *it->second;
    slot.last_status = r.status;
    for (const AlertTransition& t : slot.evaluator.observe(r)) {
      handle_transition(slot, t, r);
      changed = true;
    }
    try {
      db_.save_rule_state(slot.rule->name, slot.evaluator.save());
    } catch (const std::exception& e) {
      logger()->error("{}", e.what());
    }
  }
  if (verification_ && !verification_->done && r.started >= verification_->since) {
    for (const auto& [p, c] : verification_->checks) {
      if (key_of(p, c) != key)
        continue;
      verification_->last_seen[key] = std::string(sdk::to_string(r.status)) + ": " + r.summary;
      // A pass is an OK result that leaves none of the check's rules firing: the rollback
      // is verified by the same judgement that called for it.
      bool rules_clear = true;
      auto rules = rules_by_check_.equal_range(key);
      for (auto it = rules.first; it != rules.second; ++it) {
        if (!it->second->rule->dry_run &&
            it->second->evaluator.status().state == AlertState::Firing)
          rules_clear = false;
      }
      if (r.status == sdk::Status::Ok && rules_clear)
        verification_->passed.insert(key);
      else
        verification_->passed.erase(key);
    }
    if (verification_->passed.size() == verification_->checks.size()) {
      std::string names;
      for (const auto& [p, c] : verification_->checks)
        names += (names.empty() ? "" : ", ") + c;
      changed = true;
      finish_verification(
          true, "verified: " + names + " passed " +
                    sdk::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(
                        clock_.now() - verification_->since)) +
                    " after the rollback");
    }
  }
  dispatch_due(clock_.now());
  return changed;
}

void AlertEngine::handle_transition(RuleSlot& slot, const AlertTransition& t,
                                    const CheckResult& r) {
  const RuleConfig& rule = *slot.rule;
  std::int64_t silence = 0;
  const bool is_silenced = silenced(slot.labels, t.at, &silence);
  AlertTransitionRecord rec;
  rec.rule = rule.name;
  rec.check = rule.check;
  rec.pipeline = rule.pipeline;
  rec.severity = std::string(to_string(rule.severity));
  rec.kind = kind_text(t.kind);
  rec.from = std::string(to_string(t.from));
  rec.to = std::string(to_string(t.to));
  rec.at = t.at;
  rec.reason = t.reason;
  rec.value = t.value;
  rec.silenced = is_silenced;
  rec.dry_run = rule.dry_run;
  rec.labels = slot.labels;
  try {
    db_.record_transition(rec);
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
  // The seed's log documents silenced alerts as well: they are logged, marked.
  std::string marks;
  if (is_silenced)
    marks += " [silenced by #" + std::to_string(silence) + "]";
  if (rule.dry_run)
    marks += " [dry run]";
  auto log = logger();
  const std::string sev = std::string(to_string(rule.severity));
  if (t.kind == TransitionKind::FlappingStarted) {
    log->warn("ALERT FLAPPING [{}] {}: state changes {}{}", sev, rule.name, t.reason, marks);
    if (!rule.dry_run &&
        std::find(facts_.flapped.begin(), facts_.flapped.end(), rule.name) == facts_.flapped.end())
      facts_.flapped.push_back(rule.name);
    return;
  }
  if (t.kind == TransitionKind::FlappingStopped) {
    log->info("alert {} stopped flapping{}", rule.name, marks);
    return;
  }
  slot.reason = t.reason;
  if (t.to == AlertState::Pending) {
    log->warn("ALERT PENDING [{}] {} on {}: {}{}", sev, rule.name, r.check, t.reason, marks);
  } else if (t.fired()) {
    log->error("ALERT FIRING [{}] {} on {}: {}{}", sev, rule.name, r.check, t.reason, marks);
    slot.firing_since = t.at;
    slot.steps_done.clear();
    slot.notified_firing = false;
    slot.last_notified.reset();
    const bool seen = std::any_of(facts_.fired.begin(), facts_.fired.end(),
                                  [&rule](const FiredRule& f) { return f.rule == rule.name; });
    if (!rule.dry_run && !seen)
      facts_.fired.push_back({rule.name, rule.severity});
  } else if (t.resolved()) {
    log->info("ALERT RESOLVED [{}] {} on {}: {}{}", sev, rule.name, r.check, t.reason, marks);
    // Whoever heard it fire hears it resolve, silence or not: a silence mutes news, and a
    // page left open at PagerDuty or Alertmanager is not news but noise.
    if (slot.notified_firing && !rule.dry_run)
      notify(slot, "resolved", t.at);
    slot.firing_since.reset();
    slot.notified_firing = false;
    try {
      for (const auto& s : db_.silences(false, t.at)) {
        if (s.expire_on_resolve && s.matches(slot.labels)) {
          db_.expire_silence(s.id, t.at);
          log->info("silence #{} expired: {} resolved", s.id, rule.name);
        }
      }
    } catch (const std::exception& e) {
      log->error("{}", e.what());
    }
  } else {
    log->info("alert {} no longer pending: {}{}", rule.name, t.reason, marks);
  }
}

sdk::Event AlertEngine::event_for(const RuleSlot& slot, const std::string& kind) const {
  const RuleConfig& rule = *slot.rule;
  sdk::Event e;
  e.kind = kind;
  e.rule = rule.name;
  e.check = rule.check;
  e.severity = std::string(to_string(rule.severity));
  e.status = slot.last_status;
  e.summary = rule.name + ": " + slot.reason;
  e.labels = slot.labels;
  e.annotations = rule.annotations;
  e.starts_at = slot.firing_since.value_or(clock_.now());
  e.fingerprint = slot.fingerprint;
  e.deployment = deployment_;
  return e;
}

void AlertEngine::notify(RuleSlot& slot, const std::string& kind, sdk::TimePoint now) {
  const RuleConfig& rule = *slot.rule;
  for (const auto& name : rule.notify) {
    ActionJob job;
    job.action = name;
    job.event = event_for(slot, kind);
    if (kind == "resolved")
      job.event.ends_at = now;
    job.trigger = "notify:" + rule.name;
    job.groupable = true;
    dispatcher_.submit(std::move(job));
    slot.last_sent[name] = now;
  }
  if (kind != "resolved") {
    slot.notified_firing = true;
    slot.last_notified = now;
  }
}

// Alertmanager resolves an alert it has not heard of within its resolve_timeout (5m by
// default), so a firing alert is re-posted to it every kAlertmanagerResend, as Prometheus
// re-sends firing alerts every minute (its --rules.alert.resend-delay), whatever the rule's
// repeat_interval says about reminders to people.
void AlertEngine::resend_to_alertmanager(RuleSlot& slot, sdk::TimePoint now) {
  if (!slot.notified_firing)
    return;
  for (const auto& name : slot.rule->notify) {
    const ActionConfig* action = find_action(name);
    if (action == nullptr || action->plugin != "alertmanager")
      continue;
    auto last = slot.last_sent.find(name);
    if (last != slot.last_sent.end() && now - last->second < kAlertmanagerResend)
      continue;
    ActionJob job;
    job.action = name;
    job.event = event_for(slot, "reminder");
    job.trigger = "notify:" + slot.rule->name;
    job.groupable = true;
    dispatcher_.submit(std::move(job));
    slot.last_sent[name] = now;
  }
}

void AlertEngine::dispatch_due(sdk::TimePoint now) {
  for (auto& slot_ptr : rules_) {
    RuleSlot& slot = *slot_ptr;
    const RuleConfig& rule = *slot.rule;
    if (!slot.firing_since || rule.dry_run)
      continue;
    std::int64_t by = 0;
    const bool quiet = silenced(slot.labels, now, &by);
    if (quiet != slot.silenced_now && quiet)
      logger()->info("alert {}: silenced by #{}: no notifications or actions", rule.name, by);
    slot.silenced_now = quiet;
    if (quiet)
      continue;
    if (!slot.notified_firing) {
      notify(slot, "firing", now);
    } else if (rule.repeat_interval.count() > 0 && slot.last_notified &&
               now - *slot.last_notified >= rule.repeat_interval) {
      notify(slot, "reminder", now);
    }
    resend_to_alertmanager(slot, now);
    for (std::size_t i = 0; i < rule.escalation.size(); ++i) {
      if (slot.steps_done.count(i) == 0 && now >= *slot.firing_since + rule.escalation[i].after)
        run_step(slot, i, now);
    }
  }
}

void AlertEngine::run_step(RuleSlot& slot, std::size_t step, sdk::TimePoint /*now*/) {
  const RuleConfig& rule = *slot.rule;
  slot.steps_done.insert(step);
  const std::string trigger = "rule:" + rule.name + ":step" + std::to_string(step + 1);
  logger()->warn("escalation {} step {}: {}", rule.name, step + 1, [&] {
    std::string s;
    for (const auto& a : rule.escalation[step].actions)
      s += (s.empty() ? "" : ", ") + a;
    return s;
  }());
  for (const auto& name : rule.escalation[step].actions) {
    const ActionConfig* action = find_action(name);
    if (action == nullptr) {
      logger()->error("escalation {} step {}: no action named '{}'", rule.name, step + 1, name);
      continue;
    }
    sdk::Event event = event_for(slot, "firing");
    if (action->plugin == "rollback") {
      std::string why;
      start_rollback(*action, std::move(event), trigger, false, &why);
      continue;
    }
    ActionJob job;
    job.action = name;
    job.event = std::move(event);
    job.trigger = trigger;
    dispatcher_.submit(std::move(job));
  }
}

bool AlertEngine::start_rollback(const ActionConfig& action, sdk::Event event,
                                 const std::string& trigger, bool force, std::string* why_not) {
  const RollbackPolicy policy = RollbackPolicy::from(action.options);
  const sdk::TimePoint now = clock_.now();
  auto log = logger();
  int already = 0;
  try {
    already = db_.count_actions("rollback", window_start_);
  } catch (const std::exception& e) {
    log->error("{}", e.what());
  }
  already += rollbacks_running_;
  std::string refusal;
  if (already >= policy.max_per_window) {
    refusal = "loop guard: " + std::to_string(already) + " rollback" + (already == 1 ? "" : "s") +
              " already in this window (max_per_window " + std::to_string(policy.max_per_window) +
              ")";
  } else if (last_rollback_ && now - *last_rollback_ < policy.cooldown) {
    refusal = "cooldown: the last rollback was " +
              sdk::format_duration(
                  std::chrono::duration_cast<std::chrono::milliseconds>(now - *last_rollback_)) +
              " ago (cooldown " + sdk::format_duration(policy.cooldown) + ")";
  }
  if (!refusal.empty() && !force) {
    log->error("ROLLBACK SKIPPED {} for {}: {}", action.name, trigger, refusal);
    try {
      ActionRecord rec;
      rec.action = action.name;
      rec.type = action.plugin;
      rec.trigger = trigger;
      rec.rule = event.rule;
      rec.started_at = now;
      rec.status = "skipped";
      rec.message = refusal;
      rec.deployment = deployment_;
      const auto id = db_.begin_action(rec);
      db_.finish_action(id, "skipped", refusal, "", 0, now);
    } catch (const std::exception& e) {
      log->error("{}", e.what());
    }
    if (why_not != nullptr)
      *why_not = refusal;
    return false;
  }
  ++rollbacks_running_;
  last_rollback_ = now;
  facts_.rollbacks.push_back(trigger);
  // The rollback restarts things; the alerts that causes are expected, not news.
  Silence s;
  if (!deployment_.empty()) {
    s.matchers.push_back({"deployment", deployment_, false, false});
  } else {
    auto it = event.labels.find("pipeline");
    s.matchers.push_back({"pipeline", it == event.labels.end() ? std::string(".*") : it->second,
                          it == event.labels.end(), false});
  }
  s.starts_at = now;
  s.ends_at = now + policy.silence_for;
  s.comment = "rollback " + action.name + " in progress (" + trigger + ")";
  s.created_by = "vigil";
  s.deployment = deployment_;
  try {
    own_silences_.push_back(db_.add_silence(s));
  } catch (const std::exception& e) {
    log->error("{}", e.what());
  }
  log->error("ROLLBACK {} started for {}: {}", action.name, trigger, event.summary);
  event.kind = "rollback";
  ActionJob job;
  job.action = action.name;
  job.event = event;
  job.trigger = trigger;
  const ActionConfig* cfg = &action;
  job.done = [this, cfg, event](const ActionResult& result) {
    on_rollback_done(*cfg, result, event);
  };
  dispatcher_.submit(std::move(job));
  return true;
}

void AlertEngine::on_rollback_done(const ActionConfig& action, const ActionResult& result,
                                   const sdk::Event& event) {
  std::lock_guard<std::mutex> lock(mu_);
  struct WakeOnExit {
    const std::function<void()>& wake;
    ~WakeOnExit() {
      if (wake)
        wake();
    }
  } wake_on_exit{hooks_.wake};
  --rollbacks_running_;
  auto log = logger();
  if (!result.ok) {
    raise_rollback_alert("rollback " + action.name + " failed: " + result.message, event);
    return;
  }
  const RollbackPolicy policy = RollbackPolicy::from(action.options);
  if (policy.verify.empty()) {
    log->warn("rollback {} done; nothing configured to verify it (options.verify)", action.name);
    return;
  }
  verification_ = std::make_unique<Verification>();
  Verification& v = *verification_;
  v.action = action.name;
  v.since = clock_.now();
  v.deadline = v.since + policy.verify_within;
  v.next_run = v.since;
  v.interval = policy.verify_interval;
  v.cause = event;
  for (const auto& p : config_->pipelines) {
    for (const auto& c : p.checks) {
      if (std::find(policy.verify.begin(), policy.verify.end(), c.name) != policy.verify.end())
        v.checks.emplace_back(p.name, c.name);
    }
  }
  try {
    ActionRecord rec;
    rec.action = action.name;
    rec.type = "verify";
    rec.trigger = "verify:" + action.name;
    rec.rule = event.rule;
    rec.started_at = v.since;
    rec.status = "running";
    rec.deployment = deployment_;
    v.record = db_.begin_action(rec);
  } catch (const std::exception& e) {
    log->error("{}", e.what());
  }
  log->info("rollback {} done; verifying {} check{} within {}", action.name, v.checks.size(),
            v.checks.size() == 1 ? "" : "s", sdk::format_duration(policy.verify_within));
  // The first re-run waits one verify_interval: a check run right after its last scheduled run
  // would measure an empty window (no requests since), which proves nothing.
  v.next_run = v.since + v.interval;
}

void AlertEngine::finish_verification(bool verified, const std::string& message) {
  Verification& v = *verification_;
  v.done = true;
  try {
    if (v.record >= 0)
      db_.finish_action(v.record, verified ? "ok" : "failed", message, "", 1, clock_.now());
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
  if (verified) {
    logger()->info("ROLLBACK VERIFIED {}: {}", v.action, message);
  } else {
    raise_rollback_alert("rollback " + v.action + " unverified: " + message, v.cause);
  }
}

void AlertEngine::raise_rollback_alert(const std::string& summary, const sdk::Event& cause) {
  const sdk::TimePoint now = clock_.now();
  logger()->critical("ALERT FIRING [critical] rollback: {}", summary);
  AlertTransitionRecord rec;
  rec.rule = "rollback";
  rec.check = cause.check;
  rec.pipeline = [&] {
    auto it = cause.labels.find("pipeline");
    return it == cause.labels.end() ? std::string() : it->second;
  }();
  rec.severity = "critical";
  rec.kind = "state";
  rec.from = "inactive";
  rec.to = "firing";
  rec.at = now;
  rec.reason = summary;
  rec.labels = cause.labels;
  rec.labels["alertname"] = "RollbackFailed";
  rec.labels["severity"] = "critical";
  try {
    db_.record_transition(rec);
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
  if (std::none_of(facts_.fired.begin(), facts_.fired.end(),
                   [](const FiredRule& f) { return f.rule == "rollback"; }))
    facts_.fired.push_back({"rollback", Severity::Critical});
  // Everyone who hears about the cause hears about this; a manual rollback has no rule, so
  // every notifier any rule uses is told.
  std::set<std::string> targets;
  for (const auto& r : config_->rules) {
    if (cause.rule.empty() || r.name == cause.rule)
      targets.insert(r.notify.begin(), r.notify.end());
  }
  for (const auto& name : targets) {
    ActionJob job;
    job.action = name;
    job.event = cause;
    job.event.kind = "firing";
    job.event.rule = "rollback";
    job.event.severity = "critical";
    job.event.status = sdk::Status::Critical;
    job.event.summary = summary;
    job.event.labels = rec.labels;
    job.event.starts_at = now;
    job.event.fingerprint = fingerprint_of(rec.labels);
    job.trigger = "notify:rollback";
    dispatcher_.submit(std::move(job));
  }
}

sdk::TimePoint AlertEngine::tick() {
  std::lock_guard<std::mutex> lock(mu_);
  const sdk::TimePoint now = clock_.now();
  dispatch_due(now);
  sdk::TimePoint next = sdk::TimePoint::max();
  if (verification_ && !verification_->done) {
    Verification& v = *verification_;
    if (now >= v.deadline) {
      std::string pending;
      for (const auto& [p, c] : v.checks) {
        const std::string key = key_of(p, c);
        if (v.passed.count(key) != 0)
          continue;
        auto seen = v.last_seen.find(key);
        pending += (pending.empty() ? "" : "; ") + c + " " +
                   (seen == v.last_seen.end() ? std::string("has not reported") : seen->second);
      }
      finish_verification(
          false, "not verified within " +
                     sdk::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(
                         v.deadline - v.since)) +
                     ": " + pending);
    } else {
      if (now >= v.next_run && hooks_.run_check_now) {
        for (const auto& [p, c] : v.checks) {
          if (v.passed.count(key_of(p, c)) == 0)
            hooks_.run_check_now(p, c);
        }
        v.next_run = now + v.interval;
      }
      next = std::min({next, v.next_run, v.deadline});
    }
  }
  for (const auto& slot_ptr : rules_) {
    const RuleSlot& slot = *slot_ptr;
    if (!slot.firing_since || slot.rule->dry_run)
      continue;
    for (std::size_t i = 0; i < slot.rule->escalation.size(); ++i) {
      if (slot.steps_done.count(i) == 0)
        next = std::min(next, *slot.firing_since + slot.rule->escalation[i].after);
    }
    if (slot.rule->repeat_interval.count() > 0 && slot.last_notified)
      next = std::min(next, *slot.last_notified + slot.rule->repeat_interval);
    for (const auto& [name, at] : slot.last_sent) {
      const ActionConfig* action = find_action(name);
      if (action != nullptr && action->plugin == "alertmanager")
        next = std::min(next, at + kAlertmanagerResend);
    }
  }
  return next;
}

std::string AlertEngine::request_rollback(const std::string& reason, const std::string& by,
                                          bool force) {
  std::lock_guard<std::mutex> lock(mu_);
  const ActionConfig* target = nullptr;
  if (config_->window) {
    for (const auto& name : config_->window->on_failure) {
      const ActionConfig* a = find_action(name);
      if (a != nullptr && a->plugin == "rollback") {
        target = a;
        break;
      }
    }
  }
  for (const auto& a : config_->actions) {
    if (target == nullptr && a.plugin == "rollback")
      target = &a;
  }
  if (target == nullptr)
    return "no action of type rollback is configured";
  sdk::Event event;
  event.kind = "manual";
  event.severity = "critical";
  event.status = sdk::Status::Critical;
  event.summary = "manual rollback by " + by + ": " + reason;
  event.starts_at = clock_.now();
  event.deployment = deployment_;
  if (!deployment_.empty())
    event.labels["deployment"] = deployment_;
  std::string why;
  if (!start_rollback(*target, event, "manual:" + by, force, &why))
    return why + " (--force overrides)";
  return {};
}

WindowFacts AlertEngine::facts() const {
  std::lock_guard<std::mutex> lock(mu_);
  return facts_;
}

bool AlertEngine::rollback_started() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !facts_.rollbacks.empty();
}

bool AlertEngine::rollback_settled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !facts_.rollbacks.empty() && rollbacks_running_ == 0 &&
         (!verification_ || verification_->done);
}

std::vector<AlertView> AlertEngine::alerts() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<AlertView> out;
  for (const auto& slot : rules_) {
    const AlertStatus& st = slot->evaluator.status();
    AlertView v;
    v.rule = slot->rule->name;
    v.pipeline = slot->rule->pipeline;
    v.check = slot->rule->check;
    v.severity = std::string(to_string(slot->rule->severity));
    v.state = st.state;
    v.since = st.state == AlertState::Firing ? st.firing_since : st.pending_since;
    v.reason = st.last_reason;
    v.silenced = slot->silenced_now;
    v.flapping = st.flapping;
    v.dry_run = slot->rule->dry_run;
    out.push_back(std::move(v));
  }
  return out;
}

std::vector<CheckResult> AlertEngine::latest_results() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<CheckResult> out;
  out.reserve(latest_.size());
  for (const auto& [key, r] : latest_)
    out.push_back(r);
  return out;
}

void AlertEngine::end_of_window() {
  std::lock_guard<std::mutex> lock(mu_);
  const sdk::TimePoint now = clock_.now();
  try {
    for (const auto& s : db_.silences(false, now)) {
      if (!deployment_.empty() && s.deployment == deployment_) {
        db_.expire_silence(s.id, now);
        logger()->info("silence #{} expired: the window of {} has ended", s.id, deployment_);
      } else if (std::find(own_silences_.begin(), own_silences_.end(), s.id) !=
                 own_silences_.end()) {
        db_.expire_silence(s.id, now);
      }
    }
  } catch (const std::exception& e) {
    logger()->error("{}", e.what());
  }
}

std::string AlertEngine::snapshot_json() const {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json j;
  j["timestamp"] = format_rfc3339(clock_.now());
  j["deployment"] = deployment_;
  nlohmann::json checks = nlohmann::json::object();
  for (const auto& [key, r] : latest_) {
    nlohmann::json c;
    c["pipeline"] = r.pipeline;
    c["check"] = r.check;
    c["status"] = std::string(sdk::to_string(r.status));
    c["summary"] = r.summary;
    c["time"] = format_rfc3339(r.started);
    nlohmann::json metrics = nlohmann::json::object();
    for (const auto& m : r.metrics)
      metrics[m.name] = m.value;
    c["metrics"] = std::move(metrics);
    checks[key] = std::move(c);
  }
  j["checks"] = std::move(checks);
  nlohmann::json alerts = nlohmann::json::array();
  for (const auto& slot : rules_) {
    const AlertStatus& st = slot->evaluator.status();
    if (st.state == AlertState::Inactive)
      continue;
    nlohmann::json a;
    a["rule"] = slot->rule->name;
    a["state"] = std::string(to_string(st.state));
    a["severity"] = std::string(to_string(slot->rule->severity));
    a["reason"] = st.last_reason;
    a["silenced"] = slot->silenced_now;
    alerts.push_back(std::move(a));
  }
  j["alerts"] = std::move(alerts);
  return j.dump(2) + "\n";
}

}  // namespace vigil::core
