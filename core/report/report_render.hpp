#pragma once
// The final report in the three forms `vigil report --format` offers. Each is a pure function
// of ReportData; the figures come from summarize(), so the three always agree.
#include <string>

#include <nlohmann/json.hpp>

#include "core/report/report_data.hpp"

namespace vigil::core::report {

// The seed's 48hour_report.md: summary, metrics, uptime per check, alerts triggered, silences,
// actions and their outcomes, conclusion.
std::string render_markdown(const ReportData& data);

// Everything the markdown has plus every sample, for scripts; schema in docs/report.md.
nlohmann::json render_json(const ReportData& data);

// One self-contained HTML page: the markdown's tables plus one inline SVG chart per metric
// series (thresholds dashed, firing alerts shaded). No script, no external URL.
std::string render_html(const ReportData& data);

}  // namespace vigil::core::report
