#include "core/output/result_format.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace vigil::core {

namespace {

std::string series_label(const sdk::Metric& m) {
  std::string out = m.name;
  if (!m.labels.empty()) {
    out += "{";
    bool first = true;
    for (const auto& [k, v] : m.labels) {
      out += (first ? "" : ",") + k + "=" + v;
      first = false;
    }
    out += "}";
  }
  return out;
}

// Perfdata labels are quoted when they hold anything but [A-Za-z0-9_.-]; a quote inside is
// doubled, as the Monitoring Plugins guidelines specify.
std::string perfdata_label(const std::string& label) {
  bool plain = !label.empty();
  for (char c : label) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) {
      plain = false;
    }
  }
  if (plain)
    return label;
  std::string out = "'";
  for (char c : label) {
    out += c;
    if (c == '\'')
      out += '\'';
  }
  return out + "'";
}

nlohmann::json json_number(double v) {
  if (std::isfinite(v))
    return v;
  return nullptr;  // JSON has no NaN or infinity
}

}  // namespace

std::string format_value(double v) {
  if (std::isnan(v))
    return "U";
  char buf[64];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v)
      break;
  }
  return buf;
}

std::string format_rfc3339(sdk::TimePoint t) {
  std::time_t secs = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string format_nagios(const CheckResult& r) {
  std::string out = std::string(sdk::to_string(r.status)) + " - " + r.summary;
  if (!r.metrics.empty()) {
    out += " |";
    for (const auto& m : r.metrics) {
      out += " " + perfdata_label(series_label(m)) + "=" + format_value(m.value) + m.unit;
      std::string tail =
          ";" + (m.warn ? m.warn->to_string() : "") + ";" + (m.crit ? m.crit->to_string() : "") +
          ";" + (m.min ? format_value(*m.min) : "") + ";" + (m.max ? format_value(*m.max) : "");
      // Trailing empty fields are dropped, as plugins conventionally print them.
      while (!tail.empty() && tail.back() == ';')
        tail.pop_back();
      out += tail;
    }
  }
  for (const auto& d : r.details)
    out += "\n" + d;
  return out;
}

std::string format_json(const CheckResult& r) {
  nlohmann::json metrics = nlohmann::json::array();
  for (const auto& m : r.metrics) {
    nlohmann::json j = {
        {"name", m.name}, {"value", json_number(m.value)}, {"unit", m.unit}, {"labels", m.labels}};
    if (m.warn)
      j["warn"] = m.warn->to_string();
    if (m.crit)
      j["crit"] = m.crit->to_string();
    if (m.min)
      j["min"] = json_number(*m.min);
    if (m.max)
      j["max"] = json_number(*m.max);
    metrics.push_back(std::move(j));
  }
  nlohmann::json j = {{"check", r.check},
                      {"plugin", r.plugin},
                      {"pipeline", r.pipeline},
                      {"status", std::string(sdk::to_string(r.status))},
                      {"status_code", static_cast<int>(r.status)},
                      {"plugin_status", std::string(sdk::to_string(r.plugin_status))},
                      {"summary", r.summary},
                      {"metrics", std::move(metrics)},
                      {"details", r.details},
                      {"labels", r.labels},
                      {"duration_ms", r.duration.count()},
                      {"timestamp", format_rfc3339(r.started)}};
  // Invalid UTF-8 from a plugin must not abort output; replace it.
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string format_log_line(const CheckResult& r) {
  const char* mark = "✓";
  switch (r.status) {
    case sdk::Status::Ok:
      mark = "✓";
      break;
    case sdk::Status::Warning:
      mark = "⚠";
      break;
    case sdk::Status::Critical:
      mark = "✗";
      break;
    case sdk::Status::Unknown:
      mark = "?";
      break;
  }
  std::string line = std::string(mark) + " " + r.check + ": ";
  if (r.status != sdk::Status::Ok)
    line += std::string(sdk::to_string(r.status)) + " - ";
  return line + r.summary;
}

// "2026-11-29T18:00:00Z" (or with +00:00); anything else, or an impossible date, is nullopt.
std::optional<sdk::TimePoint> parse_rfc3339_utc(const std::string& text) {
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, used = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &year, &month, &day, &hour, &minute,
                  &second, &used) != 6) {
    return std::nullopt;
  }
  const std::string zone = text.substr(static_cast<std::size_t>(used));
  if (zone != "Z" && zone != "z" && zone != "+00:00")
    return std::nullopt;
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  const std::time_t secs = ::timegm(&tm);
  // timegm normalises 2026-02-30 to March 2; a date that does not read back was not a date.
  std::tm back{};
  gmtime_r(&secs, &back);
  if (back.tm_year != year - 1900 || back.tm_mon != month - 1 || back.tm_mday != day ||
      back.tm_hour != hour || back.tm_min != minute || back.tm_sec != second) {
    return std::nullopt;
  }
  return std::chrono::system_clock::from_time_t(secs);
}

}  // namespace vigil::core
