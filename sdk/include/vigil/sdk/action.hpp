#pragma once
// Action plugins: notify, remediate, roll back. The host decides when an action runs (rules,
// escalation steps, the verdict); the action only does the work and reports how it went.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/sdk/context.hpp"
#include "vigil/sdk/export.hpp"
#include "vigil/sdk/options.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::sdk {

struct Event {
  std::string kind;      // "firing", "resolved", "reminder", "rollback", "verdict", "manual"
  std::string rule;      // the alert rule's name, empty for verdict or manual events
  std::string check;     // the check the rule watches, when there is one
  std::string severity;  // "critical", "warning", "info"
  Status status = Status::Unknown;
  std::string summary;
  Labels labels;
  Labels annotations;
  TimePoint starts_at{};
  std::optional<TimePoint> ends_at;
  std::string fingerprint;  // stable id of the alert, a notifier's dedup key
  // Grouping: when the host batches several alerts into one notification (so one incident is
  // not a storm), this event is the batch's header (kind "group", a summary such as "3 alerts
  // firing in genesis") and `group` holds one event per alert. Empty for a single alert.
  std::vector<Event> group;
  std::string deployment;  // the observation window's deployment id, when configured
};

struct ActionOutcome {
  bool ok = false;
  std::string message;
  static ActionOutcome success(std::string m = {}) { return {true, std::move(m)}; }
  static ActionOutcome failure(std::string m) { return {false, std::move(m)}; }
};

class VIGIL_SYMBOL_VISIBLE Action {
 public:
  virtual ~Action() = default;
  virtual ActionOutcome execute(const Event& event, Context& ctx) = 0;
};

}  // namespace vigil::sdk
