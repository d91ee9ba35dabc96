#include "query_response.hpp"

#include <cmath>
#include <cstdio>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <vigil/sdk/exposition.hpp>

namespace vigil::prometheus_query {

namespace {

using nlohmann::json;
using sdk::Result;

// Prometheus writes a sample as [<unix seconds>, "<value>"], the value a Go float as text:
// "1", "0.25", "NaN", "+Inf", "-Inf".
std::optional<double> sample_value(const json& pair) {
  if (!pair.is_array() || pair.size() != 2 || !pair[1].is_string())
    return std::nullopt;
  return sdk::exposition::parse_float(pair[1].get_ref<const std::string&>());
}

std::string format_value(double v) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// {job="node", instance="x"} as PromQL writes it, for summaries and details.
std::string format_labels(const sdk::Labels& labels) {
  if (labels.empty())
    return {};
  std::string out = "{";
  for (const auto& [name, value] : labels) {
    if (out.size() > 1)
      out += ", ";
    out += name + "=\"" + value + "\"";
  }
  return out + "}";
}

Result from_vector(const json& elements, const ResponseRules& rules) {
  if (elements.empty()) {
    if (rules.empty_ok)
      return Result::ok("query returned no series");
    return Result::unknown("query returned no series");
  }
  std::vector<sdk::Metric> metrics;
  std::vector<std::string> lines;
  std::vector<std::string> not_numbers;
  for (const auto& element : elements) {
    sdk::Labels labels;
    if (const auto it = element.find("metric"); it != element.end() && it->is_object()) {
      for (const auto& [name, value] : it->items()) {
        // __name__ is the series' name, not a dimension; the metric is named by metric_name.
        if (name != "__name__" && value.is_string())
          labels.emplace(name, value.get<std::string>());
      }
    }
    const auto value_it = element.find("value");
    const auto value = value_it != element.end() ? sample_value(*value_it) : std::nullopt;
    if (!value)
      return Result::unknown("vector element without a [time, \"value\"] pair");
    const std::string shown = rules.metric_name + format_labels(labels);
    if (std::isnan(*value)) {
      // NaN passes and fails no threshold; say so instead of judging it.
      not_numbers.push_back(shown);
      continue;
    }
    lines.push_back(shown + " = " + format_value(*value));
    metrics.emplace_back(rules.metric_name, *value, "", std::move(labels));
  }
  std::string summary;
  if (metrics.size() == 1) {
    summary = lines.front();
  } else {
    summary = std::to_string(metrics.size()) + " series";
  }
  auto r = not_numbers.empty() ? Result::ok(summary) : Result::unknown("");
  if (!not_numbers.empty()) {
    std::string why = "NaN for " + not_numbers.front();
    if (not_numbers.size() > 1)
      why += " and " + std::to_string(not_numbers.size() - 1) + " more series";
    r.escalate(sdk::Status::Unknown, "query returned " + why);
  }
  for (auto& line : lines)
    r.detail(std::move(line));
  for (auto& m : metrics)
    r.metric(std::move(m));
  return r;
}

}  // namespace

Result result_from_response(long http_status, std::string_view body, const ResponseRules& rules) {
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    if (http_status < 200 || http_status > 299)
      return Result::unknown("HTTP " + std::to_string(http_status) +
                             " without a Prometheus answer");
    return Result::unknown("the response is not a Prometheus API answer (not a JSON object)");
  }
  const std::string status = doc.value("status", "");
  if (status == "error") {
    std::string text = doc.value("errorType", "error") + ": " + doc.value("error", "(no message)");
    return Result::unknown(text);
  }
  if (status != "success") {
    return Result::unknown("the response has no \"status\": \"success\" (HTTP " +
                           std::to_string(http_status) + ")");
  }
  const auto data = doc.find("data");
  if (data == doc.end() || !data->is_object() || !data->contains("result"))
    return Result::unknown("the response has no data.result");
  const std::string type = data->value("resultType", "");
  const json& result = (*data)["result"];
  Result r = Result::unknown("");
  if (type == "scalar") {
    const auto value = sample_value(result);
    if (!value)
      return Result::unknown("scalar result without a [time, \"value\"] pair");
    if (std::isnan(*value))
      return Result::unknown("query returned NaN");
    r = Result::ok(rules.metric_name + " = " + format_value(*value));
    r.metric(rules.metric_name, *value);
  } else if (type == "vector") {
    if (!result.is_array())
      return Result::unknown("vector result is not a list");
    r = from_vector(result, rules);
  } else if (type == "matrix") {
    return Result::unknown("query returns a matrix; use an instant vector");
  } else if (type == "string") {
    return Result::unknown("query returns a string; use an instant vector or a scalar");
  } else {
    return Result::unknown("unknown resultType \"" + type + "\"");
  }
  if (const auto warnings = doc.find("warnings"); warnings != doc.end() && warnings->is_array()) {
    for (const auto& w : *warnings) {
      if (w.is_string())
        r.detail("Prometheus warns: " + w.get<std::string>());
    }
  }
  return r;
}

}  // namespace vigil::prometheus_query
