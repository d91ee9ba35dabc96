#pragma once
// The warning and critical bound drawn next to a plugin metric, so a chart shows the line a
// value crossed. In order of precedence, per level:
//   1. the check's own `thresholds:` entry for the metric (its labels matching), which is what
//      judged the status;
//   2. a rule of the check whose `when` tests the metric, by the rule's severity
//      (critical or warning; the first such rule in the file);
//   3. the plugin's own range on the metric (a Nagios plugin's perfdata warn/crit).
// Only conditions with one bound have a line: `< 95`, `>= 0.5`, `~:8`; a two-sided range has
// none.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::core {

struct MetricBounds {
  std::optional<double> warning;
  std::optional<double> critical;
};

class ThresholdLookup {
 public:
  ThresholdLookup() = default;
  // Copies what it needs: `config` may go away after.
  explicit ThresholdLookup(const Config& config);

  MetricBounds bounds(const std::string& pipeline, const std::string& check,
                      const sdk::Metric& metric) const;

 private:
  struct CheckBounds {
    Thresholds thresholds;
    std::map<std::string, MetricBounds> from_rules;  // metric name -> bounds
  };
  std::map<std::string, CheckBounds> checks_;  // "pipeline/check"
};

}  // namespace vigil::core
