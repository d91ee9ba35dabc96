#pragma once
#include <chrono>
#include <string>
#include <vector>

#include "vigil/sdk/context.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::core {

// A judged check result as the host records, logs, prints and (later) stores it. Check results
// are data, as in Icinga's CheckResult: everything downstream (rules, reports, /metrics) reads
// these and never calls back into a plugin.
struct CheckResult {
  std::string check;                                 // configured instance name, "api-health"
  std::string plugin;                                // check type, "http_probe"
  std::string pipeline;                              // empty for `vigil check`
  sdk::Status status = sdk::Status::Unknown;         // after thresholds
  sdk::Status plugin_status = sdk::Status::Unknown;  // what the plugin itself said
  std::string summary;
  std::vector<sdk::Metric> metrics;
  std::vector<std::string> details;
  sdk::Labels labels;
  sdk::TimePoint started{};
  std::chrono::milliseconds duration{0};
};

}  // namespace vigil::core
