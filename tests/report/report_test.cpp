// The report's figures and its three renderings, on hand-built data: no database, no clock.
#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <string>

#include "core/report/report_data.hpp"
#include "core/report/report_render.hpp"
#include "core/report/report_summary.hpp"
#include "core/report/report_text.hpp"
#include "core/report/svg_chart.hpp"

namespace vigil::core::report {
namespace {

using namespace std::chrono_literals;
using sdk::Status;

// 2026-11-27T06:00:00Z
const sdk::TimePoint kStart = sdk::TimePoint(std::chrono::seconds(1795759200));

std::size_t count_of(const std::string& haystack, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string::npos;
       pos = haystack.find(needle, pos + needle.size()))
    ++n;
  return n;
}

MetricSeries series(std::string name, std::string unit, std::vector<double> values,
                    std::chrono::minutes step = 60min) {
  MetricSeries s;
  s.name = std::move(name);
  s.unit = std::move(unit);
  for (std::size_t i = 0; i < values.size(); ++i)
    s.points.push_back({kStart + step * static_cast<int>(i), values[i]});
  return s;
}

CheckHistory check(std::string name, std::vector<Status> statuses,
                   std::vector<MetricSeries> metrics = {}) {
  CheckHistory c;
  c.check = std::move(name);
  c.pipeline = "genesis";
  c.plugin = "noop";
  for (std::size_t i = 0; i < statuses.size(); ++i)
    c.statuses.push_back({kStart + 60min * static_cast<int>(i), statuses[i]});
  c.metrics = std::move(metrics);
  return c;
}

TransitionInput transition(std::string rule, std::string check, std::string from, std::string to,
                           sdk::TimePoint at) {
  TransitionInput t;
  t.rule = std::move(rule);
  t.check = std::move(check);
  t.pipeline = "genesis";
  t.severity = "critical";
  t.kind = "state";
  t.from = std::move(from);
  t.to = std::move(to);
  t.at = at;
  return t;
}

// A 48-hour window that failed: pass rate dipped, one rule fired twice, a rollback ran.
ReportData failed_window() {
  ReportData d;
  d.window.deployment = "phase-4";
  d.window.start = kStart;
  d.window.end = kStart + 48h;
  d.window.planned_duration = 48h;
  d.window.stage = "concluded";
  d.window.verdict = "failed";
  d.window.verdict_reason = "critical rule pass-rate-low fired";
  d.generated_at = d.window.end;

  auto pass = series("pass_rate", "%", {100, 99, 94, 93, 100});
  pass.warning = sdk::Range{98, std::numeric_limits<double>::infinity(), false};
  pass.critical = sdk::Range{95, std::numeric_limits<double>::infinity(), false};
  d.checks.push_back(check(
      "tests", {Status::Ok, Status::Ok, Status::Critical, Status::Critical, Status::Ok}, {pass}));
  auto errors = series("error_rate", "%", {0.1, 0.3, 0.2});
  auto p95 = series("p95", "s", {0.1, 0.3, 0.5});
  p95.critical = sdk::Range{-std::numeric_limits<double>::infinity(), 0.5, false};
  d.checks.push_back(check("api", {Status::Ok, Status::Warning, Status::Unknown}, {errors, p95}));
  // A shadow check: shown, but no part of the headline figures.
  CheckHistory shadow = check("shadow", {Status::Critical}, {series("pass_rate", "%", {0})});
  shadow.dry_run = true;
  d.checks.push_back(shadow);

  add_transitions(d, {transition("pass-rate-low", "tests", "pending", "firing", kStart + 2h),
                      transition("pass-rate-low", "tests", "firing", "resolved", kStart + 4h),
                      transition("pass-rate-low", "tests", "inactive", "pending", kStart + 1h),
                      transition("pass-rate-low", "tests", "resolved", "firing", kStart + 47h)});
  ReportSilence silence;
  silence.id = 7;
  silence.matchers = {"check=api"};
  silence.starts_at = kStart + 1h;
  silence.ends_at = kStart + 3h;
  silence.comment = "planned restart";
  silence.created_by = "ops";
  d.silences.push_back(silence);
  ReportAction rollback;
  rollback.action = "rollback";
  rollback.type = "rollback";
  rollback.trigger = "rule:pass-rate-low:step2";
  rollback.rule = "pass-rate-low";
  rollback.started_at = kStart + 3h;
  rollback.finished_at = kStart + 3h + 40s;
  rollback.status = "ok";
  rollback.message = "verified: tests passed";
  rollback.attempts = 1;
  d.actions.push_back(rollback);
  return d;
}

TEST(ReportSummary, UptimeLeavesUnknownOutAndCountsWarningAsUp) {
  const ReportSummary s = summarize(failed_window());
  ASSERT_EQ(s.checks.size(), 3u);
  EXPECT_EQ(s.checks[0].results, 5u);
  EXPECT_EQ(s.checks[0].critical, 2u);
  EXPECT_DOUBLE_EQ(*s.checks[0].uptime_percent, 60.0);
  // api: OK, WARNING, UNKNOWN -> 2 known, both up; one of three unknown.
  EXPECT_DOUBLE_EQ(*s.checks[1].uptime_percent, 100.0);
  EXPECT_NEAR(*s.checks[1].unknown_percent, 100.0 / 3, 1e-9);
  EXPECT_EQ(s.checks[1].last_status, Status::Unknown);
  // Overall: 7 known results of the two real checks, 5 up; the shadow check does not count.
  EXPECT_EQ(s.results, 8u);
  EXPECT_NEAR(*s.overall_uptime_percent, 500.0 / 7, 1e-9);
}

TEST(ReportSummary, OnlyUnknownResultsGiveNoUptime) {
  ReportData d;
  d.checks.push_back(check("blind", {Status::Unknown, Status::Unknown}));
  const ReportSummary s = summarize(d);
  EXPECT_FALSE(s.checks[0].uptime_percent.has_value());
  EXPECT_DOUBLE_EQ(*s.checks[0].unknown_percent, 100.0);
  EXPECT_FALSE(s.overall_uptime_percent.has_value());
  EXPECT_EQ(s.outcome, "NO WINDOW");
}

TEST(ReportSummary, HeadlineFiguresAverageEverySampleOfRealChecks) {
  const ReportSummary s = summarize(failed_window());
  EXPECT_EQ(s.pass_rate.samples, 5u);  // not the shadow check's 0
  EXPECT_DOUBLE_EQ(*s.pass_rate.avg, (100 + 99 + 94 + 93 + 100) / 5.0);
  EXPECT_DOUBLE_EQ(*s.pass_rate.min, 93);
  EXPECT_EQ(s.pass_rate.unit, "%");
  EXPECT_DOUBLE_EQ(*s.error_rate.avg, 0.2);
  EXPECT_DOUBLE_EQ(*s.p95.avg, 0.3);
  EXPECT_DOUBLE_EQ(*s.p95.max, 0.5);
  EXPECT_EQ(s.p95.unit, "s");
}

TEST(ReportSummary, OutcomeAndTitleFollowTheWindow) {
  ReportData d = failed_window();
  ReportSummary s = summarize(d);
  EXPECT_EQ(s.outcome, "FAILED");
  EXPECT_EQ(s.title, "48-Hour Monitoring Report - 2026-11-29");
  EXPECT_NE(s.conclusion.find("critical rule pass-rate-low fired"), std::string::npos);

  d.window.verdict.reset();
  d.window.stage = "watch";
  d.window.end = kStart + 47h + 30min;
  s = summarize(d);
  EXPECT_EQ(s.outcome, "IN PROGRESS");
  EXPECT_NE(s.conclusion.find("30m remaining"), std::string::npos) << s.conclusion;

  d.window.planned_duration = 90s;
  EXPECT_EQ(summarize(d).title, "Monitoring Report - 2026-11-29");
}

TEST(ReportTransitions, FiringEpisodesOpenOnFiringAndCloseOnTheNextChange) {
  const ReportData d = failed_window();
  ASSERT_EQ(d.alerts.size(), 2u);
  EXPECT_EQ(d.alerts[0].started, kStart + 2h);
  EXPECT_EQ(d.alerts[0].ended, kStart + 4h);
  EXPECT_EQ(d.alerts[1].started, kStart + 47h);
  EXPECT_FALSE(d.alerts[1].ended.has_value());

  const ReportSummary s = summarize(d);
  ASSERT_EQ(s.rules.size(), 1u);
  EXPECT_EQ(s.rules[0].fired, 2u);
  EXPECT_TRUE(s.rules[0].still_firing);
  // 2h resolved plus the last hour of the window, still firing at its end.
  EXPECT_EQ(s.rules[0].time_firing, std::chrono::milliseconds(3h));
  EXPECT_EQ(s.alerts_fired, 2u);
}

TEST(ReportTransitions, RepeatedFiringRecordsAndFlappingAreKeptApart) {
  ReportData d;
  auto flap_on = transition("r", "c", "", "", kStart + 5min);
  flap_on.kind = "flapping_started";
  auto flap_off = transition("r", "c", "", "", kStart + 9min);
  flap_off.kind = "flapping_stopped";
  add_transitions(d, {transition("r", "c", "pending", "firing", kStart),
                      transition("r", "c", "firing", "firing", kStart + 1min),
                      transition("r", "other", "pending", "firing", kStart + 2min), flap_on,
                      flap_off, transition("r", "c", "firing", "resolved", kStart + 10min)});
  ASSERT_EQ(d.alerts.size(), 2u);
  EXPECT_EQ(d.alerts[0].check, "c");
  EXPECT_EQ(d.alerts[0].ended, kStart + 10min);
  EXPECT_FALSE(d.alerts[1].ended.has_value());
  ASSERT_EQ(d.flapping.size(), 1u);
  EXPECT_EQ(d.flapping[0].ended, kStart + 9min);
}

TEST(ReportText, FiguresAndDurations) {
  EXPECT_EQ(format_figure(98.2345), "98.23");
  EXPECT_EQ(format_figure(100), "100");
  EXPECT_EQ(format_figure(0.5), "0.5");
  EXPECT_EQ(format_figure(12345.6), "12346");
  EXPECT_EQ(format_figure(0.0000123), "0.0000123");
  EXPECT_EQ(format_with_unit(0.12, "s"), "0.12 s");
  EXPECT_EQ(format_with_unit(std::nullopt, "%"), "n/a");
  EXPECT_EQ(format_duration(48h), "2d");
  EXPECT_EQ(format_duration(3h + 5min + 7s), "3h 5m");
  EXPECT_EQ(format_duration(std::chrono::milliseconds(750)), "750ms");
  EXPECT_EQ(html_escape("<a href=\"x\">'&'</a>"),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
  EXPECT_EQ(markdown_cell("a|b\nc"), "a\\|b c");
}

TEST(SvgChart, ThresholdLinesFollowTheRanges) {
  const ReportData d = failed_window();
  const auto lines = threshold_lines(d.checks[0].metrics[0]);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0].level, "warning");
  EXPECT_DOUBLE_EQ(lines[0].value, 98);
  EXPECT_EQ(lines[0].label, "warning < 98");
  EXPECT_EQ(lines[1].label, "critical < 95");
  const auto p95_lines = threshold_lines(d.checks[1].metrics[1]);
  ASSERT_EQ(p95_lines.size(), 1u);
  EXPECT_EQ(p95_lines[0].label, "critical > 0.5");
}

