#include "core/report/svg_chart.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <limits>

#include "core/report/report_text.hpp"

namespace vigil::core::report {

namespace {

using std::chrono::duration_cast;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int kMaxTimeTicks = 8;
constexpr std::size_t kMaxMarkers = 60;  // dots on each sample only while they stay legible

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

double nice_step(double raw) {
  if (!(raw > 0) || !std::isfinite(raw))
    return 1;
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double norm = raw / mag;
  const double nice = norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10;
  return nice * mag;
}

// Tick spacing for the time axis: the smallest round step giving at most kMaxTimeTicks ticks.
long long time_step_seconds(double span_seconds) {
  static const long long steps[] = {1,   2,    5,    10,   15,    30,    60,    120,   300,   600,
                                    900, 1800, 3600, 7200, 10800, 21600, 43200, 86400, 172800};
  for (long long s : steps) {
    if (span_seconds / static_cast<double>(s) <= kMaxTimeTicks)
      return s;
  }
  return static_cast<long long>(std::ceil(span_seconds / kMaxTimeTicks / 86400.0)) * 86400;
}

std::string tick_label(long long epoch_seconds, long long step, double span_seconds) {
  const std::time_t t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  const char* fmt = span_seconds > 86400 ? "%m-%d %H:%M" : step < 60 ? "%H:%M:%S" : "%H:%M";
  char buf[32];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

const char* threshold_colour(const std::string& level) {
  return level == "critical" ? "#c5221f" : "#e37400";
}

const char* span_colour(const std::string& severity) {
  if (severity == "critical")
    return "#d93025";
  if (severity == "warning")
    return "#f9ab00";
  return "#1a73e8";
}

void add_bound_lines(std::vector<ThresholdLine>& out, const std::string& level,
                     const std::optional<sdk::Range>& range) {
  if (!range)
    return;
  const bool low = std::isfinite(range->start);
  const bool high = std::isfinite(range->end);
  if (range->inside) {
    const std::string text = level + " inside " + range->to_string().substr(1);
    if (low)
      out.push_back({level, range->start, text});
    if (high && (!low || range->end != range->start))
      out.push_back({level, range->end, text});
    return;
  }
  if (low)
    out.push_back({level, range->start, level + " < " + format_figure(range->start)});
  if (high)
    out.push_back({level, range->end, level + " > " + format_figure(range->end)});
}

}  // namespace

std::vector<ThresholdLine> threshold_lines(const MetricSeries& series) {
  std::vector<ThresholdLine> out;
  add_bound_lines(out, "warning", series.warning);
  add_bound_lines(out, "critical", series.critical);
  return out;
}

ChartScale::ChartScale(const MetricSeries& series, sdk::TimePoint start, sdk::TimePoint end,
                       const ChartLayout& layout)
    : layout_(layout), start_(start), end_(end) {
  if (end_ <= start_)
    end_ = start_ + seconds(60);
  double lo = std::numeric_limits<double>::infinity();
  double hi = -std::numeric_limits<double>::infinity();
  for (const auto& p : series.points) {
    if (!std::isfinite(p.value))
      continue;
    lo = std::min(lo, p.value);
    hi = std::max(hi, p.value);
  }
  for (const auto& line : threshold_lines(series)) {
    lo = std::min(lo, line.value);
    hi = std::max(hi, line.value);
  }
  if (!std::isfinite(lo) || !std::isfinite(hi)) {
    lo = 0;
    hi = 1;
  }
  if (hi - lo <= 0) {
    const double pad = std::max(1.0, std::fabs(hi) * 0.1);
    lo -= pad;
    hi += pad;
  } else {
    const double pad = (hi - lo) * 0.08;
    lo -= pad;
    hi += pad;
  }
  lo_ = lo;
  hi_ = hi;
}

double ChartScale::x_of(sdk::TimePoint t) const {
  const double plot = layout_.width - layout_.margin_left - layout_.margin_right;
  const double span = duration_cast<std::chrono::duration<double>>(end_ - start_).count();
  const double at = duration_cast<std::chrono::duration<double>>(t - start_).count();
  return layout_.margin_left + plot * std::clamp(at / span, 0.0, 1.0);
}

double ChartScale::y_of(double v) const {
  const double plot = layout_.height - layout_.margin_top - layout_.margin_bottom;
  return layout_.margin_top + plot * (1.0 - (v - lo_) / (hi_ - lo_));
}

std::string render_svg_chart(const MetricSeries& series, const std::vector<const AlertSpan*>& spans,
                             sdk::TimePoint start, sdk::TimePoint end, const std::string& title,
                             const ChartLayout& layout) {
  const ChartScale scale(series, start, end, layout);
  const double left = layout.margin_left;
  const double right = layout.width - layout.margin_right;
  const double top = layout.margin_top;
  const double bottom = layout.height - layout.margin_bottom;
  const std::string esc_title = html_escape(title);

  std::string svg;
  svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" + num(layout.width) +
         "\" height=\"" + num(layout.height) + "\" viewBox=\"0 0 " + num(layout.width) + " " +
         num(layout.height) + "\" role=\"img\" aria-label=\"" + esc_title + "\" data-metric=\"" +
         html_escape(series.display_name()) + "\">\n";
  svg += "<title>" + esc_title + "</title>\n";
  svg += "<rect class=\"plot\" x=\"" + num(left) + "\" y=\"" + num(top) + "\" width=\"" +
         num(right - left) + "\" height=\"" + num(bottom - top) +
         "\" fill=\"#ffffff\" stroke=\"#c0c4c8\"/>\n";

  // Firing alerts first, so the lines are drawn over them.
  for (const AlertSpan* span : spans) {
    const auto from = std::max(span->started, scale.start());
    const auto to = std::min(span->ended.value_or(scale.end()), scale.end());
    if (to < from)
      continue;
    const double x1 = scale.x_of(from);
    const double w = std::max(1.0, scale.x_of(to) - x1);
    std::string tip = span->rule + " (" + span->severity + ") firing " + format_time(span->started);
    tip += span->ended ? " to " + format_time(*span->ended) : ", still firing";
    if (span->silenced)
      tip += ", silenced";
    svg += "<rect class=\"alert-span " + html_escape(span->severity) +
           (span->silenced ? " silenced" : "") + "\" x=\"" + num(x1) + "\" y=\"" + num(top) +
           "\" width=\"" + num(w) + "\" height=\"" + num(bottom - top) + "\" fill=\"" +
           span_colour(span->severity) + "\" fill-opacity=\"" + (span->silenced ? "0.08" : "0.18") +
           "\"><title>" + html_escape(tip) + "</title></rect>\n";
  }

  // Value axis.
  const double vstep = nice_step((scale.value_high() - scale.value_low()) / 4);
  for (double v = std::ceil(scale.value_low() / vstep) * vstep; v <= scale.value_high();
       v += vstep) {
    const double shown = std::fabs(v) < vstep * 1e-9 ? 0.0 : v;
    const double y = scale.y_of(shown);
    svg += "<line class=\"grid\" x1=\"" + num(left) + "\" x2=\"" + num(right) + "\" y1=\"" +
           num(y) + "\" y2=\"" + num(y) + "\" stroke=\"#eceff1\"/>\n";
    svg += "<text class=\"tick y\" x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) +
           "\" text-anchor=\"end\" font-size=\"11\" fill=\"#5f6368\">" +
           html_escape(format_figure(shown)) + "</text>\n";
  }

  // Time axis, in UTC.
  const double span_s =
      duration_cast<std::chrono::duration<double>>(scale.end() - scale.start()).count();
  const long long step = time_step_seconds(span_s);
  const long long first_s = duration_cast<seconds>(scale.start().time_since_epoch()).count();
  const long long end_s = duration_cast<seconds>(scale.end().time_since_epoch()).count();
  for (long long s = (first_s + step - 1) / step * step; s <= end_s; s += step) {
    const double x = scale.x_of(sdk::TimePoint(seconds(s)));
    svg += "<line class=\"grid\" x1=\"" + num(x) + "\" x2=\"" + num(x) + "\" y1=\"" + num(top) +
           "\" y2=\"" + num(bottom) + "\" stroke=\"#eceff1\"/>\n";
    svg += "<text class=\"tick x\" x=\"" + num(x) + "\" y=\"" + num(bottom + 16) +
           "\" text-anchor=\"middle\" font-size=\"11\" fill=\"#5f6368\">" +
           tick_label(s, step, span_s) + "</text>\n";
  }
  svg += "<text class=\"axis-note\" x=\"" + num(right) + "\" y=\"" + num(layout.height - 4) +
         "\" text-anchor=\"end\" font-size=\"10\" fill=\"#80868b\">UTC</text>\n";

  for (const auto& line : threshold_lines(series)) {
    const double y = scale.y_of(line.value);
    svg += "<line class=\"threshold " + line.level + "\" x1=\"" + num(left) + "\" x2=\"" +
           num(right) + "\" y1=\"" + num(y) + "\" y2=\"" + num(y) + "\" stroke=\"" +
           threshold_colour(line.level) + "\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>\n";
    svg += "<text class=\"threshold-label " + line.level + "\" x=\"" + num(right - 4) + "\" y=\"" +
           num(y - 4) + "\" text-anchor=\"end\" font-size=\"11\" fill=\"" +
           threshold_colour(line.level) + "\">" + html_escape(line.label) + "</text>\n";
  }

  std::string points;
  for (const auto& p : series.points) {
    if (!std::isfinite(p.value))
      continue;
    if (!points.empty())
      points += ' ';
    points += num(scale.x_of(p.at)) + "," + num(scale.y_of(p.value));
  }
  svg += "<polyline class=\"series\" points=\"" + points +
         "\" fill=\"none\" stroke=\"#1a73e8\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n";
  if (series.points.size() <= kMaxMarkers) {
    for (const auto& p : series.points) {
      if (!std::isfinite(p.value))
        continue;
      svg += "<circle class=\"sample\" cx=\"" + num(scale.x_of(p.at)) + "\" cy=\"" +
             num(scale.y_of(p.value)) + "\" r=\"2.5\" fill=\"#1a73e8\"/>\n";
    }
  }
  if (series.points.empty()) {
    svg += "<text class=\"no-data\" x=\"" + num((left + right) / 2) + "\" y=\"" +
           num((top + bottom) / 2) +
           "\" text-anchor=\"middle\" font-size=\"13\" fill=\"#80868b\">no samples</text>\n";
  }
  svg += "</svg>";
  return svg;
}

}  // namespace vigil::core::report
