#pragma once
// The host's own action types that run a program: `command` (restart a service, set a feature
// flag, anything a script does) and `rollback` (the same, plus the loop guard and verification
// the host applies around it; see RollbackPolicy). The program is started from argv, never
// through a shell unless the config says `shell: true`, with the event in its environment:
//
//   VIGIL_EVENT (firing, resolved, rollback, verdict, manual), VIGIL_RULE, VIGIL_CHECK,
//   VIGIL_SEVERITY, VIGIL_SUMMARY, VIGIL_DEPLOYMENT
//
// Its output (stdout and stderr, merged, up to 64 KiB) goes into vigil's log line by line.
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/plugin/plugin_catalog.hpp"
#include "vigil/sdk/action.hpp"
#include "vigil/sdk/options.hpp"

namespace vigil::core {

class CommandAction final : public sdk::Action {
 public:
  explicit CommandAction(const sdk::Options& options);
  sdk::ActionOutcome execute(const sdk::Event& event, sdk::Context& ctx) override;

 private:
  std::vector<std::string> command_;
  bool shell_ = false;
  std::optional<std::string> cwd_;
  std::map<std::string, std::string> env_;
};

// What the host does around a `rollback` action, read from its options.
struct RollbackPolicy {
  int max_per_window = 1;  // loop guard: rollbacks allowed in one observation window
  std::chrono::milliseconds cooldown{std::chrono::minutes(10)};  // between two rollbacks
  std::vector<std::string> verify;  // checks re-run after the rollback until they pass
  std::chrono::milliseconds verify_within{std::chrono::minutes(15)};  // the seed's SLA
  std::chrono::milliseconds verify_interval{std::chrono::seconds(30)};
  // Alerts of the same deployment are silenced for this long once a rollback starts: the
  // rollback itself restarts things and would otherwise page about it. 0: verify_within.
  std::chrono::milliseconds silence_for{0};
  static RollbackPolicy from(const sdk::Options& options);
};

// Registers `command`, `rollback` and `incident_bundle` with the catalog as types of "vigil
// itself", so configs name them like any plugin's action and the loader validates their
// options through the same schemas. `incident_bundle`'s runner comes from `bundle_factory`,
// which the caller supplies because it needs the running host's state (it may be empty for
// verbs that only validate).
using ActionRunnerFactory =
    std::function<std::unique_ptr<sdk::Action>(const sdk::Options& options)>;
void register_builtin_actions(PluginCatalog& catalog, ActionRunnerFactory bundle_factory);
// Their names, in the order `vigil plugins` lists them.
inline constexpr const char* kBuiltinActionTypes[] = {"command", "rollback", "incident_bundle"};

}  // namespace vigil::core