double attribute(const std::string& element, const std::string& name) {
  std::smatch m;
  const std::regex re(" " + name + "=\"([-0-9.]+)\"");
  if (!std::regex_search(element, m, re))
    throw std::runtime_error("no " + name + " in " + element);
  return std::stod(m[1]);
}

std::string element(const std::string& svg, const std::string& start) {
  const auto pos = svg.find(start);
  if (pos == std::string::npos)
    throw std::runtime_error("no " + start);
  return svg.substr(pos, svg.find('>', pos) - pos + 1);
}

TEST(SvgChart, DrawsValuesThresholdsAndAlertSpansWhereTheScaleSays) {
  const ReportData d = failed_window();
  const MetricSeries& pass = d.checks[0].metrics[0];
  const auto spans = alerts_of_check(d, "tests");
  const std::string svg = render_svg_chart(pass, spans, d.window.start, d.window.end, "tests");
  const ChartScale scale(pass, d.window.start, d.window.end);

  EXPECT_EQ(count_of(svg, "<polyline"), 1u);
  EXPECT_EQ(count_of(svg, "<circle"), 5u);
  // The value axis holds the data (93..100) and both thresholds, with room to spare.
  EXPECT_LT(scale.value_low(), 93);
  EXPECT_GT(scale.value_high(), 100);

  const std::string critical = element(svg, "<line class=\"threshold critical\"");
  EXPECT_NEAR(attribute(critical, "y1"), scale.y_of(95), 0.051);
  EXPECT_NEAR(attribute(critical, "y2"), scale.y_of(95), 0.051);
  EXPECT_NE(critical.find("stroke-dasharray"), std::string::npos);
  EXPECT_NEAR(attribute(element(svg, "<line class=\"threshold warning\""), "y1"), scale.y_of(98),
              0.051);
  EXPECT_NE(svg.find(">critical &lt; 95</text>"), std::string::npos);

  // Two firing episodes: 2h..4h, and 47h to the end of the window.
  EXPECT_EQ(count_of(svg, "<rect class=\"alert-span critical\""), 2u);
  const std::string first = element(svg, "<rect class=\"alert-span critical\"");
  EXPECT_NEAR(attribute(first, "x"), scale.x_of(kStart + 2h), 0.051);
  EXPECT_NEAR(attribute(first, "width"), scale.x_of(kStart + 4h) - scale.x_of(kStart + 2h), 0.11);

  // First sample at the left edge, at the value's height.
  std::smatch m;
  ASSERT_TRUE(std::regex_search(svg, m, std::regex("points=\"([-0-9.]+),([-0-9.]+) ")));
  EXPECT_NEAR(std::stod(m[1]), scale.x_of(kStart), 0.051);
  EXPECT_NEAR(std::stod(m[2]), scale.y_of(100), 0.051);
}

