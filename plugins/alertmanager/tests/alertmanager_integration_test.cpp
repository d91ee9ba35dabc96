// alertmanager against a real Alertmanager (Debian's prometheus-alertmanager) started by the
// test on 127.0.0.1, checked through Alertmanager's own API: the alert is there with the labels
// and annotations vigil sent and active, a resolved event takes it out of the active alerts, and
// a group posts all its alerts at once.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <vigil/sdk/testing.hpp>

#include "alertmanager_server.hpp"
#include "sample_events.hpp"

namespace {

using namespace std::chrono_literals;
using vigil::sdk::ActionOutcome;
using vigil::sdk::Event;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using vigil::testing_support::AlertmanagerServer;
namespace support = vigil::testing_support;

// ?filter=alertname="NAME", URL-encoded (names here are letters, digits and dashes).
std::string only(const std::string& alertname) {
  return "filter=alertname%3D%22" + alertname + "%22";
}

class AlertmanagerLive : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (AlertmanagerServer::installed())
      server_ = std::make_unique<AlertmanagerServer>();
  }
  static void TearDownTestSuite() { server_.reset(); }

  void SetUp() override {
    if (!AlertmanagerServer::installed()) {
      GTEST_SKIP() << AlertmanagerServer::kBinary
                   << " is not installed (apt-get install prometheus-alertmanager)";
    }
    ASSERT_TRUE(server_ && server_->error().empty())
        << (server_ ? server_->error() : "not started");
  }

  ActionOutcome send(const Event& event) {
    FakeContext ctx("alertmanager", 10s);
    ctx.manual_clock().set(std::chrono::system_clock::now());
    return plugin_
        .action("alertmanager",
                {{"url", server_->url()}, {"generator_url", "https://vigil.example/api"}})
        ->execute(event, ctx);
  }

  // Alertmanager marks a posted alert "unprocessed" until its dispatcher has seen it, a few
  // milliseconds later; this waits, bounded, for the state the test expects.
  static nlohmann::json wait_for(const std::string& query, std::size_t count,
                                 const std::string& state) {
    nlohmann::json alerts;
    const auto until = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < until) {
      alerts = server_->alerts(query);
      bool all = alerts.is_array() && alerts.size() == count;
      for (const auto& a : alerts)
        all = all && a["status"]["state"] == state;
      if (all)
        return alerts;
      std::this_thread::sleep_for(20ms);
    }
    return alerts;
  }

  LocalPlugin plugin_;
  static std::unique_ptr<AlertmanagerServer> server_;
};

std::unique_ptr<AlertmanagerServer> AlertmanagerLive::server_;

TEST_F(AlertmanagerLive, AFiringAlertIsActiveWithItsLabelsAndAnnotations) {
  const ActionOutcome outcome = send(support::firing_alert("error-rate-live"));
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "posted 1 alert to " + server_->url() + "/api/v2/alerts");

  const nlohmann::json alerts = wait_for(only("error-rate-live"), 1, "active");
  ASSERT_EQ(alerts.size(), 1u) << alerts.dump();
  const nlohmann::json& alert = alerts[0];
  EXPECT_EQ(alert["status"]["state"], "active") << alert.dump();
  const nlohmann::json labels = {{"alertname", "error-rate-live"},
                                 {"severity", "critical"},
                                 {"deployment", "deploy-42"},
                                 {"pipeline", "api"},
                                 {"team", "core"}};
  EXPECT_EQ(alert["labels"], labels);
  const nlohmann::json annotations = {{"runbook", "https://runbooks.example/error-rate-live"},
                                      {"summary", "error-rate-live: 2.3% of requests failed"}};
  EXPECT_EQ(alert["annotations"], annotations);
  EXPECT_EQ(alert["startsAt"], "2025-11-29T06:48:46.000Z");
  EXPECT_EQ(alert["generatorURL"], "https://vigil.example/api");
  EXPECT_EQ(alert["receivers"][0]["name"], "nowhere");
}

TEST_F(AlertmanagerLive, AResolvedEventTakesTheAlertOutOfTheActiveOnes) {
  ASSERT_TRUE(send(support::firing_alert("latency-live", "1111")).ok);
  ASSERT_EQ(wait_for(only("latency-live"), 1, "active").size(), 1u);

  Event resolved = support::resolved_alert("latency-live", "1111");
  resolved.ends_at = std::chrono::system_clock::now() - 1s;
  const ActionOutcome outcome = send(resolved);
  ASSERT_TRUE(outcome.ok) << outcome.message;
  // endsAt in the past resolves it at once: gone from the active alerts, no waiting needed.
  EXPECT_EQ(server_->alerts("active=true&" + only("latency-live")), nlohmann::json::array());
  EXPECT_EQ(server_->alerts(only("latency-live")), nlohmann::json::array());
}

TEST_F(AlertmanagerLive, AResolvedEventWithoutAnEndEndsNow) {
  ASSERT_TRUE(send(support::firing_alert("disk-live", "2222")).ok);
  ASSERT_EQ(wait_for(only("disk-live"), 1, "active").size(), 1u);
  Event resolved = support::resolved_alert("disk-live", "2222");
  resolved.ends_at.reset();  // the plugin uses the context's clock: the real now here
  ASSERT_TRUE(send(resolved).ok);
  // endsAt == now is "not before now" for a moment; bounded wait until it is in the past.
  EXPECT_EQ(wait_for("active=true&" + only("disk-live"), 0, "active"), nlohmann::json::array());
}

TEST_F(AlertmanagerLive, AGroupPostsAllThreeAlertsAtOnce) {
  Event head = support::batch_of_three();
  head.group = {support::firing_alert("group-live-a", "aaaa"),
                support::firing_alert("group-live-b", "bbbb"),
                support::firing_alert("group-live-c", "cccc")};
  head.group[1].kind = "reminder";
  const ActionOutcome outcome = send(head);
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "posted 3 alerts to " + server_->url() + "/api/v2/alerts");

  const nlohmann::json alerts = wait_for("filter=alertname%3D~%22group-live-.%22", 3, "active");
  ASSERT_EQ(alerts.size(), 3u) << alerts.dump();
  std::vector<std::string> names;
  for (const auto& a : alerts)
    names.push_back(a["labels"]["alertname"]);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"group-live-a", "group-live-b", "group-live-c"}));
}

TEST_F(AlertmanagerLive, AnAlertAlertmanagerRefusesFailsWithItsReason) {
  Event bad = support::firing_alert("bad-label-live");
  bad.labels["not a label name"] = "x";
  const ActionOutcome outcome = send(bad);
  EXPECT_FALSE(outcome.ok);
  const std::string prefix = "POST " + server_->url() + "/api/v2/alerts: HTTP 400: ";
  EXPECT_EQ(outcome.message.rfind(prefix, 0), 0u) << outcome.message;
  EXPECT_NE(outcome.message.find("not a label name"), std::string::npos) << outcome.message;
}

TEST(AlertmanagerStopped, IsConnectionRefused) {
  if (!AlertmanagerServer::installed())
    GTEST_SKIP() << AlertmanagerServer::kBinary << " is not installed";
  AlertmanagerServer server;
  ASSERT_TRUE(server.error().empty()) << server.error();
  server.stop();
  LocalPlugin plugin;
  FakeContext ctx("alertmanager", 10s);
  const ActionOutcome outcome =
      plugin.action("alertmanager", {{"url", server.url()}})->execute(support::firing_alert(), ctx);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + server.url() + "/api/v2/alerts: connection refused");
}

}  // namespace
