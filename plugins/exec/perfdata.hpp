#pragma once
// Nagios / Monitoring Plugins performance data:
//
//   'label'=value[UOM];[warn];[crit];[min];[max]
//
// items separated by spaces; quotes around the label are needed only when it holds a space,
// '=' or a quote, and a quote inside a quoted label is written twice. warn and crit are Nagios
// ranges; any trailing field may be empty or absent. The value "U" means "could not measure".
//
// Plugins in the wild bend these rules, so the parser never fails as a whole: an item it cannot
// read is skipped and a field it cannot read is dropped, each with a note the caller shows as a
// detail line.
#include <string>
#include <string_view>
#include <vector>

#include <vigil/sdk/result.hpp>

namespace vigil::exec {

struct PerfdataParse {
  std::vector<sdk::Metric> metrics;
  // One line per skipped item or dropped field, worded for an operator reading the result.
  std::vector<std::string> notes;
};

PerfdataParse parse_perfdata(std::string_view text);

}  // namespace vigil::exec
