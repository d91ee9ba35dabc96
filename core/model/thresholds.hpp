#pragma once
#include <optional>
#include <string>
#include <vector>

#include "core/model/condition.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::core {

// Warning and critical bounds for one metric, optionally narrowed to series whose labels match
// (e.g. disk used percent for mount "/" only).
struct MetricThreshold {
  std::string metric;
  sdk::Labels match;
  std::optional<Condition> warning;
  std::optional<Condition> critical;
};

// The host's judgement, the same for every plugin: final status is the worst of the plugin's
// own status and every threshold a metric breaks. A threshold whose metric the plugin did not
// report is itself a finding (UNKNOWN): a silent gap must not read as healthy.
class Thresholds {
 public:
  Thresholds() = default;
  explicit Thresholds(std::vector<MetricThreshold> rules) : rules_(std::move(rules)) {}

  void add(MetricThreshold t) { rules_.push_back(std::move(t)); }
  bool empty() const noexcept { return rules_.empty(); }
  const std::vector<MetricThreshold>& rules() const noexcept { return rules_; }

  // Raises result's status and appends the reasons ("pass_rate 93.1 < 95 (critical)") to its
  // summary. Also copies the bounds onto matching metrics so outputs can show them.
  void judge(sdk::Result& result) const;

 private:
  std::vector<MetricThreshold> rules_;
};

}  // namespace vigil::core
