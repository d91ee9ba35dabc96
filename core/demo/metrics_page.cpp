#include "core/demo/metrics_page.hpp"

#include <charconv>
#include <cstdint>

namespace vigil::demo {

namespace {

// Shortest text that reads back as the same double, as Go's strconv does for Prometheus.
std::string number(double value) {
  char buf[64];
  const auto result = std::to_chars(buf, buf + sizeof buf, value);
  return std::string(buf, result.ptr);
}

std::string number(std::uint64_t value) {
  return std::to_string(value);
}

double seconds(std::chrono::milliseconds ms) {
  return static_cast<double>(ms.count()) / 1000.0;
}

}  // namespace

std::string render_metrics(const TrafficSnapshot& s) {
  std::string page;
  page.reserve(2048);
  page +=
      "# HELP demo_request_duration_seconds Latency of the demo service's requests.\n"
      "# TYPE demo_request_duration_seconds histogram\n";
  const auto cumulative = s.histogram.cumulative_counts();
  for (std::size_t i = 0; i < RequestHistogram::kUpperBounds.size(); ++i) {
    page += "demo_request_duration_seconds_bucket{le=\"" +
            number(RequestHistogram::kUpperBounds[i]) + "\"} " + number(cumulative[i]) + "\n";
  }
  page += "demo_request_duration_seconds_bucket{le=\"+Inf\"} " + number(s.histogram.count()) + "\n";
  page += "demo_request_duration_seconds_sum " + number(s.histogram.sum()) + "\n";
  page += "demo_request_duration_seconds_count " + number(s.histogram.count()) + "\n";
  page +=
      "# HELP demo_requests_total Requests the demo service answered.\n"
      "# TYPE demo_requests_total counter\n"
      "demo_requests_total " +
      number(s.requests_total) +
      "\n"
      "# HELP demo_errors_total Requests the demo service answered with an error (5xx).\n"
      "# TYPE demo_errors_total counter\n"
      "demo_errors_total " +
      number(s.errors_total) +
      "\n"
      "# HELP demo_version_info The release the demo service runs.\n"
      "# TYPE demo_version_info gauge\n"
      "demo_version_info{version=\"" +
      s.version +
      "\"} 1\n"
      "# HELP demo_degraded 1 while the bad release serves.\n"
      "# TYPE demo_degraded gauge\n"
      "demo_degraded " +
      std::string(s.phase == Phase::Degraded ? "1" : "0") +
      "\n"
      "# HELP demo_rollbacks_total Rollbacks the demo service went through.\n"
      "# TYPE demo_rollbacks_total counter\n"
      "demo_rollbacks_total " +
      number(s.rollbacks) + "\n";
  return page;
}

nlohmann::json health_document(const TrafficSnapshot& s) {
  return {{"status", "ok"}, {"version", s.version}, {"degraded", s.phase == Phase::Degraded}};
}

nlohmann::json state_document(const TrafficSnapshot& s) {
  nlohmann::json events = nlohmann::json::array();
  for (const TrafficEvent& e : s.events) {
    events.push_back({{"event", e.event}, {"version", e.version}, {"at_seconds", seconds(e.at)}});
  }
  return {{"version", s.version},
          {"phase", to_string(s.phase)},
          {"degraded", s.phase == Phase::Degraded},
          {"uptime_seconds", seconds(s.uptime)},
          {"requests_total", s.requests_total},
          {"errors_total", s.errors_total},
          {"rollbacks", s.rollbacks},
          {"recent",
           {{"requests", s.recent.requests},
            {"p95_seconds", s.recent.p95_seconds},
            {"error_ratio", s.recent.error_ratio}}},
          {"events", events}};
}

}  // namespace vigil::demo
