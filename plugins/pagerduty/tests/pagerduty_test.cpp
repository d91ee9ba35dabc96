// pagerduty through its real entry point, against a capturing HTTP server on 127.0.0.1 standing
// in for the Events API v2 (it answers 202 and PagerDuty's JSON): the exact event bodies for
// trigger, resolve and a group, and every way a send fails, without the routing key in any
// message.
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
using vigil::sdk::ConfigError;
using vigil::sdk::Event;
using vigil::sdk::testing::FakeContext;
using vigil::sdk::testing::LocalPlugin;
using vigil::testing_support::HttpSink;
namespace support = vigil::testing_support;
using Raw = std::vector<std::pair<std::string, std::string>>;

const std::string kRoutingKey = "R0UT1NGKEY0123456789abcdef012345";
const std::string kAccepted =
    R"({"status":"success","message":"Event processed","dedup_key":"5f2c0b1e9a7d3c41"})";

class PagerDutyTest : public ::testing::Test {
 protected:
  PagerDutyTest() { sink_.answer(202, kAccepted); }

  ActionOutcome send(const Event& event, Raw extra = {}, std::chrono::milliseconds timeout = 10s,
                     const std::string& url = {}) {
    extra.emplace_back("routing_key", kRoutingKey);
    extra.emplace_back("url", url.empty() ? enqueue_url() : url);
    extra.emplace_back("source", "web-1.example");
    FakeContext ctx("page-oncall", timeout);
    const ActionOutcome outcome = plugin_.action("pagerduty", extra)->execute(event, ctx);
    EXPECT_EQ(outcome.message.find('\n'), std::string::npos) << outcome.message;
    EXPECT_EQ(outcome.message.find(kRoutingKey), std::string::npos) << outcome.message;
    return outcome;
  }
  std::string enqueue_url() const { return sink_.url("/v2/enqueue"); }
  std::vector<nlohmann::json> bodies() const {
    std::vector<nlohmann::json> out;
    for (const auto& r : sink_.requests()) {
      EXPECT_EQ(r.method, "POST");
      EXPECT_EQ(r.target, "/v2/enqueue");
      EXPECT_EQ(r.headers.at("content-type"), "application/json");
      out.push_back(nlohmann::json::parse(r.body));
    }
    return out;
  }

  LocalPlugin plugin_;
  HttpSink sink_;
};

nlohmann::json trigger_of_error_rate() {
  return {{"routing_key", kRoutingKey},
          {"event_action", "trigger"},
          {"dedup_key", "5f2c0b1e9a7d3c41"},
          {"client", "vigil"},
          {"payload",
           {{"summary", "error-rate: 2.3% of requests failed"},
            {"source", "web-1.example"},
            {"severity", "critical"},
            {"timestamp", "2025-11-29T06:48:46Z"},
            {"component", "api-errors"},
            {"class", "error-rate"},
            {"group", "deploy-42"},
            {"custom_details",
             {{"labels", {{"deployment", "deploy-42"}, {"pipeline", "api"}, {"team", "core"}}},
              {"annotations", {{"runbook", "https://runbooks.example/error-rate"}}}}}}}};
}

TEST_F(PagerDutyTest, FiringTriggersWithTheFingerprintAsDedupKey) {
  const ActionOutcome outcome = send(support::firing_alert());
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "PagerDuty accepted trigger for 5f2c0b1e9a7d3c41");
  const auto sent = bodies();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], trigger_of_error_rate());
}

TEST_F(PagerDutyTest, AReminderTriggersTheSameIncidentAgain) {
  Event reminder = support::firing_alert();
  reminder.kind = "reminder";
  ASSERT_TRUE(send(reminder).ok);
  const auto sent = bodies();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0], trigger_of_error_rate());
}

TEST_F(PagerDutyTest, ResolvedResolvesByTheSameDedupKey) {
  const ActionOutcome outcome = send(support::resolved_alert());
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "PagerDuty accepted resolve for 5f2c0b1e9a7d3c41");
  const auto sent = bodies();
  ASSERT_EQ(sent.size(), 1u);
  const nlohmann::json expected = {
      {"routing_key", kRoutingKey}, {"event_action", "resolve"}, {"dedup_key", "5f2c0b1e9a7d3c41"}};
  EXPECT_EQ(sent[0], expected);
}

TEST_F(PagerDutyTest, AGroupIsOneRequestPerAlert) {
  const ActionOutcome outcome = send(support::batch_of_three());
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "PagerDuty accepted 3 events");
  const auto sent = bodies();
  ASSERT_EQ(sent.size(), 3u);
  EXPECT_EQ(sent[0], trigger_of_error_rate());
  EXPECT_EQ(sent[1]["event_action"], "trigger");
  EXPECT_EQ(sent[1]["dedup_key"], "0c1d2e3f4a5b6c7d");
  EXPECT_EQ(sent[1]["payload"]["severity"], "warning");
  EXPECT_EQ(sent[1]["payload"]["class"], "latency-p99");
  const nlohmann::json resolve = {
      {"routing_key", kRoutingKey}, {"event_action", "resolve"}, {"dedup_key", "9a8b7c6d5e4f3a2b"}};
  EXPECT_EQ(sent[2], resolve);
}

