#pragma once
// The demo service's /metrics page in the Prometheus text exposition format 0.0.4, and its
// /health and /admin/state JSON documents.
#include <nlohmann/json.hpp>

#include <string>

#include "core/demo/demo_traffic.hpp"

namespace vigil::demo {

// demo_request_duration_seconds (histogram), demo_requests_total and demo_errors_total
// (counters), demo_version_info{version} 1, demo_degraded and demo_rollbacks_total.
std::string render_metrics(const TrafficSnapshot& snapshot);

// {"status":"ok","version":...,"degraded":...}: the service stays up when it degrades, as a
// slow release does; what changes is latency and errors.
nlohmann::json health_document(const TrafficSnapshot& snapshot);

// Everything /admin/state shows: phase, counters, recent p95 and error ratio, the events.
nlohmann::json state_document(const TrafficSnapshot& snapshot);

}  // namespace vigil::demo
