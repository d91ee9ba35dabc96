#pragma once
// What the final report is made from: the observation window, each check's history, the alert
// episodes, silences and actions, already read out of the state database. The renderers only
// read this, so they are tested on hand-built data without a database.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "vigil/sdk/context.hpp"
#include "vigil/sdk/range.hpp"
#include "vigil/sdk/result.hpp"
#include "vigil/sdk/status.hpp"

namespace vigil::core::report {

// The span the report covers. `end` is when the window concluded, or the moment the report
// was made while it is still open.
struct ReportWindow {
  std::string deployment;
  sdk::TimePoint start{};
  sdk::TimePoint end{};
  std::chrono::milliseconds planned_duration{0};  // 0: no window configured, watched until now
  std::string stage;                              // preflight | watch | concluded | "" (none)
  std::optional<std::string> verdict;             // successful | failed | inconclusive
  std::string verdict_reason;
  int extensions = 0;
};

struct MetricPoint {
  sdk::TimePoint at{};
  double value = 0;
};

// One metric series of one check over the window (a name plus its labels, as a plugin may
// report the same name for several mounts or handlers).
struct MetricSeries {
  std::string name;
  sdk::Labels labels;
  std::string unit;
  std::vector<MetricPoint> points;  // in time order
  // The thresholds stored with the newest result that carried any: the host copies a check's
  // configured bounds onto each judged metric, so these are what the check was judged by.
  std::optional<sdk::Range> warning;
  std::optional<sdk::Range> critical;

  // "latency{handler=/api}"; the bare name when there are no labels.
  std::string display_name() const;
};

struct StatusPoint {
  sdk::TimePoint at{};
  sdk::Status status = sdk::Status::Unknown;
};

struct CheckHistory {
  std::string check;
  std::string pipeline;
  std::string plugin;
  bool dry_run = false;  // a shadow check: reported, never part of the verdict or headline
  std::vector<StatusPoint> statuses;  // in time order
  std::vector<MetricSeries> metrics;  // in first-seen order
};

// One firing episode of a rule: from its transition to firing until the next transition away
// from firing; `ended` is empty while it is still firing at the end of the report.
struct AlertSpan {
  std::string rule;
  std::string check;
  std::string pipeline;
  std::string severity;  // critical | warning | info
  sdk::TimePoint started{};
  std::optional<sdk::TimePoint> ended;
  bool silenced = false;
  bool dry_run = false;
  std::string reason;
  std::optional<double> value;
};

struct FlappingEpisode {
  std::string rule;
  std::string check;
  sdk::TimePoint started{};
  std::optional<sdk::TimePoint> ended;
};

struct ReportSilence {
  std::int64_t id = 0;
  std::vector<std::string> matchers;  // as written: "check=api", "severity=~crit.*"
  sdk::TimePoint starts_at{};
  sdk::TimePoint ends_at{};
  std::optional<sdk::TimePoint> expired_at;
  std::string comment;
  std::string created_by;
};

struct ReportAction {
  std::string action;
  std::string type;
  std::string trigger;  // "rule:<name>:step<N>", "verdict:failed", "manual", ...
  std::string rule;
  sdk::TimePoint started_at{};
  std::optional<sdk::TimePoint> finished_at;
  std::string status;  // running | ok | failed | skipped
  std::string message;
  std::string output;
  int attempts = 0;
};

struct ReportData {
  ReportWindow window;
  sdk::TimePoint generated_at{};
  std::vector<CheckHistory> checks;
  std::vector<AlertSpan> alerts;  // in start order
  std::vector<FlappingEpisode> flapping;
  std::vector<ReportSilence> silences;
  std::vector<ReportAction> actions;  // in start order
};

// One stored alert transition, as much of it as the report needs.
struct TransitionInput {
  std::string rule, check, pipeline, severity;
  std::string kind;  // state | flapping_started | flapping_stopped
  std::string from, to;
  sdk::TimePoint at{};
  std::string reason;
  std::optional<double> value;
  bool silenced = false;
  bool dry_run = false;
};

// Turns transitions (any order) into firing episodes and flapping episodes, per rule and check.
// An episode opens on a state transition to "firing" and closes on the next state transition
// of the same rule and check to anything else; one still open stays open (ended empty).
void add_transitions(ReportData& data, std::vector<TransitionInput> transitions);

}  // namespace vigil::core::report
