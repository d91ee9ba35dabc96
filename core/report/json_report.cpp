#include "core/report/report_render.hpp"
#include "core/report/report_summary.hpp"
#include "core/report/report_text.hpp"

namespace vigil::core::report {

namespace {

using nlohmann::json;

json optional_number(const std::optional<double>& v) {
  return v ? json(*v) : json(nullptr);
}

json optional_time(const std::optional<sdk::TimePoint>& t) {
  return t ? json(format_time(*t)) : json(nullptr);
}

json seconds_of(std::chrono::milliseconds d) {
  return static_cast<double>(d.count()) / 1000.0;
}

json stats_json(const SeriesStats& s) {
  json j = {{"samples", s.samples},
            {"min", optional_number(s.min)},
            {"avg", optional_number(s.avg)},
            {"max", optional_number(s.max)}};
  if (s.last)
    j["last"] = *s.last;
  if (!s.unit.empty())
    j["unit"] = s.unit;
  return j;
}

json range_json(const std::optional<sdk::Range>& r) {
  return r ? json(r->to_string()) : json(nullptr);
}

}  // namespace

json render_json(const ReportData& data) {
  const ReportSummary s = summarize(data);
  const auto& w = data.window;
  json out;
  out["title"] = s.title;
  out["generated_at"] = format_time(data.generated_at);
  out["window"] = {
      {"deployment", w.deployment},
      {"start", format_time(w.start)},
      {"end", format_time(w.end)},
      {"duration_seconds",
       seconds_of(std::chrono::duration_cast<std::chrono::milliseconds>(w.end - w.start))},
      {"planned_duration_seconds", seconds_of(w.planned_duration)},
      {"stage", w.stage},
      {"extensions", w.extensions},
      {"verdict", w.verdict ? json(*w.verdict) : json(nullptr)},
      {"verdict_reason", w.verdict_reason},
  };
  out["summary"] = {
      {"outcome", s.outcome},
      {"conclusion", s.conclusion},
      {"results", s.results},
      {"pass_rate", stats_json(s.pass_rate)},
      {"error_rate", stats_json(s.error_rate)},
      {"p95", stats_json(s.p95)},
      {"uptime_percent", optional_number(s.overall_uptime_percent)},
      {"alerts_fired", s.alerts_fired},
      {"actions_failed", s.actions_failed},
  };

  json checks = json::array();
  for (std::size_t i = 0; i < data.checks.size(); ++i) {
    const auto& check = data.checks[i];
    const auto& c = s.checks[i];
    json metrics = json::array();
    for (const auto& series : check.metrics) {
      json points = json::array();
      for (const auto& p : series.points)
        points.push_back({format_time(p.at), p.value});
      json m = {{"name", series.name},
                {"labels", series.labels},
                {"unit", series.unit},
                {"stats", stats_json(stats_of(series.points))},
                {"warning", range_json(series.warning)},
                {"critical", range_json(series.critical)},
                {"points", std::move(points)}};
      metrics.push_back(std::move(m));
    }
    checks.push_back({
        {"check", c.check},
        {"pipeline", c.pipeline},
        {"plugin", c.plugin},
        {"dry_run", c.dry_run},
        {"results", c.results},
        {"ok", c.ok},
        {"warning", c.warning},
        {"critical", c.critical},
        {"unknown", c.unknown},
        {"uptime_percent", optional_number(c.uptime_percent)},
        {"unknown_percent", optional_number(c.unknown_percent)},
        {"last_status",
         c.last_status ? json(std::string(sdk::to_string(*c.last_status))) : json(nullptr)},
        {"metrics", std::move(metrics)},
    });
  }
  out["checks"] = std::move(checks);

  json rules = json::array();
  for (const auto& r : s.rules) {
    rules.push_back({{"rule", r.rule},
                     {"check", r.check},
                     {"severity", r.severity},
                     {"fired", r.fired},
                     {"silenced", r.silenced},
                     {"dry_run", r.dry_run},
                     {"still_firing", r.still_firing},
                     {"firing_seconds", seconds_of(r.time_firing)}});
  }
  json spans = json::array();
  for (const auto& a : data.alerts) {
    spans.push_back({{"rule", a.rule},
                     {"check", a.check},
                     {"pipeline", a.pipeline},
                     {"severity", a.severity},
                     {"started", format_time(a.started)},
                     {"ended", optional_time(a.ended)},
                     {"silenced", a.silenced},
                     {"dry_run", a.dry_run},
                     {"reason", a.reason},
                     {"value", optional_number(a.value)}});
  }
  json flapping = json::array();
  for (const auto& f : data.flapping) {
    flapping.push_back({{"rule", f.rule},
                        {"check", f.check},
                        {"started", format_time(f.started)},
                        {"ended", optional_time(f.ended)}});
  }
  out["alerts"] = {{"rules", std::move(rules)},
                   {"episodes", std::move(spans)},
                   {"flapping", std::move(flapping)}};

  json silences = json::array();
  for (const auto& si : data.silences) {
    silences.push_back({{"id", si.id},
                        {"matchers", si.matchers},
                        {"starts_at", format_time(si.starts_at)},
                        {"ends_at", format_time(si.ends_at)},
                        {"expired_at", optional_time(si.expired_at)},
                        {"comment", si.comment},
                        {"created_by", si.created_by}});
  }
  out["silences"] = std::move(silences);

  json actions = json::array();
  for (const auto& a : data.actions) {
    actions.push_back({{"action", a.action},
                       {"type", a.type},
                       {"trigger", a.trigger},
                       {"rule", a.rule},
                       {"started_at", format_time(a.started_at)},
                       {"finished_at", optional_time(a.finished_at)},
                       {"status", a.status},
                       {"message", a.message},
                       {"output", a.output},
                       {"attempts", a.attempts}});
  }
  out["actions"] = std::move(actions);
  return out;
}

}  // namespace vigil::core::report
