#include <sstream>

#include "core/report/report_render.hpp"
#include "core/report/report_summary.hpp"
#include "core/report/report_text.hpp"
#include "core/report/svg_chart.hpp"

namespace vigil::core::report {

namespace {

// Inline, so the page is one file that renders offline, from an e-mail or an incident bundle.
constexpr const char* kStyle = R"(
body { font-family: -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; color: #202124;
       margin: 24px auto; max-width: 1000px; padding: 0 16px; }
h1 { font-size: 24px; margin-bottom: 4px; }
h2 { font-size: 18px; margin-top: 32px; border-bottom: 1px solid #dadce0; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 20px 0 4px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border: 1px solid #dadce0; padding: 4px 6px; text-align: left; vertical-align: top; }
th { background: #f1f3f4; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
dl.summary { display: grid; grid-template-columns: max-content auto; gap: 4px 16px; }
dl.summary dt { font-weight: bold; }
dl.summary dd { margin: 0; }
.outcome { display: inline-block; padding: 2px 10px; border-radius: 10px; font-weight: bold; }
.outcome.successful { background: #e6f4ea; color: #137333; }
.outcome.failed { background: #fce8e6; color: #a50e0e; }
.outcome.inconclusive { background: #fef7e0; color: #b06000; }
.outcome.in-progress, .outcome.no-window { background: #e8f0fe; color: #174ea6; }
.status-CRITICAL, .status-failed { color: #a50e0e; font-weight: bold; }
.status-WARNING { color: #b06000; font-weight: bold; }
.status-UNKNOWN, .status-skipped { color: #5f6368; }
.note { color: #5f6368; font-size: 12px; }
figure { margin: 8px 0 16px; }
figcaption { font-size: 13px; margin-bottom: 2px; }
svg.chart { display: block; max-width: 100%; height: auto; }
.legend span { margin-right: 16px; font-size: 12px; }
.swatch { display: inline-block; width: 18px; height: 10px; vertical-align: middle; margin-right: 4px; }
)";

std::string css_class_of(std::string text) {
  for (char& c : text) {
    if (c == ' ')
      c = '-';
    else
      c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string cell(const std::string& text) {
  return "<td>" + html_escape(text) + "</td>";
}
std::string num_cell(const std::string& text) {
  return "<td class=\"num\">" + html_escape(text) + "</td>";
}

std::string range_text(const std::optional<sdk::Range>& r) {
  return r ? r->to_string() : "";
}

}  // namespace

std::string render_html(const ReportData& data) {
  const ReportSummary s = summarize(data);
  const auto& w = data.window;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      << "<title>" << html_escape(s.title) << (w.deployment.empty() ? "" : " - ")
      << html_escape(w.deployment) << "</title>\n<style>" << kStyle
      << "</style>\n</head>\n<body>\n";
  out << "<h1>" << html_escape(s.title) << "</h1>\n";

  out << "<h2>Summary</h2>\n<dl class=\"summary\">\n";
  if (!w.deployment.empty())
    out << "<dt>Deployment</dt><dd>" << html_escape(w.deployment) << "</dd>\n";
  out << "<dt>Start</dt><dd>" << format_time(w.start) << "</dd>\n";
  out << "<dt>End</dt><dd>" << format_time(w.end) << "</dd>\n";
  out << "<dt>Duration</dt><dd>"
      << format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(w.end - w.start));
  if (w.planned_duration.count() > 0)
    out << " of " << format_duration(w.planned_duration) << " planned";
  if (w.extensions > 0)
    out << ", extended " << w.extensions << (w.extensions == 1 ? " time" : " times");
  out << "</dd>\n";
  out << "<dt>Status</dt><dd><span class=\"outcome " << css_class_of(s.outcome) << "\">"
      << html_escape(s.outcome) << "</span></dd>\n";
  if (!w.verdict_reason.empty())
    out << "<dt>Reason</dt><dd>" << html_escape(w.verdict_reason) << "</dd>\n";
  out << "<dt>Results</dt><dd>" << s.results << " from " << data.checks.size()
      << " checks</dd>\n</dl>\n";

  out << "<h2>Metrics</h2>\n<table class=\"headline\">\n"
      << "<tr><th>Average pass rate</th><th>Average error rate</th><th>P95 latency, average</th>"
      << "<th>P95 latency, max</th><th>Uptime</th></tr>\n<tr>"
      << num_cell(format_with_unit(s.pass_rate.avg, s.pass_rate.unit))
      << num_cell(format_with_unit(s.error_rate.avg, s.error_rate.unit))
      << num_cell(format_with_unit(s.p95.avg, s.p95.unit))
      << num_cell(format_with_unit(s.p95.max, s.p95.unit))
      << num_cell(format_with_unit(s.overall_uptime_percent, "%")) << "</tr>\n</table>\n";

  out << "<h2>Uptime per check</h2>\n<table class=\"checks\">\n<tr><th>check</th><th>pipeline</th>"
      << "<th>results</th><th>OK</th><th>WARNING</th><th>CRITICAL</th><th>UNKNOWN</th>"
      << "<th>uptime</th><th>last</th></tr>\n";
  for (const auto& c : s.checks) {
    const std::string last = c.last_status ? std::string(sdk::to_string(*c.last_status)) : "";
    out << "<tr>" << cell(c.dry_run ? c.check + " (dry run)" : c.check) << cell(c.pipeline)
        << num_cell(std::to_string(c.results)) << num_cell(std::to_string(c.ok))
        << num_cell(std::to_string(c.warning)) << num_cell(std::to_string(c.critical))
        << num_cell(std::to_string(c.unknown)) << num_cell(format_with_unit(c.uptime_percent, "%"))
        << "<td class=\"status-" << last << "\">" << last << "</td></tr>\n";
  }
  out << "</table>\n<p class=\"note\">Uptime is the share of a check's results with a known "
         "status that were not CRITICAL; UNKNOWN results are counted apart.</p>\n";

  out << "<h2>Alerts triggered</h2>\n";
  if (s.rules.empty()) {
    out << "<p>None.</p>\n";
  } else {
    out << "<table class=\"rules\">\n<tr><th>rule</th><th>severity</th><th>check</th>"
        << "<th>fired</th><th>silenced</th><th>time firing</th><th>still firing</th></tr>\n";
    for (const auto& r : s.rules) {
      out << "<tr>" << cell(r.dry_run ? r.rule + " (dry run)" : r.rule) << cell(r.severity)
          << cell(r.check) << num_cell(std::to_string(r.fired))
          << num_cell(std::to_string(r.silenced)) << num_cell(format_duration(r.time_firing))
          << cell(r.still_firing ? "yes" : "no") << "</tr>\n";
    }
    out << "</table>\n<h3>Firing episodes</h3>\n<table class=\"episodes\">\n<tr><th>rule</th>"
        << "<th>severity</th><th>check</th><th>started</th><th>ended</th><th>silenced</th>"
        << "<th>reason</th></tr>\n";
    for (const auto& a : data.alerts) {
      out << "<tr>" << cell(a.rule) << cell(a.severity) << cell(a.check)
          << cell(format_time(a.started)) << cell(a.ended ? format_time(*a.ended) : "still firing")
          << cell(a.silenced ? "yes" : "no") << cell(a.reason) << "</tr>\n";
    }
    out << "</table>\n";
  }
  if (!data.flapping.empty()) {
    out << "<h3>Flapping</h3>\n<ul>\n";
    for (const auto& f : data.flapping) {
      out << "<li>" << html_escape(f.rule) << " (" << html_escape(f.check) << ") from "
          << format_time(f.started)
          << (f.ended ? " to " + format_time(*f.ended) : ", still flapping") << "</li>\n";
    }
    out << "</ul>\n";
  }

  out << "<h2>Silences</h2>\n";
  if (data.silences.empty()) {
    out << "<p>None.</p>\n";
  } else {
    out << "<table class=\"silences\">\n<tr><th>id</th><th>matchers</th><th>from</th>"
        << "<th>until</th><th>expired</th><th>by</th><th>comment</th></tr>\n";
    for (const auto& si : data.silences) {
      std::string matchers;
      for (const auto& m : si.matchers)
        matchers += (matchers.empty() ? "" : ", ") + m;
      out << "<tr>" << num_cell(std::to_string(si.id)) << cell(matchers)
          << cell(format_time(si.starts_at)) << cell(format_time(si.ends_at))
          << cell(si.expired_at ? format_time(*si.expired_at) : "") << cell(si.created_by)
          << cell(si.comment) << "</tr>\n";
    }
    out << "</table>\n";
  }

  out << "<h2>Actions</h2>\n";
  if (data.actions.empty()) {
    out << "<p>None.</p>\n";
  } else {
    out << "<table class=\"actions\">\n<tr><th>started</th><th>action</th><th>type</th>"
        << "<th>trigger</th><th>status</th><th>attempts</th><th>finished</th><th>message</th>"
        << "</tr>\n";
    for (const auto& a : data.actions) {
      out << "<tr>" << cell(format_time(a.started_at)) << cell(a.action) << cell(a.type)
          << cell(a.trigger) << "<td class=\"status-" << html_escape(a.status) << "\">"
          << html_escape(a.status) << "</td>" << num_cell(std::to_string(a.attempts))
          << cell(a.finished_at ? format_time(*a.finished_at) : "") << cell(a.message) << "</tr>\n";
    }
    out << "</table>\n";
  }

  out << "<h2>Charts</h2>\n<p class=\"legend\">"
      << "<span><span class=\"swatch\" style=\"background:#1a73e8\"></span>value</span>"
      << "<span><span class=\"swatch\" style=\"border-top:2px dashed #e37400\"></span>"
      << "warning threshold</span>"
      << "<span><span class=\"swatch\" style=\"border-top:2px dashed #c5221f\"></span>"
      << "critical threshold</span>"
      << "<span><span class=\"swatch\" style=\"background:rgba(217,48,37,0.18)\"></span>"
      << "alert firing</span></p>\n";
  for (const auto& check : data.checks) {
    if (check.metrics.empty())
      continue;
    out << "<section class=\"check\">\n<h3>" << html_escape(check.check)
        << (check.dry_run ? " (dry run)" : "") << "</h3>\n";
    const auto spans = alerts_of_check(data, check.check);
    for (const auto& series : check.metrics) {
      const std::string name = series.display_name();
      std::string caption = name;
      if (!series.unit.empty())
        caption += " (" + series.unit + ")";
      if (series.warning)
        caption += ", warning " + range_text(series.warning);
      if (series.critical)
        caption += ", critical " + range_text(series.critical);
      out << "<figure>\n<figcaption>" << html_escape(caption) << "</figcaption>\n"
          << render_svg_chart(series, spans, w.start, w.end, check.check + ": " + name)
          << "\n</figure>\n";
    }
    out << "</section>\n";
  }

  out << "<h2>Conclusion</h2>\n<p>" << html_escape(s.conclusion) << "</p>\n";
  out << "<p class=\"note\">Generated by vigil " << VIGIL_VERSION << " at "
      << format_time(data.generated_at) << ". Times are UTC.</p>\n</body>\n</html>\n";
  return out.str();
}

}  // namespace vigil::core::report