TEST_F(PagerDutyTest, SeverityMapOverridesAndAMissingSeverityFollowsTheStatus) {
  Event warning = support::firing_alert();
  warning.severity = "warning";
  ASSERT_TRUE(send(warning, {{"severity_map.warning", "error"}}).ok);
  Event verdict;
  verdict.kind = "verdict";
  verdict.status = vigil::sdk::Status::Critical;
  verdict.summary = "deploy-42 failed its observation window";
  ASSERT_TRUE(send(verdict).ok);
  const auto sent = bodies();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0]["payload"]["severity"], "error");
  // A verdict has no rule and no fingerprint: PagerDuty makes the dedup key.
  const nlohmann::json expected = {
      {"routing_key", kRoutingKey},
      {"event_action", "trigger"},
      {"client", "vigil"},
      {"payload",
       {{"summary", "deploy-42 failed its observation window"},
        {"source", "web-1.example"},
        {"severity", "critical"},
        {"custom_details",
         {{"labels", nlohmann::json::object()}, {"annotations", nlohmann::json::object()}}}}}};
  EXPECT_EQ(sent[1], expected);
}

TEST_F(PagerDutyTest, OnlyTwoHundredTwoIsAccepted) {
  sink_.answer(200, "{}");
  const ActionOutcome outcome = send(support::firing_alert());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + enqueue_url() + ": HTTP 200, expected 202: {}");
}

TEST_F(PagerDutyTest, AnErrorNamesTheStatusAndBodyWithoutTheRoutingKey) {
  sink_.answer(400, R"({"status":"invalid event","message":"Event object is invalid","errors":)"
                    R"(["routing_key )" +
                        kRoutingKey + R"( is not known"]})");
  const ActionOutcome outcome = send(support::firing_alert());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + enqueue_url() +
                                 R"(: HTTP 400, expected 202: {"status":"invalid event","message":)"
                                 R"("Event object is invalid","errors":["routing_key <secret> is )"
                                 R"(not known"]})");
}

TEST_F(PagerDutyTest, AGroupWithFailuresSaysHowManyAndTheFirst) {
  sink_.answer(500, "overloaded", "text/plain");
  const ActionOutcome outcome = send(support::batch_of_three());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "3 of 3 PagerDuty events failed; first: POST " + enqueue_url() +
                                 ": HTTP 500, expected 202: overloaded");
  EXPECT_EQ(sink_.requests().size(), 3u);  // each alert was still tried
}

TEST_F(PagerDutyTest, NobodyListeningIsConnectionRefused) {
  const std::string down =
      "http://127.0.0.1:" + std::to_string(support::free_loopback_port()) + "/v2/enqueue";
  const ActionOutcome outcome = send(support::firing_alert(), {}, 10s, down);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + down + ": connection refused");
}

TEST_F(PagerDutyTest, ASlowServerTimesOutAtTheActionsDeadline) {
  sink_.hang();
  const auto start = std::chrono::steady_clock::now();
  const ActionOutcome outcome = send(support::firing_alert(), {}, 1s);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + enqueue_url() + ": timed out after 1s");
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(PagerDutyTest, AResolvedEventWithoutAFingerprintIsRefusedUnsent) {
  Event resolved = support::resolved_alert();
  resolved.fingerprint.clear();
  const ActionOutcome outcome = send(resolved);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message,
            "a resolved event without a fingerprint names no PagerDuty incident to resolve");
  EXPECT_TRUE(sink_.requests().empty());
}

TEST(PagerDutyOptions, RoutingKeyIsRequiredAndSecretAndTheDefaultsArePagerDutys) {
  LocalPlugin plugin;
  const auto& info = plugin.info("pagerduty");
  ASSERT_NE(info.find_option("routing_key"), nullptr);
  EXPECT_TRUE(info.find_option("routing_key")->secret);
  EXPECT_TRUE(info.find_option("routing_key")->required);
  EXPECT_EQ(info.find_option("url")->default_text, "https://events.pagerduty.com/v2/enqueue");
  EXPECT_THROW(plugin.action("pagerduty", {}), std::runtime_error);
  try {
    plugin.action("pagerduty", {{"routing_key", kRoutingKey}, {"severity_map.critical", "p1"}});
    ADD_FAILURE() << "a severity PagerDuty does not know was accepted";
  } catch (const ConfigError& e) {
    EXPECT_EQ(e.option(), "severity_map");
    EXPECT_EQ(std::string(e.what()),
              "severity_map.critical is \"p1\"; PagerDuty's severities are critical, error, "
              "warning and info");
  }
}

}  // namespace
