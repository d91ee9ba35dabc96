#pragma once
// What one scrape shows: a copy of the running vigil's state, taken at once so the families of
// one exposition agree with each other. Plain data: the renderer is tested on hand-made ones.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "core/alerting/alert_engine.hpp"
#include "core/model/check_result.hpp"
#include "core/state/records.hpp"
#include "core/window/verdict.hpp"

namespace vigil::core {

// Finished actions (and rollbacks) by what ran and how it ended.
struct ActionCountKey {
  std::string action;   // config name ("rollback", "slack"), or the operator's verb
  std::string type;     // "command", "rollback", "verify", "operator", ...
  std::string outcome;  // ok | failed | skipped
  bool operator<(const ActionCountKey& o) const {
    return std::tie(action, type, outcome) < std::tie(o.action, o.type, o.outcome);
  }
};

struct WindowSnapshot {
  WindowRecord record;
  sdk::TimePoint ends_at{};
  // The verdict as decide_verdict gives it now (record.verdict once concluded).
  Verdict verdict = Verdict::Inconclusive;
};

struct MetricsSnapshot {
  sdk::TimePoint now{};
  sdk::TimePoint started{};         // when this vigil started
  std::vector<CheckResult> latest;  // the latest result of each check that has run
  std::vector<AlertView> alerts;    // every rule
  std::optional<WindowSnapshot> window;
  WindowFacts facts;
  std::map<ActionCountKey, std::uint64_t> actions;  // since the window (or vigil) started
};

}  // namespace vigil::core
