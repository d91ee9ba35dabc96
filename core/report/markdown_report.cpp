#include <sstream>

#include "core/report/report_render.hpp"
#include "core/report/report_summary.hpp"
#include "core/report/report_text.hpp"

namespace vigil::core::report {

namespace {

const char* outcome_mark(const std::string& outcome) {
  if (outcome == "SUCCESSFUL")
    return "✅ ";
  if (outcome == "FAILED")
    return "❌ ";
  if (outcome == "INCONCLUSIVE")
    return "⚠️ ";
  return "";
}

std::string range_text(const std::optional<sdk::Range>& r) {
  return r ? r->to_string() : "";
}

std::string check_label(const std::string& check, bool dry_run) {
  return dry_run ? check + " (dry run)" : check;
}

}  // namespace

std::string render_markdown(const ReportData& data) {
  const ReportSummary s = summarize(data);
  const auto& w = data.window;
  std::ostringstream out;
  out << "# " << s.title << "\n\n## Summary\n";
  if (!w.deployment.empty())
    out << "- Deployment: " << w.deployment << "\n";
  out << "- Start: " << format_time(w.start) << "\n";
  out << "- End: " << format_time(w.end) << "\n";
  out << "- Duration: "
      << format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(w.end - w.start));
  if (w.planned_duration.count() > 0)
    out << " of " << format_duration(w.planned_duration) << " planned";
  if (w.extensions > 0)
    out << ", extended " << w.extensions << (w.extensions == 1 ? " time" : " times");
  out << "\n";
  out << "- Status: " << outcome_mark(s.outcome) << s.outcome << "\n";
  if (!w.verdict_reason.empty())
    out << "- Reason: " << w.verdict_reason << "\n";
  out << "- Results: " << s.results << " from " << data.checks.size() << " checks\n";

  out << "\n## Metrics\n";
  out << "- Average Pass Rate: " << format_with_unit(s.pass_rate.avg, s.pass_rate.unit) << "\n";
  out << "- Average Error Rate: " << format_with_unit(s.error_rate.avg, s.error_rate.unit) << "\n";
  out << "- P95 Latency: average " << format_with_unit(s.p95.avg, s.p95.unit) << ", max "
      << format_with_unit(s.p95.max, s.p95.unit) << "\n";
  out << "- Uptime: " << format_with_unit(s.overall_uptime_percent, "%") << "\n";

  out << "\n## Uptime per check\n\n";
  out << "| check | pipeline | results | OK | WARNING | CRITICAL | UNKNOWN | uptime | last |\n";
  out << "|---|---|---:|---:|---:|---:|---:|---:|---|\n";
  for (const auto& c : s.checks) {
    out << "| " << markdown_cell(check_label(c.check, c.dry_run)) << " | "
        << markdown_cell(c.pipeline) << " | " << c.results << " | " << c.ok << " | " << c.warning
        << " | " << c.critical << " | " << c.unknown << " | "
        << format_with_unit(c.uptime_percent, "%") << " | "
        << (c.last_status ? std::string(sdk::to_string(*c.last_status)) : "") << " |\n";
  }
  out << "\nUptime is the share of a check's results with a known status that were not "
         "CRITICAL; UNKNOWN results are counted apart.\n";

  out << "\n## Metrics per check\n\n";
  out << "| check | metric | samples | min | avg | max | last | warning | critical |\n";
  out << "|---|---|---:|---:|---:|---:|---:|---|---|\n";
  for (const auto& check : data.checks) {
    for (const auto& series : check.metrics) {
      const SeriesStats st = stats_of(series.points);
      out << "| " << markdown_cell(check_label(check.check, check.dry_run)) << " | "
          << markdown_cell(series.display_name()) << " | " << st.samples << " | "
          << format_with_unit(st.min, series.unit) << " | " << format_with_unit(st.avg, series.unit)
          << " | " << format_with_unit(st.max, series.unit) << " | "
          << format_with_unit(st.last, series.unit) << " | "
          << markdown_cell(range_text(series.warning)) << " | "
          << markdown_cell(range_text(series.critical)) << " |\n";
    }
  }

  out << "\n## Alerts Triggered\n";
  if (s.rules.empty())
    out << "None.\n";
  for (const auto& r : s.rules) {
    out << "- [" << r.severity << "] " << r.rule << " (" << r.check << "): fired " << r.fired
        << (r.fired == 1 ? " time" : " times") << ", firing " << format_duration(r.time_firing)
        << " in total";
    if (r.silenced > 0)
      out << ", " << r.silenced << " silenced";
    if (r.still_firing)
      out << ", still firing";
    if (r.dry_run)
      out << " (dry run)";
    out << "\n";
  }
  if (!data.alerts.empty()) {
    out << "\n| rule | severity | check | started | ended | silenced | reason |\n";
    out << "|---|---|---|---|---|---|---|\n";
    for (const auto& a : data.alerts) {
      out << "| " << markdown_cell(a.rule) << " | " << markdown_cell(a.severity) << " | "
          << markdown_cell(a.check) << " | " << format_time(a.started) << " | "
          << (a.ended ? format_time(*a.ended) : "still firing") << " | "
          << (a.silenced ? "yes" : "no") << " | " << markdown_cell(a.reason) << " |\n";
    }
  }
  for (const auto& f : data.flapping) {
    out << "- flapping: " << f.rule << " (" << f.check << ") from " << format_time(f.started)
        << (f.ended ? " to " + format_time(*f.ended) : ", still flapping") << "\n";
  }

  out << "\n## Silences\n";
  if (data.silences.empty()) {
    out << "None.\n";
  } else {
    out << "\n| id | matchers | from | until | expired | by | comment |\n";
    out << "|---:|---|---|---|---|---|---|\n";
    for (const auto& si : data.silences) {
      std::string matchers;
      for (const auto& m : si.matchers)
        matchers += (matchers.empty() ? "" : ", ") + m;
      out << "| " << si.id << " | " << markdown_cell(matchers) << " | " << format_time(si.starts_at)
          << " | " << format_time(si.ends_at) << " | "
          << (si.expired_at ? format_time(*si.expired_at) : "") << " | "
          << markdown_cell(si.created_by) << " | " << markdown_cell(si.comment) << " |\n";
    }
  }

  out << "\n## Actions\n";
  if (data.actions.empty()) {
    out << "None.\n";
  } else {
    out << "\n| started | action | type | trigger | status | attempts | finished | message |\n";
    out << "|---|---|---|---|---|---:|---|---|\n";
    for (const auto& a : data.actions) {
      out << "| " << format_time(a.started_at) << " | " << markdown_cell(a.action) << " | "
          << markdown_cell(a.type) << " | " << markdown_cell(a.trigger) << " | "
          << markdown_cell(a.status) << " | " << a.attempts << " | "
          << (a.finished_at ? format_time(*a.finished_at) : "") << " | " << markdown_cell(a.message)
          << " |\n";
    }
  }

  out << "\n## Conclusion\n" << s.conclusion << "\n";
  return out.str();
}

}  // namespace vigil::core::report
