#pragma once
// The figures the seed's final report asks for, computed from ReportData. Every renderer
// prints these, so markdown, HTML and JSON never disagree.
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/report/report_data.hpp"

namespace vigil::core::report {

// min/avg/max/last of one series (or of every series of one metric name); empty when no sample.
struct SeriesStats {
  std::size_t samples = 0;
  std::optional<double> min, avg, max, last;
  std::string unit;  // headline figures only: the unit of the first series of that name
};

SeriesStats stats_of(const std::vector<MetricPoint>& points);

// Uptime counts results, not seconds: the share of a check's results with a known status
// (OK, WARNING or CRITICAL) that were not CRITICAL. UNKNOWN results say nothing about whether
// the service was up, so they are left out of both sides and reported on their own
// (unknown_percent, of all results). A check with only UNKNOWN results has no uptime.
struct CheckSummary {
  std::string check;
  std::string pipeline;
  std::string plugin;
  bool dry_run = false;
  std::size_t results = 0;
  std::size_t ok = 0, warning = 0, critical = 0, unknown = 0;
  std::optional<double> uptime_percent;
  std::optional<double> unknown_percent;
  std::optional<sdk::Status> last_status;
};

// How often a rule fired in the window, with the time spent firing.
struct RuleSummary {
  std::string rule;
  std::string check;
  std::string severity;
  std::size_t fired = 0;     // firing episodes (transitions to firing)
  std::size_t silenced = 0;  // of which silenced
  bool dry_run = false;
  bool still_firing = false;
  std::chrono::milliseconds time_firing{0};  // clipped to the report's window
};

// The headline: every sample of a metric name across the window's checks that are not dry run,
// so "average pass rate" is the mean of every pass_rate result, whichever check reported it.
struct ReportSummary {
  std::string title;       // "48-Hour Monitoring Report - 2026-11-29", as the seed names it
  std::string outcome;     // SUCCESSFUL | FAILED | INCONCLUSIVE | IN PROGRESS | NO WINDOW
  std::string conclusion;  // one paragraph saying what the outcome means
  std::size_t results = 0;
  SeriesStats pass_rate;                         // metric "pass_rate"
  SeriesStats error_rate;                        // metric "error_rate"
  SeriesStats p95;                               // metric "p95": avg and max
  std::optional<double> overall_uptime_percent;  // over every non-dry-run check's known results
  std::vector<CheckSummary> checks;              // in ReportData order
  std::vector<RuleSummary> rules;                // in first-fired order
  std::size_t alerts_fired = 0;                  // not dry run
  std::size_t actions_failed = 0;
};

ReportSummary summarize(const ReportData& data);

// Firing episodes of one check, for shading its charts.
std::vector<const AlertSpan*> alerts_of_check(const ReportData& data, const std::string& check);

}  // namespace vigil::core::report
