#pragma once
// The yardstick the streaming reader is held to: the whole report parsed into one pugixml DOM
// (default options) and counted with the same Tally. Tests and the benchmark use it; the plugin
// does not, since its memory grows with the report.
#include <optional>
#include <string>

#include "report_reader.hpp"
#include "tally.hpp"

namespace vigil::junit_pass_rate {

std::optional<ReportDefect> tally_whole_document(const std::string& path, Tally& tally);

}  // namespace vigil::junit_pass_rate
