#include "core/metrics/threshold_lookup.hpp"

#include "core/model/condition.hpp"

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

}  // namespace

ThresholdLookup::ThresholdLookup(const Config& config) {
  for (const auto& pipeline : config.pipelines) {
    for (const auto& check : pipeline.checks)
      checks_[pipeline.name + "/" + check.name].thresholds = check.thresholds;
  }
  for (const auto& rule : config.rules) {
    if (rule.when.subject != RuleCondition::Subject::Metric || rule.severity == Severity::Info)
      continue;
    MetricBounds& b = checks_[rule.pipeline + "/" + rule.check].from_rules[rule.when.metric];
    std::optional<double>& level = rule.severity == Severity::Critical ? b.critical : b.warning;
    if (!level)
      level = rule.when.value;
  }
}

MetricBounds ThresholdLookup::bounds(const std::string& pipeline, const std::string& check,
                                     const sdk::Metric& metric) const {
  MetricBounds out;
  auto it = checks_.find(pipeline + "/" + check);
  if (it != checks_.end()) {
    for (const MetricThreshold& t : it->second.thresholds.rules()) {
      if (t.metric != metric.name || !labels_match(t.match, metric.labels))
        continue;
      if (!out.warning && t.warning)
        out.warning = t.warning->bound();
      if (!out.critical && t.critical)
        out.critical = t.critical->bound();
    }
    if (auto r = it->second.from_rules.find(metric.name); r != it->second.from_rules.end()) {
      if (!out.warning)
        out.warning = r->second.warning;
      if (!out.critical)
        out.critical = r->second.critical;
    }
  }
  if (!out.warning && metric.warn)
    out.warning = range_bound(*metric.warn);
  if (!out.critical && metric.crit)
    out.critical = range_bound(*metric.crit);
  return out;
}

}  // namespace vigil::core
