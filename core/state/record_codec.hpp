#pragma once
// How the structured parts of records are stored: JSON text for metrics, details, labels and
// silence matchers; integers for times.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "core/state/records.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::core::state_codec {

// Nanoseconds since the Unix epoch: exact for system_clock on Linux until 2262.
std::int64_t to_ns(sdk::TimePoint t);
sdk::TimePoint from_ns(std::int64_t ns);

// Throw StateError naming `what` when stored text is not what we wrote.
std::string labels_to_json(const sdk::Labels& labels);
sdk::Labels labels_from_json(const std::string& text);
std::string metrics_to_json(const std::vector<sdk::Metric>& metrics);
std::vector<sdk::Metric> metrics_from_json(const std::string& text);
std::string strings_to_json(const std::vector<std::string>& lines);
std::vector<std::string> strings_from_json(const std::string& text);
std::string matchers_to_json(const std::vector<SilenceMatcher>& matchers);
std::vector<SilenceMatcher> matchers_from_json(const std::string& text);

}  // namespace vigil::core::state_codec
