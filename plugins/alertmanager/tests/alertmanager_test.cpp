// alertmanager through its real entry point, against a capturing HTTP server on 127.0.0.1: the
// exact alerts posted for firing, resolved and a group, and every way a post fails. The same
// plugin against a real Alertmanager is alertmanager_integration_test.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <vigil/sdk/testing.hpp>

#include "http_sink.hpp"
#include "sample_events.hpp"
#include "testing/local_server.hpp"

namespace {

using namespace std::chrono_literals;
using vigil::sdk::ActionOutcome;
using vigil::sdk::Event;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using vigil::testing_support::HttpSink;
namespace support = vigil::testing_support;
using Raw = std::vector<std::pair<std::string, std::string>>;

const std::string kBasicAuth = "Basic YWxlcnRzOnMzY3IzdC1wYXNz";

class AlertmanagerSinkTest : public ::testing::Test {
 protected:
  ActionOutcome send(const Event& event, Raw extra = {}, std::chrono::milliseconds timeout = 10s,
                     const std::string& url = {}) {
    extra.emplace_back("url", url.empty() ? sink_.url() : url);
    FakeContext ctx("alertmanager", timeout);
    const ActionOutcome outcome = plugin_.action("alertmanager", extra)->execute(event, ctx);
    EXPECT_EQ(outcome.message.find('\n'), std::string::npos) << outcome.message;
    EXPECT_EQ(outcome.message.find(kBasicAuth), std::string::npos) << outcome.message;
    return outcome;
  }
  std::string alerts_url() const { return sink_.url("/api/v2/alerts"); }
  nlohmann::json only_body() const {
    const auto requests = sink_.requests();
    EXPECT_EQ(requests.size(), 1u);
    if (requests.size() != 1)
      return nullptr;
    EXPECT_EQ(requests[0].method, "POST");
    EXPECT_EQ(requests[0].target, "/api/v2/alerts");
    EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
    return nlohmann::json::parse(requests[0].body);
  }

  LocalPlugin plugin_;
  HttpSink sink_;
};

nlohmann::json error_rate_alert() {
  return {{"labels",
           {{"alertname", "error-rate"},
            {"severity", "critical"},
            {"deployment", "deploy-42"},
            {"pipeline", "api"},
            {"team", "core"}}},
          {"annotations",
           {{"runbook", "https://runbooks.example/error-rate"},
            {"summary", "error-rate: 2.3% of requests failed"}}},
          {"startsAt", "2025-11-29T06:48:46Z"}};
}

TEST_F(AlertmanagerSinkTest, FiringPostsTheAlertWithoutEndsAt) {
  const ActionOutcome outcome = send(support::firing_alert());
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "posted 1 alert to " + alerts_url());
  EXPECT_EQ(only_body(), nlohmann::json::array({error_rate_alert()}));
}

TEST_F(AlertmanagerSinkTest, GeneratorUrlAndHeadersAreSent) {
  ASSERT_TRUE(send(support::firing_alert(), {{"generator_url", "https://grafana.example/d/api"},
                                             {"headers.Authorization", kBasicAuth}})
                  .ok);
  nlohmann::json expected = error_rate_alert();
  expected["generatorURL"] = "https://grafana.example/d/api";
  EXPECT_EQ(only_body(), nlohmann::json::array({expected}));
  EXPECT_EQ(sink_.requests().at(0).headers.at("authorization"), kBasicAuth);
}

TEST_F(AlertmanagerSinkTest, ResolvedPostsEndsAt) {
  ASSERT_TRUE(send(support::resolved_alert()).ok);
  nlohmann::json expected = error_rate_alert();
  expected["annotations"]["summary"] = "error-rate: back to 0.1%";
  expected["endsAt"] = "2025-11-29T06:53:46Z";
  EXPECT_EQ(only_body(), nlohmann::json::array({expected}));
}

TEST_F(AlertmanagerSinkTest, ResolvedWithoutAnEndEndsNow) {
  Event resolved = support::resolved_alert();
  resolved.ends_at.reset();
  ASSERT_TRUE(send(resolved).ok);
  // FakeContext's clock stands at 2025-10-18T15:32:00Z.
  EXPECT_EQ(only_body().at(0).at("endsAt"), "2025-10-18T15:32:00Z");
}

