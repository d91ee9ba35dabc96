#include "core/report/report_summary.hpp"

#include <algorithm>
#include <cctype>
#include <map>

#include "core/report/report_text.hpp"

namespace vigil::core::report {

namespace {

void add_sample(SeriesStats& s, double v, double* sum) {
  s.min = s.min ? std::min(*s.min, v) : v;
  s.max = s.max ? std::max(*s.max, v) : v;
  s.last = v;
  *sum += v;
  ++s.samples;
}

// Mean, min and max of every sample of `metric` across the checks that count for the verdict.
SeriesStats headline(const ReportData& data, const std::string& metric) {
  SeriesStats s;
  double sum = 0;
  for (const auto& check : data.checks) {
    if (check.dry_run)
      continue;
    for (const auto& series : check.metrics) {
      if (series.name != metric)
        continue;
      if (s.unit.empty())
        s.unit = series.unit;
      for (const auto& p : series.points)
        add_sample(s, p.value, &sum);
    }
  }
  if (s.samples > 0)
    s.avg = sum / static_cast<double>(s.samples);
  s.last.reset();  // across checks "last" means nothing
  return s;
}

std::string outcome_of(const ReportWindow& w) {
  if (w.verdict) {
    std::string out = *w.verdict;
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
  }
  return w.stage.empty() ? "NO WINDOW" : "IN PROGRESS";
}

// The seed's "48-Hour Monitoring Report - <date>" when the window is whole hours long.
std::string title_of(const ReportWindow& w) {
  using std::chrono::hours;
  std::string prefix = "Monitoring Report";
  if (w.planned_duration > std::chrono::milliseconds(0) &&
      w.planned_duration % hours(1) == hours(0))
    prefix = std::to_string(w.planned_duration / hours(1)) + "-Hour " + prefix;
  return prefix + " - " + format_time(w.end).substr(0, 10);
}

std::string conclusion_of(const ReportWindow& w, const std::string& outcome) {
  if (outcome == "SUCCESSFUL")
    return "The deployment held its thresholds for the whole window and is ready for full "
           "production traffic.";
  if (outcome == "FAILED")
    return "The deployment failed its observation window" +
           (w.verdict_reason.empty() ? std::string(".") : ": " + w.verdict_reason + ".");
  if (outcome == "INCONCLUSIVE")
    return "The window was inconclusive" +
           (w.verdict_reason.empty() ? std::string(".") : ": " + w.verdict_reason + ".") +
           " Extend monitoring and investigate every violation before promoting.";
  if (outcome == "IN PROGRESS") {
    std::string text = "The observation window is still open (stage " + w.stage + ")";
    const auto planned_end = w.start + w.planned_duration;
    if (w.planned_duration.count() > 0 && planned_end > w.end) {
      text += ": " +
              format_duration(
                  std::chrono::duration_cast<std::chrono::milliseconds>(planned_end - w.end)) +
              " remaining";
    }
    return text + ".";
  }
  return "No observation window was recorded; this report covers the stored history.";
}

}  // namespace

SeriesStats stats_of(const std::vector<MetricPoint>& points) {
  SeriesStats s;
  double sum = 0;
  for (const auto& p : points)
    add_sample(s, p.value, &sum);
  if (s.samples > 0)
    s.avg = sum / static_cast<double>(s.samples);
  return s;
}

ReportSummary summarize(const ReportData& data) {
  ReportSummary out;
  out.title = title_of(data.window);
  out.outcome = outcome_of(data.window);
  out.conclusion = conclusion_of(data.window, out.outcome);
  std::size_t known_all = 0, up_all = 0;
  for (const auto& check : data.checks) {
    CheckSummary c;
    c.check = check.check;
    c.pipeline = check.pipeline;
    c.plugin = check.plugin;
    c.dry_run = check.dry_run;
    c.results = check.statuses.size();
    for (const auto& s : check.statuses) {
      switch (s.status) {
        case sdk::Status::Ok:
          ++c.ok;
          break;
        case sdk::Status::Warning:
          ++c.warning;
          break;
        case sdk::Status::Critical:
          ++c.critical;
          break;
        case sdk::Status::Unknown:
          ++c.unknown;
          break;
      }
    }
    if (!check.statuses.empty())
      c.last_status = check.statuses.back().status;
    const std::size_t known = c.ok + c.warning + c.critical;
    if (known > 0)
      c.uptime_percent = 100.0 * static_cast<double>(c.ok + c.warning) / static_cast<double>(known);
    if (c.results > 0)
      c.unknown_percent = 100.0 * static_cast<double>(c.unknown) / static_cast<double>(c.results);
    if (!check.dry_run) {
      out.results += c.results;
      known_all += known;
      up_all += c.ok + c.warning;
    }
    out.checks.push_back(std::move(c));
  }
  if (known_all > 0)
    out.overall_uptime_percent =
        100.0 * static_cast<double>(up_all) / static_cast<double>(known_all);
  out.pass_rate = headline(data, "pass_rate");
  out.error_rate = headline(data, "error_rate");
  out.p95 = headline(data, "p95");

  std::map<std::pair<std::string, std::string>, std::size_t> index;
  for (const auto& span : data.alerts) {
    const auto key = std::make_pair(span.rule, span.check);
    auto it = index.find(key);
    if (it == index.end()) {
      it = index.emplace(key, out.rules.size()).first;
      RuleSummary r;
      r.rule = span.rule;
      r.check = span.check;
      r.severity = span.severity;
      r.dry_run = span.dry_run;
      out.rules.push_back(std::move(r));
    }
    RuleSummary& r = out.rules[it->second];
    ++r.fired;
    if (span.silenced)
      ++r.silenced;
    if (!span.ended)
      r.still_firing = true;
    const auto from = std::max(span.started, data.window.start);
    const auto to = std::min(span.ended.value_or(data.window.end), data.window.end);
    if (to > from)
      r.time_firing += std::chrono::duration_cast<std::chrono::milliseconds>(to - from);
    if (!span.dry_run)
      ++out.alerts_fired;
  }
  for (const auto& a : data.actions) {
    if (a.status == "failed")
      ++out.actions_failed;
  }
  return out;
}

std::vector<const AlertSpan*> alerts_of_check(const ReportData& data, const std::string& check) {
  std::vector<const AlertSpan*> out;
  for (const auto& span : data.alerts) {
    if (span.check == check)
      out.push_back(&span);
  }
  return out;
}

}  // namespace vigil::core::report
