#include "core/report/report_data.hpp"

#include <algorithm>
#include <map>
#include <utility>

namespace vigil::core::report {

std::string MetricSeries::display_name() const {
  if (labels.empty())
    return name;
  std::string out = name + "{";
  bool first = true;
  for (const auto& [k, v] : labels) {
    out += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return out + "}";
}

void add_transitions(ReportData& data, std::vector<TransitionInput> transitions) {
  std::stable_sort(transitions.begin(), transitions.end(),
                   [](const TransitionInput& a, const TransitionInput& b) { return a.at < b.at; });
  // Index of the open episode per (rule, check) in data.alerts / data.flapping.
  std::map<std::pair<std::string, std::string>, std::size_t> open_alert, open_flapping;
  for (const auto& t : transitions) {
    const auto key = std::make_pair(t.rule, t.check);
    if (t.kind == "flapping_started") {
      if (open_flapping.count(key) == 0) {
        open_flapping[key] = data.flapping.size();
        data.flapping.push_back({t.rule, t.check, t.at, std::nullopt});
      }
      continue;
    }
    if (t.kind == "flapping_stopped") {
      if (auto it = open_flapping.find(key); it != open_flapping.end()) {
        data.flapping[it->second].ended = t.at;
        open_flapping.erase(it);
      }
      continue;
    }
    if (t.kind != "state")
      continue;
    auto it = open_alert.find(key);
    if (t.to == "firing") {
      if (it != open_alert.end())
        continue;  // already firing: a repeated record opens no second episode
      open_alert[key] = data.alerts.size();
      AlertSpan span;
      span.rule = t.rule;
      span.check = t.check;
      span.pipeline = t.pipeline;
      span.severity = t.severity;
      span.started = t.at;
      span.silenced = t.silenced;
      span.dry_run = t.dry_run;
      span.reason = t.reason;
      span.value = t.value;
      data.alerts.push_back(std::move(span));
    } else if (it != open_alert.end()) {
      data.alerts[it->second].ended = t.at;
      open_alert.erase(it);
    }
  }
}

}  // namespace vigil::core::report
