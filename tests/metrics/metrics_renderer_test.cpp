// vigil's families from a hand-made snapshot and a configuration read from YAML: what each
// series says, and where each threshold line comes from.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <regex>
#include <set>
#include <sstream>

#include "core/config/config.hpp"
#include "core/metrics/metrics_renderer.hpp"
#include "core/metrics/threshold_lookup.hpp"

namespace vigil::core {
namespace {

using namespace std::chrono_literals;

const char* kConfig = R"(actions:
  - {name: rollback, plugin: rollback, options: {command: [/bin/true]}}
  - {name: sink, plugin: command, options: {command: [/bin/true]}}
window:
  duration: 10h
  deployment: "rel-42"
  on_failure: [rollback]
  extend_on_inconclusive: 2h
pipelines:
  - name: web
    labels: {team: payments, check: shadowed}
    checks:
      - name: errors
        plugin: noop
        thresholds:
          error_rate: {warning: ">= 0.5", critical: "> 1"}
      - name: disks
        plugin: exec
        dry_run: true
        thresholds:
          used_percent: {critical: "~:90", labels: {mount: /}}
          load: {warning: "10:20"}
    rules:
      - {name: errors-high, check: errors, when: "error_rate > 5", severity: critical,
         notify: [sink]}
      - {name: disks-warn, check: disks, when: "used_percent > 70", severity: warning}
      - {name: disks-crit, check: disks, when: "used_percent > 95", severity: critical}
      - {name: disks-info, check: disks, when: "inodes > 1", severity: info}
      - {name: errors-status, check: errors, when: "status >= WARNING"}
)";

Config load_config() {
  ConfigLoadOptions options;
  options.getenv = [](std::string_view) { return std::optional<std::string>(); };
  ConfigLoadResult r = ConfigLoader::load_string(kConfig, "test.yaml", options);
  std::string issues;
  for (const auto& i : r.issues)
    issues += i.to_string() + "\n";
  EXPECT_TRUE(r.ok()) << issues;
  return r.config;
}

sdk::TimePoint at(std::int64_t ms) {
  return sdk::TimePoint(std::chrono::milliseconds(ms));
}

CheckResult result(const std::string& check, sdk::Status status, std::vector<sdk::Metric> m) {
  CheckResult r;
  r.pipeline = "web";
  r.check = check;
  r.status = status;
  r.metrics = std::move(m);
  r.started = at(1764400000500);
  r.duration = 1250ms;
  return r;
}

MetricsSnapshot snapshot() {
  MetricsSnapshot s;
  s.started = at(1764399000000);
  s.now = at(1764400000000 + 5LL * 3600 * 1000);  // half way through the 10h window
  s.latest.push_back(
      result("errors", sdk::Status::Critical, {sdk::Metric("error_rate", 7.5, "%")}));
  sdk::Metric root("used_percent", 93, "%", {{"mount", "/"}});
  sdk::Metric var("used_percent", 40, "%", {{"mount", "/var"}, {"device", "a\"b"}});
  sdk::Metric load("load", 3);
  sdk::Metric p95("p95", 0.3, "s", {{"check", "inner"}, {"bad-name", "x"}});
  p95.crit = sdk::Range{-std::numeric_limits<double>::infinity(), 0.5, false};
  s.latest.push_back(result("disks", sdk::Status::Critical, {root, var, load, p95}));
  AlertView a;
  a.rule = "errors-high";
  a.pipeline = "web";
  a.check = "errors";
  a.severity = "critical";
  a.state = AlertState::Firing;
  a.silenced = true;
  s.alerts.push_back(a);
  a.rule = "disks-warn";
  a.severity = "warning";
  a.state = AlertState::Pending;
  a.silenced = false;
  a.flapping = true;
  s.alerts.push_back(a);
  WindowSnapshot w;
  w.record.deployment = "rel-42";
  w.record.started_at = at(1764400000000);
  w.record.duration = 10h;
  w.record.stage = "watch";
  w.ends_at = at(1764400000000 + 10LL * 3600 * 1000);
  w.verdict = Verdict::Failed;
  s.window = w;
  s.facts.results = 120;
  s.facts.unknown_results = 3;
  s.actions[{"sink", "command", "ok"}] = 2;
  s.actions[{"sink", "command", "failed"}] = 1;
  s.actions[{"promote", "operator", "ok"}] = 1;
  return s;
}

bool has_line(const std::string& text, const std::string& line) {
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) {
    if (l == line)
      return true;
  }
  return false;
}

#define EXPECT_LINE(text, line) \
  EXPECT_TRUE(has_line((text), (line))) << "missing: " << (line) << "\n" << (text)

