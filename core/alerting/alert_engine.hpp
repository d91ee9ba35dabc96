#pragma once
// Where results become alerts and alerts become actions: the host's one model for every
// plugin. For each result the engine records it, feeds every rule that watches its check
// (RuleEvaluator), records each alert transition, and then, unless the alert is silenced or a
// dry run, notifies (firing, reminders every repeat_interval, resolved) and climbs the rule's
// escalation ladder, one step per `after`, each step once per firing episode. Rollbacks get a
// loop guard, a cooldown, a silence over the alerts they cause, and verification: the named
// checks are re-run until they pass or the deadline, and a failed or unverified rollback
// raises a CRITICAL alert of its own.
//
// Everything it decides is in the state database first (actions are recorded before they
// run), so a restarted engine resumes pending timers and firing alerts from there and never
// repeats a step or a rollback it already ran.
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/actions/action_dispatcher.hpp"
#include "core/actions/command_action.hpp"
#include "core/config/config.hpp"
#include "core/model/check_result.hpp"
#include "core/reload/config_diff.hpp"
#include "core/rules/rule_evaluator.hpp"
#include "core/state/state_database.hpp"
#include "core/time/clock.hpp"
#include "core/window/verdict.hpp"

namespace vigil::core {

struct AlertEngineHooks {
  // Re-run a check now (rollback verification). Scheduler::run_now in the daemon.
  std::function<void(const std::string& pipeline, const std::string& check)> run_check_now;
  // Something the window waits for happened off the main thread (a rollback finished, its
  // verification began or ended): wake whoever calls tick() and concludes the window.
  std::function<void()> wake;
};

// One rule's alert as `vigil status` and the snapshot show it.
struct AlertView {
  std::string rule, pipeline, check, severity;
  AlertState state = AlertState::Inactive;
  std::optional<sdk::TimePoint> since;  // pending_since or firing_since
  std::string reason;
  bool silenced = false;
  bool flapping = false;
  bool dry_run = false;
};

// What a reload did to the rules, by name (core/reload/config_diff.hpp says what counts as
// changed and updated).
struct RuleChanges {
  std::vector<std::string> added, removed, changed, updated, unchanged;
};

class AlertEngine {
 public:
  // How often a firing alert is re-posted to an `alertmanager` action (see the .cpp).
  static constexpr std::chrono::milliseconds kAlertmanagerResend{60000};

  // `config`, `clock`, `db` and `dispatcher` must outlive the engine. The dispatcher must
  // know every action named in the config. Throws std::invalid_argument when a rollback's
  // verify names a check that does not exist.
  AlertEngine(const Config& config, Clock& clock, StateDatabase& db, ActionDispatcher& dispatcher,
              AlertEngineHooks hooks = {});
  ~AlertEngine();

  // What the constructor would throw for `config`, as one line; empty when it is fine. A reload
  // asks before it commits to a configuration.
  static std::string validate(const Config& config);

  // Switches to `next` (a reload; it must pass validate() and outlive the engine, and so must
  // the configuration it replaces, which in-flight actions may still point into). Rules are
  // matched by name: an unchanged or updated rule keeps its whole state (pending and firing
  // timers, episode, notifications and escalation steps done); a changed rule starts over from
  // inactive; an added one starts inactive. A changed or removed rule that was firing resolves
  // first ("ALERT RESOLVED ...: rule changed by reload" / "rule removed by reload"), with its
  // resolved notification as usual; one that was pending goes back to inactive.
  RuleChanges reconfigure(const Config& next);

  // Starts (or resumes) counting at `window_start`: restores every rule's state, which steps
  // and notifications already ran, the rollback count and the verdict's facts from the
  // database. Call once before the first result. A fresh window also starts every rule's
  // failure budget from zero.
  void restore(sdk::TimePoint window_start, const std::string& deployment, bool fresh_window);

  // A judged check result, from any thread. Returns true when it changed something the
  // window cares about (an alert transition, a rollback verified or not), so the caller can
  // wake whoever concludes the window.
  bool on_result(const CheckResult& r);

  // Runs what has come due (escalation steps, reminders, rollback verification and its
  // deadline, expired silences catching up) and returns when it next needs to be called.
  sdk::TimePoint tick();

  // Operator requests, recorded like automatic actions. Return a one-line error, or empty.
  std::string request_rollback(const std::string& reason, const std::string& by, bool force);

  WindowFacts facts() const;
  std::vector<AlertView> alerts() const;
  // The latest result of each check (dry runs included), for /metrics.
  std::vector<CheckResult> latest_results() const;
  // A rollback ran and its verification has finished (or there was none to run): the window
  // can conclude.
  bool rollback_settled() const;
  bool rollback_started() const;
  // Expires the silences vigil itself made for this deployment (the window has ended).
  void end_of_window();

  // The latest result of each check and the alerts, as JSON: metrics_snapshot.json.
  std::string snapshot_json() const;

 private:
  struct RuleSlot;
  struct Verification;
  void handle_transition(RuleSlot& slot, const AlertTransition& t, const CheckResult& r);
  void dispatch_due(sdk::TimePoint now);
  void run_step(RuleSlot& slot, std::size_t step, sdk::TimePoint now);
  void notify(RuleSlot& slot, const std::string& kind, sdk::TimePoint now);
  void resend_to_alertmanager(RuleSlot& slot, sdk::TimePoint now);
  bool start_rollback(const ActionConfig& action, sdk::Event event, const std::string& trigger,
                      bool force, std::string* why_not);
  void on_rollback_done(const ActionConfig& action, const ActionResult& result,
                        const sdk::Event& event);
  void raise_rollback_alert(const std::string& summary, const sdk::Event& cause);
  void finish_verification(bool verified, const std::string& message);
  bool silenced(const sdk::Labels& labels, sdk::TimePoint now, std::int64_t* by) const;
  sdk::Event event_for(const RuleSlot& slot, const std::string& kind) const;
  const ActionConfig* find_action(const std::string& name) const;
  void index_checks();
  void label(RuleSlot& slot) const;
  void retire(RuleSlot& slot, const std::string& why, sdk::TimePoint now);

  const Config* config_;
  Clock& clock_;
  StateDatabase& db_;
  ActionDispatcher& dispatcher_;
  AlertEngineHooks hooks_;
  std::string deployment_;
  sdk::TimePoint window_start_{};
  std::map<std::string, bool> dry_run_checks_;  // "pipeline/check" -> dry_run

  mutable std::mutex mu_;
  std::vector<std::unique_ptr<RuleSlot>> rules_;
  std::multimap<std::string, RuleSlot*> rules_by_check_;  // "pipeline/check"
  // The whole latest result of each check, every labelled metric included: /metrics exports
  // them all (a 1,000-target probe's 7,000 series), replaced at each run, so memory stays flat.
  std::map<std::string, CheckResult> latest_;  // "pipeline/check"
  std::unique_ptr<Verification> verification_;
  int rollbacks_running_ = 0;
  std::optional<sdk::TimePoint> last_rollback_;
  std::vector<std::int64_t> own_silences_;
  WindowFacts facts_;
};

}  // namespace vigil::core
