#include "core/metrics/metrics_renderer.hpp"

#include <algorithm>
#include <chrono>
#include <set>

#include "core/metrics/exposition_writer.hpp"
#include "vigil/sdk/version.hpp"

namespace vigil::core {

namespace {

double seconds_since_epoch(sdk::TimePoint t) {
  return static_cast<double>(
             std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) /
         1000.0;
}

double seconds(std::chrono::milliseconds d) {
  return static_cast<double>(d.count()) / 1000.0;
}

// Appends labels that come from outside (a plugin's, a check's configured ones) after vigil's
// own, each name made valid; one that collides with a name already there is renamed
// `exported_<name>`, as Prometheus renames a target's colliding labels.
void append_foreign(SeriesLabels& labels, const sdk::Labels& foreign) {
  auto taken = [&labels](const std::string& name) {
    return std::any_of(labels.begin(), labels.end(),
                       [&name](const auto& kv) { return kv.first == name; });
  };
  for (const auto& [k, v] : foreign) {
    std::string name = sanitize_label_name(k);
    while (taken(name))
      name.insert(0, "exported_");
    labels.emplace_back(std::move(name), v);
  }
}

}  // namespace

MetricsRenderer::MetricsRenderer(const Config& config) : thresholds_(config) {
  for (const auto& p : config.pipelines) {
    for (const auto& c : p.checks)
      checks_.push_back({p.name, c.name, c.plugin, c.dry_run, c.labels, c.interval});
  }
  for (const auto& a : config.actions)
    actions_.push_back({a.name, a.plugin});
}

std::string MetricsRenderer::render(const MetricsSnapshot& s) const {
  ExpositionWriter w;

  w.family("vigil_build_info", FamilyType::Gauge,
           "Always 1; the labels say which vigil and plugin SDK this is.");
  w.sample({{"version", VIGIL_VERSION}, {"sdk_version", VIGIL_SDK_VERSION_STRING}}, 1);
  w.family("vigil_start_time_seconds", FamilyType::Gauge,
           "When this vigil process started, in seconds since the epoch.");
  w.sample({}, seconds_since_epoch(s.started));

  // --- checks ---
  w.family("vigil_check_info", FamilyType::Gauge,
           "Always 1 for every configured check; labels: its plugin, whether it is a dry run, "
           "and its configured labels.");
  for (const auto& c : checks_) {
    SeriesLabels labels{{"pipeline", c.pipeline},
                        {"check", c.check},
                        {"plugin", c.plugin},
                        {"dry_run", c.dry_run ? "true" : "false"}};
    append_foreign(labels, c.labels);
    w.sample(labels, 1);
  }
  w.family("vigil_check_interval_seconds", FamilyType::Gauge,
           "How often each configured check runs.");
  for (const auto& c : checks_)
    w.sample({{"pipeline", c.pipeline}, {"check", c.check}}, seconds(c.interval));
  auto check_labels = [](const CheckResult& r) -> SeriesLabels {
    return {{"pipeline", r.pipeline}, {"check", r.check}};
  };
  w.family("vigil_check_status", FamilyType::Gauge,
           "Judged status of the check's latest result: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.");
  for (const auto& r : s.latest)
    w.sample(check_labels(r), static_cast<double>(static_cast<int>(r.status)));
  w.family("vigil_check_duration_seconds", FamilyType::Gauge,
           "How long the check's latest run took.");
  for (const auto& r : s.latest)
    w.sample(check_labels(r), seconds(r.duration));
  w.family("vigil_check_last_run_timestamp_seconds", FamilyType::Gauge,
           "When the check's latest run started, in seconds since the epoch.");
  for (const auto& r : s.latest)
    w.sample(check_labels(r), seconds_since_epoch(r.started));

  // Every plugin metric, then its bounds with exactly the same labels.
  struct Series {
    SeriesLabels labels;
    double value;
    MetricBounds bounds;
  };
  std::vector<Series> series;
  for (const auto& r : s.latest) {
    for (const auto& m : r.metrics) {
      SeriesLabels labels = check_labels(r);
      labels.emplace_back("metric", m.name);
      labels.emplace_back("unit", m.unit);
      append_foreign(labels, m.labels);
      series.push_back({std::move(labels), m.value, thresholds_.bounds(r.pipeline, r.check, m)});
    }
  }
  w.family("vigil_check_metric", FamilyType::Gauge,
           "Each metric of the check's latest result; `metric` is its name, `unit` its unit, "
           "the other labels the plugin's (renamed exported_<name> when they collide).");
  for (const auto& x : series)
    w.sample(x.labels, x.value);
  w.family("vigil_check_metric_warning_threshold", FamilyType::Gauge,
           "The warning bound of vigil_check_metric with the same labels: the check's "
           "threshold, else a warning rule on the metric, else the plugin's own.");
  for (const auto& x : series) {
    if (x.bounds.warning)
      w.sample(x.labels, *x.bounds.warning);
  }
  w.family("vigil_check_metric_critical_threshold", FamilyType::Gauge,
           "The critical bound of vigil_check_metric with the same labels: the check's "
           "threshold, else a critical rule on the metric, else the plugin's own.");
  for (const auto& x : series) {
    if (x.bounds.critical)
      w.sample(x.labels, *x.bounds.critical);
  }

  // --- alerts ---
  auto alert_labels = [](const AlertView& a) -> SeriesLabels {
    return {
        {"rule", a.rule}, {"pipeline", a.pipeline}, {"check", a.check}, {"severity", a.severity}};
  };
  w.family("vigil_alert_state", FamilyType::Gauge,
           "State of each rule's alert: 0 inactive, 1 pending, 2 firing.");
  for (const auto& a : s.alerts)
    w.sample(alert_labels(a), static_cast<double>(static_cast<int>(a.state)));
  w.family("vigil_alert_silenced", FamilyType::Gauge,
           "1 while a silence matches the rule's alert, else 0.");
  for (const auto& a : s.alerts)
    w.sample(alert_labels(a), a.silenced ? 1 : 0);
  w.family("vigil_alert_flapping", FamilyType::Gauge,
           "1 while the rule's alert is flapping, else 0.");
  for (const auto& a : s.alerts)
    w.sample(alert_labels(a), a.flapping ? 1 : 0);
  static_assert(static_cast<int>(AlertState::Pending) == 1 &&
                static_cast<int>(AlertState::Firing) == 2);

  // --- the observation window ---
  if (s.window) {
    const WindowSnapshot& win = *s.window;
    const SeriesLabels labels{{"deployment", win.record.deployment}};
    const sdk::TimePoint start = win.record.started_at;
    const bool concluded = win.record.stage == "concluded";
    w.family("vigil_window_start_timestamp_seconds", FamilyType::Gauge,
             "When the observation window opened, in seconds since the epoch.");
    w.sample(labels, seconds_since_epoch(start));
    w.family("vigil_window_end_timestamp_seconds", FamilyType::Gauge,
             "When the observation window ends, extensions included, in seconds since the epoch.");
    w.sample(labels, seconds_since_epoch(win.ends_at));
    const sdk::TimePoint at =
        concluded && win.record.concluded_at ? *win.record.concluded_at : s.now;
    double progress = 1;
    if (win.ends_at > start) {
      progress = std::chrono::duration<double>(at - start) /
                 std::chrono::duration<double>(win.ends_at - start);
    }
    w.family("vigil_window_progress_ratio", FamilyType::Gauge,
             "Share of the observation window elapsed, 0 to 1 (where it stopped, once "
             "concluded).");
    w.sample(labels, std::clamp(progress, 0.0, 1.0));
    w.family("vigil_window_extensions", FamilyType::Gauge,
             "Times the window was extended after an inconclusive verdict.");
    w.sample(labels, win.record.extensions);
    w.family("vigil_window_concluded", FamilyType::Gauge,
             "1 once the window has concluded with its final verdict, else 0.");
    w.sample(labels, concluded ? 1 : 0);
    w.family("vigil_window_verdict", FamilyType::Gauge,
             "1 for the verdict so far (the final one once vigil_window_concluded is 1), 0 for "
             "the others.");
    for (const Verdict v : {Verdict::Successful, Verdict::Failed, Verdict::Inconclusive}) {
      SeriesLabels l = labels;
      l.emplace_back("verdict", std::string(to_string(v)));
      w.sample(l, v == win.verdict ? 1 : 0);
    }
    w.family("vigil_window_results_total", FamilyType::Counter,
             "Check results counted towards the verdict (dry runs excluded).");
    w.sample(labels, static_cast<double>(s.facts.results));
    w.family("vigil_window_unknown_results_total", FamilyType::Counter,
             "UNKNOWN check results counted towards the verdict (dry runs excluded).");
    w.sample(labels, static_cast<double>(s.facts.unknown_results));
  }

  // --- actions ---
  // Every configured action starts at 0, so the first run is an increase a rule can see.
  std::map<ActionCountKey, std::uint64_t> actions;
  for (const auto& a : actions_) {
    for (const char* outcome : {"ok", "failed"})
      actions[{a.name, a.type, outcome}] = 0;
    if (a.type == "rollback")
      actions[{a.name, a.type, "skipped"}] = 0;
  }
  for (const auto& [key, n] : s.actions)
    actions[key] = n;
  w.family("vigil_actions_total", FamilyType::Counter,
           "Finished actions in this window (or since vigil started, without one), by action, "
           "type and outcome (ok, failed, skipped).");
  for (const auto& [key, n] : actions) {
    w.sample({{"action", key.action}, {"type", key.type}, {"outcome", key.outcome}},
             static_cast<double>(n));
  }
  w.family("vigil_rollbacks_total", FamilyType::Counter,
           "Rollbacks in this window by action and outcome: ok, failed, or skipped (loop guard, "
           "cooldown).");
  for (const auto& [key, n] : actions) {
    if (key.type == "rollback")
      w.sample({{"action", key.action}, {"outcome", key.outcome}}, static_cast<double>(n));
  }
  return w.take();
}

}  // namespace vigil::core