TEST(MetricsRenderer, ChecksStatusDurationAndLastRun) {
  const std::string out = MetricsRenderer(load_config()).render(snapshot());
  EXPECT_LINE(out, "vigil_check_status{pipeline=\"web\",check=\"errors\"} 2");
  EXPECT_LINE(out, "vigil_check_duration_seconds{pipeline=\"web\",check=\"errors\"} 1.25");
  EXPECT_LINE(out,
              "vigil_check_last_run_timestamp_seconds{pipeline=\"web\",check=\"errors\"} "
              "1764400000.5");
  // Every configured check, its configured labels colliding with vigil's renamed.
  EXPECT_LINE(out,
              "vigil_check_info{pipeline=\"web\",check=\"disks\",plugin=\"exec\",dry_run=\"true\","
              "exported_check=\"shadowed\",team=\"payments\"} 1");
  EXPECT_LINE(out, "vigil_start_time_seconds 1764399000");
  // The default interval: 5m.
  EXPECT_LINE(out, "vigil_check_interval_seconds{pipeline=\"web\",check=\"disks\"} 300");
  EXPECT_NE(out.find("vigil_build_info{version=\"" VIGIL_VERSION "\",sdk_version=\""),
            std::string::npos);
}

TEST(MetricsRenderer, EachPluginMetricWithItsLabelsAndBoundsUnderTheSameLabels) {
  const std::string out = MetricsRenderer(load_config()).render(snapshot());
  const std::string root =
      "{pipeline=\"web\",check=\"disks\",metric=\"used_percent\",unit=\"%\",mount=\"/\"}";
  EXPECT_LINE(out, "vigil_check_metric" + root + " 93");
  // The check's own threshold wins for critical; warning comes from the warning rule.
  EXPECT_LINE(out, "vigil_check_metric_critical_threshold" + root + " 90");
  EXPECT_LINE(out, "vigil_check_metric_warning_threshold" + root + " 70");
  // mount=/var is not in the threshold's labels: the rules give both bounds.
  const std::string var =
      "{pipeline=\"web\",check=\"disks\",metric=\"used_percent\",unit=\"%\",device=\"a\\\"b\","
      "mount=\"/var\"}";
  EXPECT_LINE(out, "vigil_check_metric" + var + " 40");
  EXPECT_LINE(out, "vigil_check_metric_critical_threshold" + var + " 95");
  EXPECT_LINE(out, "vigil_check_metric_warning_threshold" + var + " 70");
  // `>= 0.5` and `> 1` are the check's; the critical rule's 5 is not used.
  const std::string errors = "{pipeline=\"web\",check=\"errors\",metric=\"error_rate\",unit=\"%\"}";
  EXPECT_LINE(out, "vigil_check_metric_warning_threshold" + errors + " 0.5");
  EXPECT_LINE(out, "vigil_check_metric_critical_threshold" + errors + " 1");
  // Two-sided range: no line; no rule either.
  EXPECT_EQ(out.find("vigil_check_metric_warning_threshold{pipeline=\"web\",check=\"disks\","
                     "metric=\"load\""),
            std::string::npos);
  // The plugin's own range, and its labels made valid or renamed.
  const std::string p95 =
      "{pipeline=\"web\",check=\"disks\",metric=\"p95\",unit=\"s\",bad_name=\"x\","
      "exported_check=\"inner\"}";
  EXPECT_LINE(out, "vigil_check_metric" + p95 + " 0.3");
  EXPECT_LINE(out, "vigil_check_metric_critical_threshold" + p95 + " 0.5");
}

TEST(MetricsRenderer, AlertsWindowVerdictAndActions) {
  const std::string out = MetricsRenderer(load_config()).render(snapshot());
  const std::string high =
      "{rule=\"errors-high\",pipeline=\"web\",check=\"errors\",severity=\"critical\"}";
  EXPECT_LINE(out, "vigil_alert_state" + high + " 2");
  EXPECT_LINE(out, "vigil_alert_silenced" + high + " 1");
  EXPECT_LINE(out, "vigil_alert_flapping" + high + " 0");
  const std::string warn =
      "{rule=\"disks-warn\",pipeline=\"web\",check=\"errors\",severity=\"warning\"}";
  EXPECT_LINE(out, "vigil_alert_state" + warn + " 1");
  EXPECT_LINE(out, "vigil_alert_flapping" + warn + " 1");

  const std::string d = "{deployment=\"rel-42\"}";
  EXPECT_LINE(out, "vigil_window_start_timestamp_seconds" + d + " 1764400000");
  EXPECT_LINE(out, "vigil_window_end_timestamp_seconds" + d + " 1764436000");
  EXPECT_LINE(out, "vigil_window_progress_ratio" + d + " 0.5");
  EXPECT_LINE(out, "vigil_window_extensions" + d + " 0");
  EXPECT_LINE(out, "vigil_window_concluded" + d + " 0");
  EXPECT_LINE(out, "vigil_window_verdict{deployment=\"rel-42\",verdict=\"failed\"} 1");
  EXPECT_LINE(out, "vigil_window_verdict{deployment=\"rel-42\",verdict=\"successful\"} 0");
  EXPECT_LINE(out, "vigil_window_verdict{deployment=\"rel-42\",verdict=\"inconclusive\"} 0");
  EXPECT_LINE(out, "vigil_window_results_total" + d + " 120");
  EXPECT_LINE(out, "vigil_window_unknown_results_total" + d + " 3");

  EXPECT_LINE(out, "vigil_actions_total{action=\"sink\",type=\"command\",outcome=\"ok\"} 2");
  EXPECT_LINE(out, "vigil_actions_total{action=\"sink\",type=\"command\",outcome=\"failed\"} 1");
  EXPECT_LINE(out, "vigil_actions_total{action=\"promote\",type=\"operator\",outcome=\"ok\"} 1");
  // Configured but never run: there at 0, so the first run is an increase.
  EXPECT_LINE(out, "vigil_actions_total{action=\"rollback\",type=\"rollback\",outcome=\"ok\"} 0");
  for (const char* outcome : {"ok", "failed", "skipped"})
    EXPECT_LINE(out, std::string("vigil_rollbacks_total{action=\"rollback\",outcome=\"") + outcome +
                         "\"} 0");
}