TEST(SvgChart, TimeTicksAreRoundAndFew) {
  const ReportData d = failed_window();
  const std::string svg =
      render_svg_chart(d.checks[0].metrics[0], {}, d.window.start, d.window.end, "tests");
  // 48 hours: a tick every 6 hours from 06:00, labelled with the date.
  EXPECT_EQ(count_of(svg, "class=\"tick x\""), 9u);
  EXPECT_NE(svg.find(">11-27 12:00</text>"), std::string::npos);
  const std::string short_svg =
      render_svg_chart(series("v", "", {1, 2}, 1min), {}, kStart, kStart + 90s, "short");
  EXPECT_NE(short_svg.find(">06:00:30</text>"), std::string::npos);
}

TEST(SvgChart, AFlatOrEmptySeriesStillHasAnAxis) {
  const std::string flat =
      render_svg_chart(series("v", "", {5, 5, 5}), {}, kStart, kStart + 3h, "flat");
  EXPECT_EQ(flat.find("nan"), std::string::npos);
  EXPECT_EQ(count_of(flat, "<polyline"), 1u);
  const std::string empty = render_svg_chart(series("v", "", {}), {}, kStart, kStart, "empty");
  EXPECT_NE(empty.find("no samples"), std::string::npos);
  EXPECT_EQ(empty.find("nan"), std::string::npos);
}

