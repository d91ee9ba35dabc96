#pragma once
// vigil's own state as Prometheus series: every family /metrics serves and the textfile holds
// (docs/operations.md, "Metrics for Prometheus", lists them).
#include <chrono>
#include <string>
#include <vector>

#include "core/config/config.hpp"
#include "core/metrics/metrics_snapshot.hpp"
#include "core/metrics/threshold_lookup.hpp"

namespace vigil::core {

class MetricsRenderer {
 public:
  // Keeps what it needs of `config` (it may go away after).
  explicit MetricsRenderer(const Config& config);

  // The exposition, text format 0.0.4.
  std::string render(const MetricsSnapshot& snapshot) const;

 private:
  struct CheckInfo {
    std::string pipeline, check, plugin;
    bool dry_run = false;
    sdk::Labels labels;
    std::chrono::milliseconds interval{0};
  };
  struct ActionInfo {
    std::string name, type;
  };
  ThresholdLookup thresholds_;
  std::vector<CheckInfo> checks_;
  std::vector<ActionInfo> actions_;
};

}  // namespace vigil::core
