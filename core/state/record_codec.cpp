#include "core/state/record_codec.hpp"

#include <nlohmann/json.hpp>

#include <cmath>
#include <limits>

#include "core/state/state_error.hpp"

namespace vigil::core::state_codec {

using nlohmann::json;

namespace {

json parse(const std::string& text, const char* what) {
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    throw StateError(std::string("stored ") + what + " are not valid JSON: " + e.what());
  }
}

// JSON has no NaN or infinity; a plugin may still report them (a division by zero), so they
// travel as strings.
json number_to_json(double v) {
  if (std::isnan(v))
    return "NaN";
  if (std::isinf(v))
    return v > 0 ? "+Inf" : "-Inf";
  return v;
}

double number_from_json(const json& j) {
  if (j.is_number())
    return j.get<double>();
  const std::string s = j.is_string() ? j.get<std::string>() : "NaN";
  if (s == "+Inf")
    return std::numeric_limits<double>::infinity();
  if (s == "-Inf")
    return -std::numeric_limits<double>::infinity();
  return std::numeric_limits<double>::quiet_NaN();
}

// Plugin text (an exec plugin's output) need not be valid UTF-8; invalid bytes become U+FFFD
// instead of failing the write.
std::string dump(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace

std::int64_t to_ns(sdk::TimePoint t) {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

sdk::TimePoint from_ns(std::int64_t ns) {
  return sdk::TimePoint(
      std::chrono::duration_cast<sdk::TimePoint::duration>(std::chrono::nanoseconds(ns)));
}

std::string labels_to_json(const sdk::Labels& labels) {
  return dump(json(labels));
}

sdk::Labels labels_from_json(const std::string& text) {
  try {
    return parse(text, "labels").get<sdk::Labels>();
  } catch (const json::exception& e) {
    throw StateError(std::string("stored labels are malformed: ") + e.what());
  }
}

// The array is written one metric at a time, never built whole: the JSON of 7,000 labelled
// metrics (a 1,000-target http_probe) as a document would take several times the text's size.
// The text is the same as dumping the whole array.
std::string metrics_to_json(const std::vector<sdk::Metric>& metrics) {
  std::string out = "[";
  for (const auto& m : metrics) {
    json j = {{"name", m.name}, {"value", number_to_json(m.value)}, {"unit", m.unit}};
    if (!m.labels.empty())
      j["labels"] = m.labels;
    if (m.warn)
      j["warn"] = m.warn->to_string();
    if (m.crit)
      j["crit"] = m.crit->to_string();
    if (m.min)
      j["min"] = number_to_json(*m.min);
    if (m.max)
      j["max"] = number_to_json(*m.max);
    if (out.size() > 1)
      out += ',';
    out += dump(j);
  }
  out += ']';
  return out;
}

std::vector<sdk::Metric> metrics_from_json(const std::string& text) {
  std::vector<sdk::Metric> out;
  try {
    for (const auto& j : parse(text, "metrics")) {
      sdk::Metric m(j.at("name").get<std::string>(), number_from_json(j.at("value")),
                    j.value("unit", std::string()));
      if (j.contains("labels"))
        m.labels = j.at("labels").get<sdk::Labels>();
      if (j.contains("warn"))
        m.warn = sdk::Range::parse(j.at("warn").get<std::string>());
      if (j.contains("crit"))
        m.crit = sdk::Range::parse(j.at("crit").get<std::string>());
      if (j.contains("min"))
        m.min = number_from_json(j.at("min"));
      if (j.contains("max"))
        m.max = number_from_json(j.at("max"));
      out.push_back(std::move(m));
    }
  } catch (const json::exception& e) {
    throw StateError(std::string("stored metrics are malformed: ") + e.what());
  }
  return out;
}

std::string strings_to_json(const std::vector<std::string>& lines) {
  return dump(json(lines));
}

std::vector<std::string> strings_from_json(const std::string& text) {
  try {
    return parse(text, "details").get<std::vector<std::string>>();
  } catch (const json::exception& e) {
    throw StateError(std::string("stored details are malformed: ") + e.what());
  }
}

std::string matchers_to_json(const std::vector<SilenceMatcher>& matchers) {
  json out = json::array();
  for (const auto& m : matchers) {
    out.push_back({{"name", m.name}, {"value", m.value}, {"regex", m.regex}, {"negate", m.negate}});
  }
  return dump(out);
}

std::vector<SilenceMatcher> matchers_from_json(const std::string& text) {
  std::vector<SilenceMatcher> out;
  try {
    for (const auto& j : parse(text, "silence matchers")) {
      SilenceMatcher m;
      m.name = j.at("name").get<std::string>();
      m.value = j.at("value").get<std::string>();
      m.regex = j.value("regex", false);
      m.negate = j.value("negate", false);
      out.push_back(std::move(m));
    }
  } catch (const json::exception& e) {
    throw StateError(std::string("stored silence matchers are malformed: ") + e.what());
  }
  return out;
}

}  // namespace vigil::core::state_codec
