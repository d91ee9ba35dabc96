#pragma once
// The Prometheus text exposition format, version 0.0.4: families with HELP and TYPE, samples
// with escaped label values. Knows the format, nothing of vigil (metrics_renderer.hpp does).
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace vigil::core {

using SeriesLabels = std::vector<std::pair<std::string, std::string>>;  // in output order

enum class FamilyType { Gauge, Counter };

class ExpositionWriter {
 public:
  // Starts a family. Its HELP and TYPE lines are written with its first sample, so a family
  // without samples leaves no trace. `name` must already be a valid metric name.
  void family(std::string_view name, FamilyType type, std::string_view help);
  // A sample of the current family. Labels with an empty value are left out (Prometheus reads
  // an empty value as no label). A second sample with the same labels is dropped: a family
  // must not repeat a series.
  void sample(const SeriesLabels& labels, double value);
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::string name_, help_;
  FamilyType type_ = FamilyType::Gauge;
  bool header_written_ = false;
  std::set<std::string> series_;  // this family's label sets, as written
};

// `\`, `"` and newline escaped, as label values must be.
std::string escape_label_value(std::string_view value);
// `\` and newline escaped, as HELP text must be.
std::string escape_help(std::string_view help);
// A valid label name from any text: characters outside [a-zA-Z0-9_] become `_`, a leading
// digit gets a `_` in front, and the `__` prefix Prometheus reserves becomes a single `_`.
std::string sanitize_label_name(std::string_view name);
// The shortest text that reads back as the same double; NaN, +Inf and -Inf as Prometheus
// writes them.
std::string format_sample_value(double value);

}  // namespace vigil::core
