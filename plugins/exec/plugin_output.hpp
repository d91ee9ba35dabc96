#pragma once
// The shape of a Nagios plugin's standard output, per the Monitoring Plugins guidelines:
//
//   TEXT OUTPUT | OPTIONAL PERFDATA
//   LONG TEXT LINE 1
//   LONG TEXT LINE 2 | PERFDATA 2
//   PERFDATA 3
//
// The first line is the summary; the lines after it are long output until one holds a '|', after
// which everything (the rest of that line and every later line) is more performance data.
#include <string>
#include <string_view>
#include <vector>

namespace vigil::exec {

struct PluginOutput {
  std::string summary;                   // text of the first line, trimmed
  std::vector<std::string> long_output;  // non-blank long-output lines, right-trimmed
  std::string perfdata;                  // every perfdata part, joined with spaces
};

PluginOutput split_plugin_output(std::string_view text);

}  // namespace vigil::exec
