#pragma once
// Reads the report's data out of the state database: the observation window (or, without one,
// the stored history up to now), every result in it grouped per check and metric series, the
// alert transitions as firing episodes, and the silences and actions that touch the window.
#include <chrono>
#include <optional>

#include "core/report/report_data.hpp"
#include "core/state/state_database.hpp"

namespace vigil::core::report {

struct ReportLoadOptions {
  sdk::TimePoint now{};  // the end of a window that is still open
  // Narrow or widen the report by hand (`vigil report --since/--until`).
  std::optional<sdk::TimePoint> since;
  std::optional<sdk::TimePoint> until;
  // The configured `extend_on_inconclusive`, so an extended window's planned length counts its
  // extensions; 0 when unknown.
  std::chrono::milliseconds extension_length{0};
};

// Throws StateError when the database cannot be read.
ReportData load_report_data(const StateDatabase& db, const ReportLoadOptions& opts);

}  // namespace vigil::core::report
