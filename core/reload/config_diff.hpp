#pragma once
// What a configuration reload changes, worked out from the running and the new configuration
// alone (no plugins, no state), so that the decision is a pure function a test can pin down.
//
// Checks are keyed by "pipeline/name", rules and actions by name. Each one is:
//   added      in the new configuration only;
//   removed    in the running configuration only;
//   changed    in both, but anything that makes it behave differently differs (below);
//   unchanged  otherwise: it keeps its instance, its schedule and its state.
//
// A check is changed when its plugin, options, interval, timeout, labels, thresholds, isolate or
// dry_run differ. Its description, preflight flag and places in the file are not compared:
// they mean nothing to a watch already running.
//
// A rule is changed (its evaluation restarts) when anything its alert state depends on differs:
// its pipeline or check, its condition (`when`), `for`, `consecutive`, `budget`,
// `keep_firing_for`, `recover_after`, `on_unknown`, the flapping bounds, its severity, labels
// or dry_run (the alert's identity). A rule whose only differences are in annotations, notify,
// repeat_interval or escalation is updated in place: it keeps its state (pending or firing,
// timers, episode, escalation steps done, counted by position) and the new values apply from
// its next notification or step on.
//
// An action is changed when its type, options, timeout, retries or retry_backoff differ.
//
// Some settings cannot change under a running vigil; a new value for one of them makes the
// reload fail with "restart needed": vigil.state_dir, vigil.plugin_dirs, vigil.log.file and its
// rotation (log.max_size, log.max_files), vigil.max_concurrent_checks, and the window's
// deployment id or the window's presence. vigil.log_level and every other window setting
// (duration included) apply.
#include <string>
#include <vector>

#include "core/config/config.hpp"

namespace vigil::core {

enum class RuleChange { Unchanged, Updated, Changed };

// How `after` differs from `before`, two versions of one rule (see above).
RuleChange classify_rule(const RuleConfig& before, const RuleConfig& after);
bool check_changed(const CheckConfig& before, const CheckConfig& after);
bool action_changed(const ActionConfig& before, const ActionConfig& after);

// Names by what happens to them, each list in the new configuration's order (removed ones in
// the running configuration's order). Checks are named "pipeline/name".
struct ItemChanges {
  std::vector<std::string> added, removed, changed, unchanged;
};

struct ConfigDiff {
  ItemChanges checks;
  ItemChanges rules;  // `changed`: evaluation restarts; `updated`: state kept, new values apply
  std::vector<std::string> rules_updated;  // a subset of rules.unchanged
  ItemChanges actions;
  // Settings that differ and cannot apply live: {"vigil.state_dir", "changed from /a to /b; a
  // restart is needed to apply it"}.
  struct Blocker {
    std::string setting;
    std::string reason;
  };
  std::vector<Blocker> restart_needed;
  bool log_level_changed = false;
  bool window_changed = false;  // duration or another window setting that applies live
};

ConfigDiff diff_configs(const Config& running, const Config& next);

}  // namespace vigil::core
