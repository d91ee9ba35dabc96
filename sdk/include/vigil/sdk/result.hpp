#pragma once
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vigil/sdk/range.hpp"
#include "vigil/sdk/status.hpp"

namespace vigil::sdk {

using Labels = std::map<std::string, std::string>;

// One measurement, shaped like a Nagios perfdata item so the exec plugin and Icinga/Nagios
// consumers map onto it one to one. `unit` is the perfdata UOM: "s", "ms", "%", "B", "c" or "".
// Plugins normally leave warn/crit empty: thresholds are the host's to judge. A plugin that
// wraps a tool which already judged (a Nagios plugin) passes them through for display.
struct Metric {
  std::string name;
  double value = 0;
  std::string unit;
  Labels labels;
  std::optional<Range> warn;
  std::optional<Range> crit;
  std::optional<double> min;
  std::optional<double> max;

  Metric() = default;
  Metric(std::string name_, double value_, std::string unit_ = {}, Labels labels_ = {})
      : name(std::move(name_)), value(value_), unit(std::move(unit_)), labels(std::move(labels_)) {}

  Metric& with_label(std::string key, std::string val) & {
    labels[std::move(key)] = std::move(val);
    return *this;
  }
  Metric&& with_label(std::string key, std::string val) && {
    labels[std::move(key)] = std::move(val);
    return std::move(*this);
  }
  Metric&& with_bounds(std::optional<double> lo, std::optional<double> hi) && {
    min = lo;
    max = hi;
    return std::move(*this);
  }
};

// The outcome of one check run. There is no default constructor: a result is made with an
// explicit status, so a code path that forgets to set one cannot report OK by accident.
class Result {
 public:
  static Result ok(std::string summary) { return Result(Status::Ok, std::move(summary)); }
  static Result warning(std::string summary) { return Result(Status::Warning, std::move(summary)); }
  static Result critical(std::string summary) {
    return Result(Status::Critical, std::move(summary));
  }
  static Result unknown(std::string summary) { return Result(Status::Unknown, std::move(summary)); }
  static Result with_status(Status status, std::string summary) {
    return Result(status, std::move(summary));
  }

  Result& metric(Metric m) & {
    metrics_.push_back(std::move(m));
    return *this;
  }
  Result&& metric(Metric m) && {
    metrics_.push_back(std::move(m));
    return std::move(*this);
  }
  Result& metric(std::string name, double value, std::string unit = {}, Labels labels = {}) & {
    return metric(Metric(std::move(name), value, std::move(unit), std::move(labels)));
  }
  Result&& metric(std::string name, double value, std::string unit = {}, Labels labels = {}) && {
    metrics_.emplace_back(std::move(name), value, std::move(unit), std::move(labels));
    return std::move(*this);
  }
  // Long output: one line per call, shown under the summary (Nagios "long output").
  Result& detail(std::string line) & {
    details_.push_back(std::move(line));
    return *this;
  }
  Result&& detail(std::string line) && {
    details_.push_back(std::move(line));
    return std::move(*this);
  }

  // Raise the status to at least `s` (worst-of), appending why to the summary.
  Result& escalate(Status s, const std::string& why) {
    if (severity(s) > severity(status_))
      status_ = s;
    if (!why.empty())
      summary_ += summary_.empty() ? why : "; " + why;
    return *this;
  }

  Status status() const noexcept { return status_; }
  const std::string& summary() const noexcept { return summary_; }
  const std::vector<Metric>& metrics() const noexcept { return metrics_; }
  std::vector<Metric>& metrics() noexcept { return metrics_; }
  const std::vector<std::string>& details() const noexcept { return details_; }

 private:
  Result(Status status, std::string summary) : status_(status), summary_(std::move(summary)) {
    // The summary is one line by contract; long text belongs in details.
    for (char& c : summary_) {
      if (c == '\n' || c == '\r')
        c = ' ';
    }
  }

  Status status_;
  std::string summary_;
  std::vector<Metric> metrics_;
  std::vector<std::string> details_;
};

}  // namespace vigil::sdk
