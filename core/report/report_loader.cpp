#include "core/report/report_loader.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace vigil::core::report {

namespace {

// Groups stored results per check (in first-seen order) and per metric series.
class HistoryBuilder {
 public:
  void add(const StoredResult& stored) {
    const CheckResult& r = stored.result;
    auto [it, inserted] = index_.emplace(r.check, checks_.size());
    if (inserted) {
      checks_.emplace_back();
      series_index_.emplace_back();
    }
    CheckHistory& check = checks_[it->second];
    // The newest result describes the check: it may have moved pipeline or become a dry run.
    check.check = r.check;
    check.pipeline = r.pipeline;
    check.plugin = r.plugin;
    check.dry_run = stored.dry_run;
    check.statuses.push_back({r.started, r.status});
    auto& series_of = series_index_[it->second];
    for (const auto& m : r.metrics) {
      auto [s, fresh] = series_of.emplace(std::make_pair(m.name, m.labels), check.metrics.size());
      if (fresh) {
        MetricSeries series;
        series.name = m.name;
        series.labels = m.labels;
        check.metrics.push_back(std::move(series));
      }
      MetricSeries& series = check.metrics[s->second];
      series.unit = m.unit;
      series.points.push_back({r.started, m.value});
      if (m.warn || m.crit) {
        series.warning = m.warn;
        series.critical = m.crit;
      }
    }
  }

  std::vector<CheckHistory> take() { return std::move(checks_); }

 private:
  std::map<std::string, std::size_t> index_;
  std::vector<CheckHistory> checks_;
  std::vector<std::map<std::pair<std::string, sdk::Labels>, std::size_t>> series_index_;
};

ReportWindow window_of(const StateDatabase& db, const ReportLoadOptions& opts) {
  ReportWindow w;
  if (auto stored = db.window()) {
    w.deployment = stored->deployment;
    w.start = stored->started_at;
    w.stage = stored->stage;
    w.verdict = stored->verdict;
    w.verdict_reason = stored->verdict_reason;
    w.extensions = stored->extensions;
    w.planned_duration = stored->duration + stored->extensions * opts.extension_length;
    w.end = stored->concluded_at ? *stored->concluded_at : opts.now;
  } else {
    // No window: the report covers whatever history is stored.
    const auto first = db.results(std::nullopt, std::nullopt, std::nullopt, 0);
    w.start = first.empty() ? opts.now : first.front().result.started;
    w.end = opts.now;
  }
  if (opts.since)
    w.start = *opts.since;
  if (opts.until)
    w.end = *opts.until;
  if (w.end < w.start)
    w.end = w.start;
  return w;
}

}  // namespace

ReportData load_report_data(const StateDatabase& db, const ReportLoadOptions& opts) {
  ReportData data;
  data.generated_at = opts.now;
  data.window = window_of(db, opts);
  const auto start = data.window.start;
  const auto end = data.window.end;

  // `until` is exclusive; a result stamped at the very end of the window belongs to it.
  HistoryBuilder history;
  for (const auto& stored :
       db.results(std::nullopt, start, end + std::chrono::milliseconds(1), 0)) {
    history.add(stored);
  }
  data.checks = history.take();

  // Every transition up to the end, so an alert that began firing before the window opened
  // still shows as an episode inside it.
  std::vector<TransitionInput> transitions;
  for (const auto& t : db.transitions()) {
    if (t.at > end)
      continue;
    TransitionInput in;
    in.rule = t.rule;
    in.check = t.check;
    in.pipeline = t.pipeline;
    in.severity = t.severity;
    in.kind = t.kind;
    in.from = t.from;
    in.to = t.to;
    in.at = t.at;
    in.reason = t.reason;
    in.value = t.value;
    in.silenced = t.silenced;
    in.dry_run = t.dry_run;
    transitions.push_back(std::move(in));
  }
  add_transitions(data, std::move(transitions));
  auto before_window = [&](const std::optional<sdk::TimePoint>& ended) {
    return ended && *ended < start;
  };
  data.alerts.erase(std::remove_if(data.alerts.begin(), data.alerts.end(),
                                   [&](const AlertSpan& s) { return before_window(s.ended); }),
                    data.alerts.end());
  data.flapping.erase(
      std::remove_if(data.flapping.begin(), data.flapping.end(),
                     [&](const FlappingEpisode& f) { return before_window(f.ended); }),
      data.flapping.end());

  for (const auto& s : db.silences(true, opts.now)) {
    const auto ended = s.expired_at ? std::min(*s.expired_at, s.ends_at) : s.ends_at;
    if (s.starts_at > end || ended < start)
      continue;
    ReportSilence out;
    out.id = s.id;
    for (const auto& m : s.matchers)
      out.matchers.push_back(m.to_string());
    out.starts_at = s.starts_at;
    out.ends_at = s.ends_at;
    out.expired_at = s.expired_at;
    out.comment = s.comment;
    out.created_by = s.created_by;
    data.silences.push_back(std::move(out));
  }

  for (const auto& a : db.actions(start)) {
    if (a.started_at > end)
      continue;
    ReportAction out;
    out.action = a.action;
    out.type = a.type;
    out.trigger = a.trigger;
    out.rule = a.rule;
    out.started_at = a.started_at;
    out.finished_at = a.finished_at;
    out.status = a.status;
    out.message = a.message;
    out.output = a.output;
    out.attempts = a.attempts;
    data.actions.push_back(std::move(out));
  }
  std::stable_sort(
      data.actions.begin(), data.actions.end(),
      [](const ReportAction& a, const ReportAction& b) { return a.started_at < b.started_at; });
  return data;
}

}  // namespace vigil::core::report
