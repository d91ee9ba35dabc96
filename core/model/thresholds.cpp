#include "core/model/thresholds.hpp"

namespace vigil::core {

namespace {
bool labels_match(const sdk::Labels& want, const sdk::Labels& have) {
  for (const auto& [k, v] : want) {
    auto it = have.find(k);
    if (it == have.end() || it->second != v)
      return false;
  }
  return true;
}

std::string series_name(const sdk::Metric& m) {
  if (m.labels.empty())
    return m.name;
  std::string out = m.name + "{";
  bool first = true;
  for (const auto& [k, v] : m.labels) {
    out += (first ? "" : ",") + k + "=" + v;
    first = false;
  }
  return out + "}";
}
}  // namespace

void Thresholds::judge(sdk::Result& result) const {
  for (const auto& rule : rules_) {
    bool seen = false;
    for (auto& metric : result.metrics()) {
      if (metric.name != rule.metric || !labels_match(rule.match, metric.labels))
        continue;
      seen = true;
      if (rule.warning)
        metric.warn = rule.warning->as_range();
      if (rule.critical)
        metric.crit = rule.critical->as_range();
      if (rule.critical && rule.critical->violated(metric.value)) {
        result.escalate(
            sdk::Status::Critical,
            series_name(metric) + " " + rule.critical->explain(metric.value) + " (critical)");
      } else if (rule.warning && rule.warning->violated(metric.value)) {
        result.escalate(
            sdk::Status::Warning,
            series_name(metric) + " " + rule.warning->explain(metric.value) + " (warning)");
      }
    }
    // A result the plugin already marked UNKNOWN or CRITICAL explains itself; only a result
    // that claims health while missing a judged metric is suspicious.
    if (!seen && (result.status() == sdk::Status::Ok || result.status() == sdk::Status::Warning)) {
      result.escalate(sdk::Status::Unknown,
                      "metric '" + rule.metric + "' has a threshold but was not reported");
    }
  }
}

}  // namespace vigil::core
