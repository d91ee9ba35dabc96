#pragma once
// One metric series over the report's window as an inline SVG: the values as a polyline, the
// warning and critical bounds as dashed horizontal lines, the check's firing alerts as shaded
// spans, and time and value ticks. Plain SVG 1.1 with presentation attributes, no script and
// no external reference, so the chart renders the same inside the report or cut out of it.
#include <string>
#include <vector>

#include "core/report/report_data.hpp"

namespace vigil::core::report {

struct ChartLayout {
  double width = 960;
  double height = 240;
  double margin_left = 72;
  double margin_right = 16;
  double margin_top = 16;
  double margin_bottom = 40;
};

// Maps times and values to SVG coordinates. The value axis spans the series and every finite
// threshold bound, padded by 8% each side, so a threshold is always inside the plot.
class ChartScale {
 public:
  ChartScale(const MetricSeries& series, sdk::TimePoint start, sdk::TimePoint end,
             const ChartLayout& layout = {});

  double x_of(sdk::TimePoint t) const;
  double y_of(double v) const;
  double value_low() const noexcept { return lo_; }
  double value_high() const noexcept { return hi_; }
  const ChartLayout& layout() const noexcept { return layout_; }
  sdk::TimePoint start() const noexcept { return start_; }
  sdk::TimePoint end() const noexcept { return end_; }

 private:
  ChartLayout layout_;
  sdk::TimePoint start_, end_;
  double lo_ = 0, hi_ = 1;
};

// A horizontal line the chart draws for a threshold: the bound's value and its label
// ("critical < 95").
struct ThresholdLine {
  std::string level;  // warning | critical
  double value = 0;
  std::string label;
};

// The finite bounds of the series' warning and critical ranges. A range is where a value is
// fine (or, for an '@' range, where it alerts), so "< 95" is the range 95..inf and gives one
// line at 95 labelled "critical < 95".
std::vector<ThresholdLine> threshold_lines(const MetricSeries& series);

// The chart; `title` is used for the SVG's <title> and aria-label (escaped here).
std::string render_svg_chart(const MetricSeries& series, const std::vector<const AlertSpan*>& spans,
                             sdk::TimePoint start, sdk::TimePoint end, const std::string& title,
                             const ChartLayout& layout = {});

}  // namespace vigil::core::report