TEST(HtmlReport, OneChartPerMetricSeriesAndNothingExternal) {
  const std::string html = render_html(failed_window());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // tests: pass_rate; api: error_rate, p95; shadow: pass_rate.
  EXPECT_EQ(count_of(html, "<svg"), 4u);
  EXPECT_EQ(count_of(html, "<polyline"), 4u);
  EXPECT_EQ(count_of(html, "</svg>"), 4u);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  // The only URL is the SVG namespace name, which is never fetched.
  EXPECT_EQ(count_of(html, "http"), count_of(html, "xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_NE(html.find("<span class=\"outcome failed\">FAILED</span>"), std::string::npos);
  EXPECT_NE(html.find("<td class=\"num\">97.2%</td>"), std::string::npos);  // pass rate
  EXPECT_NE(html.find("<td class=\"num\">0.5 s</td>"), std::string::npos);  // p95 max
  EXPECT_NE(html.find("rule:pass-rate-low:step2"), std::string::npos);
  EXPECT_NE(html.find("planned restart"), std::string::npos);
}

TEST(HtmlReport, EveryStringFromTheDataIsEscaped) {
  ReportData d = failed_window();
  d.window.deployment = "\"><img onerror=x>";
  d.checks[0].check = "<script>alert(1)</script>";
  d.checks[0].metrics[0].labels = {{"path", "/a&b"}};
  d.actions[0].message = "</td><b>bold</b>";
  d.silences[0].comment = "it's <fine>";
  add_transitions(
      d, {transition("<rule>", "<script>alert(1)</script>", "pending", "firing", kStart + 10h)});
  const std::string html = render_html(d);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_EQ(html.find("<b>"), std::string::npos);
  EXPECT_EQ(html.find("<rule>"), std::string::npos);
  EXPECT_NE(html.find("<h3>&lt;script&gt;alert(1)&lt;/script&gt;</h3>"), std::string::npos);
  EXPECT_NE(html.find("pass_rate{path=/a&amp;b}"), std::string::npos);
  EXPECT_NE(html.find("it&#39;s &lt;fine&gt;"), std::string::npos);
  EXPECT_NE(html.find("&quot;&gt;&lt;img onerror=x&gt;"), std::string::npos);
  EXPECT_EQ(count_of(html, "<svg"), 4u);
}

