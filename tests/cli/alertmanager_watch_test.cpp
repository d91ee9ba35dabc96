// vigil's alerts in a real Alertmanager (Debian's prometheus-alertmanager on 127.0.0.1): a
// `vigil run` watches the demo service; when its release degrades, the latency rule fires and
// the alert appears in GET /api/v2/alerts with the rule's labels; the escalation rolls the
// service back, the rule clears, and the alert is resolved in Alertmanager.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "alertmanager_server.hpp"
#include "tests/cli/process_runner.hpp"

namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;
using vigil::testing_support::AlertmanagerServer;
using vigil::testing_support::free_loopback_port;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";

// Polls Alertmanager until `pred` holds for the alert named `name` (or its absence).
bool await_alert(const AlertmanagerServer& am, const std::string& query,
                 const std::function<bool(const nlohmann::json&)>& pred,
                 std::chrono::seconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    const nlohmann::json alerts = am.alerts(query);
    if (alerts.is_array() && pred(alerts))
      return true;
    std::this_thread::sleep_for(250ms);
  }
  return false;
}

TEST(AlertmanagerWatch, AlertsAppearWithTheirLabelsAndResolveWhenTheRuleClears) {
  if (!AlertmanagerServer::installed())
    GTEST_SKIP() << AlertmanagerServer::kBinary << " is not installed (packaging/install-deps)";
  AlertmanagerServer am;
  ASSERT_EQ(am.error(), "");

  std::string templ = ::testing::TempDir() + "vigil-am-XXXXXX";
  const fs::path dir = mkdtemp(templ.data());
  const std::string port = std::to_string(free_loopback_port());
  const std::string pidfile = (dir / "service.pid").string();
  std::ofstream(dir / "vigil.yaml") << R"(
actions:
  - name: start-service
    plugin: command
    options:
      command: [")" << kVigil << R"(", __demo-service, --port, ")"
                                    << port << R"(", --degrade-after, 3s, --detach, --pidfile, ")"
                                    << pidfile << R"("]
  - name: stop-service
    plugin: command
    options: {command: [")" << kVigil
                                    << R"(", __demo-service, --stop, --pidfile, ")" << pidfile
                                    << R"("]}
  - name: alertmanager
    plugin: alertmanager
    retries: 5
    retry_backoff: 1s
    options: {url: ")" << am.url() << R"("}
  - name: rollback
    plugin: rollback
    options:
      command: [")" << kVigil << R"(", __demo-service, --rollback, --port, ")"
                                    << port << R"("]
      verify: [latency]
      verify_within: 60s
      verify_interval: 2s
window:
  duration: 5m
  deployment: am-test
  on_start: [start-service]
  on_failure: [stop-service]
  on_success: [stop-service]
  on_inconclusive: [stop-service]
pipelines:
  - name: shop
    labels: {team: payments}
    defaults: {interval: 2s, timeout: 2s}
    checks:
      - name: latency
        plugin: latency_histogram
        options:
          url: "http://127.0.0.1:)" << port
                                    << R"(/metrics"
          metric: demo_request_duration_seconds
    rules:
      - name: shop-latency
        check: latency
        when: "p95 > 0.5"
        severity: critical
        annotations: {summary: "P95 above 500ms"}
        notify: [alertmanager]
        escalation:
          - after: 6s
            run: [rollback]
)";
  vigil::testing::ChildProcess vigil(
      {kVigil, "run", "--config", (dir / "vigil.yaml").string(), "--state-dir", dir.string()});

  const bool appeared = await_alert(
      am, "active=true",
      [](const nlohmann::json& alerts) {
        for (const auto& a : alerts) {
          const auto& l = a["labels"];
          if (l.value("alertname", "") == "shop-latency" && l.value("severity", "") == "critical" &&
              l.value("team", "") == "payments" && l.value("check", "") == "latency" &&
              l.value("pipeline", "") == "shop" && l.value("deployment", "") == "am-test" &&
              a["annotations"].value("summary", "") == "P95 above 500ms")
            return true;
        }
        return false;
      },
      90s);
  EXPECT_TRUE(appeared) << am.alerts().dump();

  // After the rollback the rule clears and vigil posts endsAt: the alert is no longer active.
  const bool resolved = await_alert(
      am, "active=true",
      [](const nlohmann::json& alerts) {
        for (const auto& a : alerts) {
          if (a["labels"].value("alertname", "") == "shop-latency")
            return false;
        }
        return true;
      },
      120s);
  EXPECT_TRUE(resolved) << am.alerts().dump();
  const auto out = vigil.finish(180s);
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_NE(out.err.find("ALERT RESOLVED [critical] shop-latency"), std::string::npos) << out.err;
  if (fs::exists(pidfile))
    vigil::testing::run_process({kVigil, "__demo-service", "--stop", "--pidfile", pidfile});
  fs::remove_all(dir);
}

}  // namespace