TEST_F(AlertmanagerSinkTest, AGroupIsOnePostOfAllItsAlerts) {
  const ActionOutcome outcome = send(support::batch_of_three());
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "posted 3 alerts to " + alerts_url());
  const nlohmann::json body = only_body();
  ASSERT_EQ(body.size(), 3u);
  EXPECT_EQ(body[0], error_rate_alert());
  EXPECT_EQ(body[1]["labels"]["alertname"], "latency-p99");
  EXPECT_EQ(body[1]["labels"]["severity"], "warning");
  EXPECT_FALSE(body[1].contains("endsAt"));  // a reminder keeps the alert open
  EXPECT_EQ(body[2]["labels"]["alertname"], "disk-full");
  EXPECT_EQ(body[2]["endsAt"], "2025-11-29T06:53:46Z");
}

TEST_F(AlertmanagerSinkTest, TheEventsOwnAlertnameAndSeverityWin) {
  // The host's "rollback failed" alert names itself in its labels.
  Event rollback = support::firing_alert("rollback");
  rollback.labels["alertname"] = "RollbackFailed";
  rollback.labels["severity"] = "page";
  ASSERT_TRUE(send(rollback).ok);
  const nlohmann::json labels = only_body().at(0).at("labels");
  EXPECT_EQ(labels["alertname"], "RollbackFailed");
  EXPECT_EQ(labels["severity"], "page");
}

TEST_F(AlertmanagerSinkTest, AnEventWithoutARuleIsNamedByItsKind) {
  Event verdict;
  verdict.kind = "verdict";
  verdict.summary = "deploy-42 passed its observation window";
  ASSERT_TRUE(send(verdict).ok);
  const nlohmann::json expected = nlohmann::json::array(
      {{{"labels", {{"alertname", "vigil_verdict"}}},
        {"annotations", {{"summary", "deploy-42 passed its observation window"}}}}});
  EXPECT_EQ(only_body(), expected);
}

TEST_F(AlertmanagerSinkTest, ATrailingSlashOnTheBaseUrlIsNotDoubled) {
  ASSERT_TRUE(send(support::firing_alert(), {}, 10s, sink_.url("/")).ok);
  EXPECT_EQ(sink_.requests().at(0).target, "/api/v2/alerts");
}

TEST_F(AlertmanagerSinkTest, AServerErrorNamesUrlStatusAndBody) {
  sink_.answer(500, "boom: credentials " + kBasicAuth + " rejected", "text/plain");
  const ActionOutcome outcome =
      send(support::firing_alert(), {{"headers.Authorization", kBasicAuth}});
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message,
            "POST " + alerts_url() + ": HTTP 500: boom: credentials <secret> rejected");
}

TEST_F(AlertmanagerSinkTest, NobodyListeningIsConnectionRefused) {
  const std::string down = "http://127.0.0.1:" + std::to_string(support::free_loopback_port());
  const ActionOutcome outcome = send(support::firing_alert(), {}, 10s, down);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + down + "/api/v2/alerts: connection refused");
}

TEST_F(AlertmanagerSinkTest, ASlowAlertmanagerTimesOutAtTheActionsDeadline) {
  sink_.hang();
  const auto start = std::chrono::steady_clock::now();
  const ActionOutcome outcome = send(support::firing_alert(), {}, 1s);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + alerts_url() + ": timed out after 1s");
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(AlertmanagerSinkTest, CredentialsInTheUrlAreNotShown) {
  const std::string with_credentials =
      "http://alerts:s3cr3t-pass@127.0.0.1:" + std::to_string(sink_.port());
  sink_.answer(401, "unauthorized", "text/plain");
  const ActionOutcome outcome = send(support::firing_alert(), {}, 10s, with_credentials);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + alerts_url() + ": HTTP 401: unauthorized");
}

TEST(AlertmanagerOptions, UrlIsRequiredAndMustBeHttp) {
  LocalPlugin plugin;
  EXPECT_THROW(plugin.action("alertmanager", {}), std::runtime_error);
  try {
    plugin.action("alertmanager", {{"url", "127.0.0.1:9093"}});
    ADD_FAILURE() << "a URL without a scheme was accepted";
  } catch (const vigil::sdk::ConfigError& e) {
    EXPECT_EQ(e.option(), "url");
    EXPECT_EQ(std::string(e.what()), "url \"127.0.0.1:9093\" is not an http:// or https:// URL");
  }
  EXPECT_TRUE(plugin.info("alertmanager").find_option("headers")->secret);
}

}  // namespace
