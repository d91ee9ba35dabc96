#pragma once
// The observation window of one deployment: opened (or resumed after a restart) when `vigil
// run` starts, in stage preflight, then watch, then concluded with a verdict. Its record in the
// state database is the single source of truth, so a restarted vigil resumes the window where
// it was instead of starting a new 48 hours.
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/state/state_database.hpp"
#include "core/window/verdict.hpp"
#include "vigil/sdk/context.hpp"

namespace vigil::core {

class ObservationWindow {
 public:
  ObservationWindow(const WindowConfig& config, StateDatabase& db, const sdk::Clock& clock);

  // Resumes the stored window when it has not concluded and belongs to the same deployment;
  // otherwise opens a new one (a different deployment's unconcluded window is closed as
  // inconclusive, "superseded"). Returns true when a new window was opened.
  bool open();
  const WindowRecord& record() const noexcept { return record_; }
  bool concluded() const noexcept { return record_.stage == "concluded"; }
  // started_at + duration + extensions x extend_on_inconclusive.
  sdk::TimePoint ends_at() const;
  void enter(const std::string& stage);  // "preflight" | "watch"

  // Decides the verdict from the facts. An Inconclusive verdict with extensions left (and
  // `final_decision` false) extends the window instead: returns nullopt. Otherwise the window
  // is concluded and recorded, and the decision returned.
  std::optional<VerdictDecision> conclude(const WindowFacts& facts, bool final_decision);
  // A reload: the new settings (same deployment) apply from now on; `config` must outlive the
  // window. The window keeps its start; a new duration moves its end (at once past, it
  // concludes at the next look).
  void reconfigure(const WindowConfig& config);
  // The actions configured for a verdict (on_success, on_failure, on_inconclusive).
  const std::vector<std::string>& actions_for(Verdict v) const;

 private:
  void save();
  const WindowConfig* config_;
  StateDatabase& db_;
  const sdk::Clock& clock_;
  WindowRecord record_;
};

}  // namespace vigil::core