TEST(MetricsRenderer, AConcludedWindowShowsItsFinalVerdictAndWhereItStopped) {
  MetricsSnapshot s = snapshot();
  s.window->record.stage = "concluded";
  s.window->record.concluded_at = at(1764400000000 + 2LL * 3600 * 1000);
  s.window->verdict = Verdict::Successful;
  s.window->record.extensions = 1;
  s.actions[{"rollback", "rollback", "ok"}] = 1;
  const std::string out = MetricsRenderer(load_config()).render(s);
  EXPECT_LINE(out, "vigil_window_concluded{deployment=\"rel-42\"} 1");
  EXPECT_LINE(out, "vigil_window_progress_ratio{deployment=\"rel-42\"} 0.2");
  EXPECT_LINE(out, "vigil_window_extensions{deployment=\"rel-42\"} 1");
  EXPECT_LINE(out, "vigil_window_verdict{deployment=\"rel-42\",verdict=\"successful\"} 1");
  EXPECT_LINE(out, "vigil_rollbacks_total{action=\"rollback\",outcome=\"ok\"} 1");
}

TEST(MetricsRenderer, WithoutAWindowNoWindowFamilies) {
  MetricsSnapshot s = snapshot();
  s.window.reset();
  const std::string out = MetricsRenderer(load_config()).render(s);
  EXPECT_EQ(out.find("vigil_window_"), std::string::npos) << out;
}

// The structure promtool also checks, here without promtool: every sample's family has HELP
// and TYPE before it, names are valid, counters end in _total, no series repeats.
TEST(MetricsRenderer, EveryFamilyHasHelpAndTypeAndNoSeriesRepeats) {
  MetricsSnapshot s = snapshot();
  s.latest[1].metrics.push_back(s.latest[1].metrics[0]);  // a plugin repeating a series
  s.latest[1].metrics.emplace_back("odd", std::nan(""), "", sdk::Labels{{"v", "x\ny\\z"}});
  const std::string out = MetricsRenderer(load_config()).render(s);
  const std::regex sample(R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+))");
  std::set<std::string> helped, typed, series;
  std::map<std::string, std::string> types;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) {
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) {
      helped.insert(line.substr(7, line.find(' ', 7) - 7));
    } else if (line.rfind("# TYPE ", 0) == 0) {
      const std::string name = line.substr(7, line.find(' ', 7) - 7);
      typed.insert(name);
      types[name] = line.substr(line.rfind(' ') + 1);
    } else {
      ASSERT_TRUE(std::regex_match(line, m, sample)) << line;
      const std::string name = m[1];
      EXPECT_EQ(helped.count(name), 1u) << name;
      EXPECT_EQ(typed.count(name), 1u) << name;
      EXPECT_EQ(types[name] == "counter",
                name.size() > 6 && name.substr(name.size() - 6) == "_total")
          << name;
      EXPECT_TRUE(series.insert(m[1].str() + m[2].str()).second) << "repeated: " << line;
    }
  }
  EXPECT_LINE(
      out,
      "vigil_check_metric{pipeline=\"web\",check=\"disks\",metric=\"odd\",v=\"x\\ny\\\\z\"} "
      "NaN");
}

TEST(ThresholdLookup, PrecedenceCheckThenRuleThenPlugin) {
  const ThresholdLookup lookup(load_config());
  sdk::Metric m("used_percent", 1, "%", {{"mount", "/"}});
  m.warn = sdk::Range{-std::numeric_limits<double>::infinity(), 50, false};
  MetricBounds b = lookup.bounds("web", "disks", m);
  EXPECT_EQ(b.critical, 90);  // check
  EXPECT_EQ(b.warning, 70);   // rule, over the plugin's 50
  sdk::Metric other("latency", 1);
  other.warn = sdk::Range{10, std::numeric_limits<double>::infinity(), false};  // "10:"
  other.crit = sdk::Range{0, 20, true};                                         // "@0:20"
  b = lookup.bounds("web", "disks", other);
  EXPECT_EQ(b.warning, 10);
  EXPECT_FALSE(b.critical);
  EXPECT_FALSE(lookup.bounds("web", "nope", sdk::Metric("used_percent", 1)).critical);
  // An info rule draws no line.
  EXPECT_FALSE(lookup.bounds("web", "disks", sdk::Metric("inodes", 1)).warning);
}

}  // namespace
}  // namespace vigil::core
