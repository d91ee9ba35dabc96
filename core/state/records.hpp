#pragma once
// What vigil remembers across restarts, one struct per table of the state database.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/model/check_result.hpp"
#include "vigil/sdk/context.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::core {

struct StoredResult {
  std::int64_t id = 0;
  CheckResult result;
  bool dry_run = false;
};

// One change of an alert rule's state, or the start/end of its flapping.
struct AlertTransitionRecord {
  std::int64_t id = 0;
  std::string rule, check, pipeline, severity;
  std::string kind;  // state | flapping_started | flapping_stopped
  std::string from, to;
  sdk::TimePoint at{};
  std::string reason;
  std::optional<double> value;
  bool silenced = false;
  bool dry_run = false;
  sdk::Labels labels;
};

// One label matcher of a silence, as Alertmanager writes them: check=api, severity=~crit.*,
// team!=db, env!~prod.*. A label the alert lacks matches as the empty string.
struct SilenceMatcher {
  std::string name;
  std::string value;
  bool regex = false;
  bool negate = false;

  // Parses "name=value", "name!=value", "name=~regex", "name!~regex". Throws
  // std::invalid_argument with a one-line reason (empty name, invalid regex, no operator).
  static SilenceMatcher parse(std::string_view text);
  // Back to the text parse() reads.
  std::string to_string() const;
  // Regexes are anchored at both ends, as Alertmanager anchors them: severity=~crit matches
  // "crit" but not "critical".
  bool matches(const sdk::Labels& labels) const;
};

struct Silence {
  std::int64_t id = 0;
  std::vector<SilenceMatcher> matchers;
  sdk::TimePoint starts_at{}, ends_at{};
  std::string comment, created_by;
  bool expire_on_resolve = false;  // the alerting side expires it when the alert resolves
  std::string deployment;
  std::optional<sdk::TimePoint> expired_at;  // set by expire_silence()

  // starts_at <= t < ends_at, and not expired by t.
  bool active_at(sdk::TimePoint t) const;
  // Every matcher matches (Alertmanager semantics); a silence without matchers matches nothing.
  // The alert's labels include check, pipeline, alertname and severity.
  bool matches(const sdk::Labels& alert_labels) const;
};

// One run of an action, recorded before it starts so a restart never repeats it.
struct ActionRecord {
  std::int64_t id = 0;
  std::string action;   // config name
  std::string type;     // plugin type
  std::string trigger;  // "rule:<name>:step<N>", "notify:<rule>", "verdict:failed", "manual"
  std::string rule;
  sdk::TimePoint started_at{};
  std::optional<sdk::TimePoint> finished_at;
  std::string status;  // running | ok | failed | skipped
  std::string message;
  std::string output;
  int attempts = 0;
  std::string deployment;
};

// The observation window of the current deployment (there is at most one).
struct WindowRecord {
  std::string deployment;
  sdk::TimePoint started_at{};
  std::chrono::milliseconds duration{0};
  std::string stage;  // preflight | watch | concluded
  int extensions = 0;
  std::optional<std::string> verdict;  // successful | failed | inconclusive
  std::optional<sdk::TimePoint> concluded_at;
  std::string verdict_reason;
};

}  // namespace vigil::core
