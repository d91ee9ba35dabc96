#pragma once
// Events shaped as the host's alert engine makes them (rule summary "rule: reason", labels of
// the rule plus pipeline and deployment, a fingerprint), for the notification plugins' tests.
#include <chrono>
#include <string>

#include <vigil/sdk/action.hpp>

namespace vigil::testing_support {

// 2025-11-29T06:48:46Z
inline const sdk::TimePoint kAlertStart{std::chrono::seconds{1764398926}};

inline sdk::Event firing_alert(const std::string& rule = "error-rate",
                               const std::string& fingerprint = "5f2c0b1e9a7d3c41") {
  sdk::Event e;
  e.kind = "firing";
  e.rule = rule;
  e.check = "api-errors";
  e.severity = "critical";
  e.status = sdk::Status::Critical;
  e.summary = rule + ": 2.3% of requests failed";
  e.labels = {{"pipeline", "api"}, {"team", "core"}, {"deployment", "deploy-42"}};
  e.annotations = {{"runbook", "https://runbooks.example/" + rule}};
  e.starts_at = kAlertStart;
  e.fingerprint = fingerprint;
  e.deployment = "deploy-42";
  return e;
}

inline sdk::Event resolved_alert(const std::string& rule = "error-rate",
                                 const std::string& fingerprint = "5f2c0b1e9a7d3c41") {
  sdk::Event e = firing_alert(rule, fingerprint);
  e.kind = "resolved";
  e.status = sdk::Status::Ok;
  e.summary = rule + ": back to 0.1%";
  e.ends_at = kAlertStart + std::chrono::minutes(5);
  return e;
}

// A batch as the dispatcher makes it: two firing (one a reminder), one resolved.
inline sdk::Event batch_of_three() {
  sdk::Event head;
  head.kind = "group";
  head.summary = "3 alerts in api: 1 firing, 1 still firing, 1 resolved";
  head.severity = "critical";
  head.status = sdk::Status::Critical;
  head.labels = {{"pipeline", "api"}};
  head.starts_at = kAlertStart;
  head.deployment = "deploy-42";
  sdk::Event reminder = firing_alert("latency-p99", "0c1d2e3f4a5b6c7d");
  reminder.kind = "reminder";
  reminder.severity = "warning";
  reminder.status = sdk::Status::Warning;
  head.group = {firing_alert(), reminder, resolved_alert("disk-full", "9a8b7c6d5e4f3a2b")};
  return head;
}

}  // namespace vigil::testing_support
