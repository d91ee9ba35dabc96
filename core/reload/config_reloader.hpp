#pragma once
// `vigil run`'s SIGHUP: read the configuration again (same file, same overlay, the plugins
// already loaded), validate all of it, and only then change the running watch, by a diff keyed
// by "pipeline/check" and by rule and action name (config_diff.hpp says what counts as
// changed). Nothing is touched when anything is wrong: each issue is logged as one line
// (file:line:col: option: reason), then "reload of <file> failed: keeping the running
// configuration".
//
// Applying, in an order that never leaves a name dangling: new and changed actions first (the
// engine may name them at once), then the window's settings, the rules (AlertEngine keeps the
// state of every unchanged rule), the removal of old actions (after the rules, so a rule that
// resolves on its removal can still notify), and last the checks: removed ones leave the
// schedule (a run in flight finishes and is recorded), changed ones get a new instance with
// the same durable state key (pipeline/name) and keep their next due time, added ones are due
// at their spread offset, unchanged ones are not touched at all.
//
// Every configuration applied is kept until the reloader is destroyed: actions in flight and
// lanes finishing their last job still point into the one they were made from.
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "core/actions/action_dispatcher.hpp"
#include "core/alerting/alert_engine.hpp"
#include "core/config/config.hpp"
#include "core/execution/check_instance.hpp"
#include "core/execution/instantiate.hpp"
#include "core/execution/isolated_runner.hpp"
#include "core/plugin/plugin_catalog.hpp"
#include "core/scheduler/scheduler.hpp"
#include "core/state/state_database.hpp"
#include "core/time/clock.hpp"
#include "core/window/observation_window.hpp"

namespace vigil::core {

// What a reload changes. All of it must outlive the reloader.
struct ReloadTargets {
  Clock* clock = nullptr;
  StateDatabase* db = nullptr;  // null: checks keep in-memory state (tests)
  Scheduler* scheduler = nullptr;
  ActionDispatcher* dispatcher = nullptr;
  AlertEngine* engine = nullptr;
  ObservationWindow* window = nullptr;  // null when no window is configured
  const PluginCatalog* catalog = nullptr;
  IsolatedCheckTarget isolation;  // for checks configured `isolate: true`
  bool log_level_pinned = false;  // --log-level was given: the config's level does not apply
  bool state_dir_pinned = false;  // --state-dir was given: the config's state_dir is not used
};

// The scheduler's view of one check; the run function shares ownership of the instance, so a
// run in flight when the check is replaced or removed keeps it alive until it returns.
ScheduledCheck scheduled_check(std::shared_ptr<CheckInstance> instance, const CheckConfig& config,
                               Clock& clock);

class ConfigReloader {
 public:
  // Reads the configuration again: the same file and overlay as at start, resolved against the
  // plugins already loaded. Issues are left in the result.
  using ReadConfiguration = std::function<ConfigLoadResult()>;

  // `running` is the configuration the watch started with (it must outlive the reloader);
  // `source` names it in log lines.
  ConfigReloader(const Config& running, std::string source, ReadConfiguration read,
                 ReloadTargets targets);
  ~ConfigReloader();
  ConfigReloader(const ConfigReloader&) = delete;
  ConfigReloader& operator=(const ConfigReloader&) = delete;

  // Hands the initial checks to the scheduler; from here on the reloader owns them.
  void schedule(InstantiatedChecks&& built);

  // Re-reads, validates and applies. Returns false (and changes nothing) on any issue.
  bool reload();

  const Config& config() const noexcept { return *running_; }

 private:
  struct LiveCheck {
    const CheckConfig* config;
    std::shared_ptr<CheckInstance> instance;
  };
  std::shared_ptr<CheckInstance> adopt(std::unique_ptr<CheckInstance> instance,
                                       const CheckConfig& config);

  const Config* running_;
  std::string source_;
  ReadConfiguration read_;
  ReloadTargets targets_;
  std::map<std::string, LiveCheck> live_;  // "pipeline/name"
  std::vector<std::unique_ptr<ConfigLoadResult>> applied_;
};

}  // namespace vigil::core