TEST(MarkdownReport, FollowsTheSeedTemplate) {
  const std::string md = render_markdown(failed_window());
  EXPECT_EQ(md.rfind("# 48-Hour Monitoring Report - 2026-11-29\n", 0), 0u) << md;
  EXPECT_NE(md.find("- Start: 2026-11-27T06:00:00Z\n"), std::string::npos);
  EXPECT_NE(md.find("- End: 2026-11-29T06:00:00Z\n"), std::string::npos);
  EXPECT_NE(md.find("- Status: ❌ FAILED\n"), std::string::npos);
  EXPECT_NE(md.find("- Average Pass Rate: 97.2%\n"), std::string::npos);
  EXPECT_NE(md.find("- Average Error Rate: 0.2%\n"), std::string::npos);
  EXPECT_NE(md.find("- P95 Latency: average 0.3 s, max 0.5 s\n"), std::string::npos);
  EXPECT_NE(md.find("| tests | genesis | 5 | 3 | 0 | 2 | 0 | 60% | OK |"), std::string::npos) << md;
  EXPECT_NE(md.find("| shadow (dry run) |"), std::string::npos);
  EXPECT_NE(md.find("- [critical] pass-rate-low (tests): fired 2 times, firing 3h in total, "
                    "still firing\n"),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("| 7 | check=api |"), std::string::npos);
  EXPECT_NE(md.find("| rollback | rollback | rule:pass-rate-low:step2 | ok | 1 |"),
            std::string::npos);
  EXPECT_NE(md.find("## Conclusion\nThe deployment failed its observation window: critical rule "
                    "pass-rate-low fired.\n"),
            std::string::npos);
}

TEST(JsonReport, CarriesTheFiguresAndEverySample) {
  const nlohmann::json j = render_json(failed_window());
  EXPECT_EQ(j["summary"]["outcome"], "FAILED");
  EXPECT_DOUBLE_EQ(j["summary"]["pass_rate"]["avg"].get<double>(), 97.2);
  EXPECT_DOUBLE_EQ(j["summary"]["p95"]["max"].get<double>(), 0.5);
  EXPECT_EQ(j["window"]["start"], "2026-11-27T06:00:00Z");
  EXPECT_EQ(j["window"]["verdict"], "failed");
  EXPECT_DOUBLE_EQ(j["window"]["planned_duration_seconds"].get<double>(), 172800);
  ASSERT_EQ(j["checks"].size(), 3u);
  EXPECT_DOUBLE_EQ(j["checks"][0]["uptime_percent"].get<double>(), 60);
  EXPECT_EQ(j["checks"][0]["metrics"][0]["points"].size(), 5u);
  EXPECT_EQ(j["checks"][0]["metrics"][0]["critical"], "95:");
  EXPECT_EQ(j["checks"][1]["last_status"], "UNKNOWN");
  EXPECT_EQ(j["alerts"]["rules"][0]["fired"], 2);
  EXPECT_TRUE(j["alerts"]["episodes"][1]["ended"].is_null());
  EXPECT_EQ(j["actions"][0]["status"], "ok");
  EXPECT_EQ(j["silences"][0]["matchers"][0], "check=api");
}

}  // namespace
}  // namespace vigil::core::report
