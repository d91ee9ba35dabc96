// webhook through its real entry point, against a capturing HTTP server on 127.0.0.1 that the
// test starts: the exact bodies of both formats, and every way a send fails, each outcome one
// line that never carries the URL's secret path or a header value.
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

// The secret parts: the webhook URL's path (Slack's token lives there) and a header value.
const std::string kHookPath = "/services/T0ACME/B0ALERTS/xoxb-SECRET-TOKEN-4242";
const std::string kToken = "Bearer s3cr3t-bearer-0042";

class WebhookTest : public ::testing::Test {
 protected:
  ActionOutcome send(const Event& event, Raw extra = {}, std::chrono::milliseconds timeout = 10s,
                     const std::string& url = {}) {
    extra.emplace_back("url", url.empty() ? sink_.url(kHookPath) : url);
    FakeContext ctx("slack", timeout);
    const ActionOutcome outcome = plugin_.action("webhook", extra)->execute(event, ctx);
    EXPECT_EQ(outcome.message.find('\n'), std::string::npos) << outcome.message;
    EXPECT_EQ(outcome.message.find("SECRET-TOKEN"), std::string::npos) << outcome.message;
    EXPECT_EQ(outcome.message.find("s3cr3t"), std::string::npos) << outcome.message;
    return outcome;
  }
  std::string shown() const { return "http://127.0.0.1:" + std::to_string(sink_.port()) + "/…"; }

  LocalPlugin plugin_;
  HttpSink sink_;
};

TEST_F(WebhookTest, JsonFormatPostsEveryFieldOfTheEvent) {
  const ActionOutcome outcome =
      send(support::resolved_alert(), {{"format", "json"}, {"headers.Authorization", kToken}});
  ASSERT_TRUE(outcome.ok) << outcome.message;
  EXPECT_EQ(outcome.message, "POST " + shown() + ": HTTP 200");

  const auto requests = sink_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "POST");
  EXPECT_EQ(requests[0].target, kHookPath);
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/json");
  EXPECT_EQ(requests[0].headers.at("authorization"), kToken);
  const nlohmann::json expected = {
      {"kind", "resolved"},
      {"rule", "error-rate"},
      {"check", "api-errors"},
      {"severity", "critical"},
      {"status", "OK"},
      {"summary", "error-rate: back to 0.1%"},
      {"deployment", "deploy-42"},
      {"fingerprint", "5f2c0b1e9a7d3c41"},
      {"startsAt", "2025-11-29T06:48:46Z"},
      {"endsAt", "2025-11-29T06:53:46Z"},
      {"labels", {{"deployment", "deploy-42"}, {"pipeline", "api"}, {"team", "core"}}},
      {"annotations", {{"runbook", "https://runbooks.example/error-rate"}}},
      {"group", nlohmann::json::array()},
  };
  EXPECT_EQ(nlohmann::json::parse(requests[0].body), expected);
}

TEST_F(WebhookTest, JsonFormatNestsEachAlertOfAGroup) {
  ASSERT_TRUE(send(support::batch_of_three()).ok);  // json is the default format
  const auto requests = sink_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto body = nlohmann::json::parse(requests[0].body);
  EXPECT_EQ(body["kind"], "group");
  EXPECT_EQ(body["summary"], "3 alerts in api: 1 firing, 1 still firing, 1 resolved");
  EXPECT_EQ(body["endsAt"], nullptr);
  ASSERT_EQ(body["group"].size(), 3u);
  EXPECT_EQ(body["group"][0]["kind"], "firing");
  EXPECT_EQ(body["group"][0]["endsAt"], nullptr);
  EXPECT_EQ(body["group"][1]["kind"], "reminder");
  EXPECT_EQ(body["group"][1]["fingerprint"], "0c1d2e3f4a5b6c7d");
  EXPECT_EQ(body["group"][2]["kind"], "resolved");
  EXPECT_EQ(body["group"][2]["endsAt"], "2025-11-29T06:53:46Z");
}

TEST_F(WebhookTest, SlackFormatIsOneStatusLine) {
  ASSERT_TRUE(send(support::firing_alert(), {{"format", "slack"}}).ok);
  const auto requests = sink_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const nlohmann::json expected = {
      {"text", "[FIRING] error-rate: 2.3% of requests failed (critical)\ndeployment: deploy-42"}};
  EXPECT_EQ(nlohmann::json::parse(requests[0].body), expected);
}

TEST_F(WebhookTest, SlackFormatIsTheGroupsSummaryThenALinePerAlert) {
  ASSERT_TRUE(send(support::batch_of_three(), {{"format", "slack"}}).ok);
  const auto requests = sink_.requests();
  ASSERT_EQ(requests.size(), 1u);
  const nlohmann::json expected = {
      {"text",
       "3 alerts in api: 1 firing, 1 still firing, 1 resolved\n"
       "[FIRING] error-rate: 2.3% of requests failed (critical)\n"
       "[STILL FIRING] latency-p99: 2.3% of requests failed (warning)\n"
       "[RESOLVED] disk-full: back to 0.1%\n"
       "deployment: deploy-42"}};
  EXPECT_EQ(nlohmann::json::parse(requests[0].body), expected);
}

TEST_F(WebhookTest, MethodAndAContentTypeOfItsOwn) {
  ASSERT_TRUE(send(support::firing_alert(),
                   {{"method", "put"}, {"headers.Content-Type", "application/vnd.acme+json"}})
                  .ok);
  const auto requests = sink_.requests();
  ASSERT_EQ(requests.size(), 1u);
  EXPECT_EQ(requests[0].method, "PUT");
  EXPECT_EQ(requests[0].headers.at("content-type"), "application/vnd.acme+json");
}

TEST_F(WebhookTest, AnyTwoHundredIsSuccess) {
  sink_.answer(204);
  const ActionOutcome outcome = send(support::firing_alert());
  EXPECT_TRUE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + shown() + ": HTTP 204");
}

TEST_F(WebhookTest, AServerErrorNamesTheStatusAndBodyButNotTheSecrets) {
  // Receivers echo what they were sent; the echo must not carry the secrets into the journal.
  sink_.answer(500, "invalid_token for " + kHookPath + " with " + kToken + "\n", "text/plain");
  const ActionOutcome outcome = send(support::firing_alert(), {{"headers.Authorization", kToken}});
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message,
            "POST " + shown() + ": HTTP 500: invalid_token for <secret> with <secret>");
}

TEST_F(WebhookTest, NobodyListeningIsConnectionRefused) {
  const std::string port = std::to_string(support::free_loopback_port());
  const ActionOutcome outcome =
      send(support::firing_alert(), {}, 10s, "http://127.0.0.1:" + port + kHookPath);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST http://127.0.0.1:" + port + "/…: connection refused");
}

TEST_F(WebhookTest, AServerThatNeverAnswersTimesOutAtTheActionsDeadline) {
  sink_.hang();
  const auto start = std::chrono::steady_clock::now();
  const ActionOutcome outcome = send(support::firing_alert(), {}, 1s);
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + shown() + ": timed out after 1s");
  EXPECT_EQ(sink_.requests().size(), 1u);  // it was sent, and never answered
  EXPECT_GE(took, 900ms);
  EXPECT_LT(took, 5s);
}

TEST_F(WebhookTest, AResetConnectionSaysSo) {
  sink_.reset();
  const ActionOutcome outcome = send(support::firing_alert());
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + shown() + ": connection reset by the server");
}

TEST_F(WebhookTest, HttpsToAPlainHttpServerIsATlsFailure) {
  const ActionOutcome outcome =
      send(support::firing_alert(), {}, 10s,
           "https://127.0.0.1:" + std::to_string(sink_.port()) + kHookPath);
  EXPECT_FALSE(outcome.ok);
  const std::string prefix =
      "POST https://127.0.0.1:" + std::to_string(sink_.port()) + "/…: TLS handshake failed: ";
  EXPECT_EQ(outcome.message.rfind(prefix, 0), 0u) << outcome.message;
}

TEST_F(WebhookTest, NoTimeLeftSendsNothing) {
  const ActionOutcome outcome = send(support::firing_alert(), {}, 0ms);
  EXPECT_FALSE(outcome.ok);
  EXPECT_EQ(outcome.message, "POST " + shown() + ": not sent: the action's deadline had passed");
  EXPECT_TRUE(sink_.requests().empty());
}

TEST(WebhookOptions, AreCheckedWhenTheActionIsMade) {
  LocalPlugin plugin;
  const auto error_of = [&plugin](const Raw& raw) -> std::pair<std::string, std::string> {
    try {
      plugin.action("webhook", raw);
    } catch (const ConfigError& e) {
      return {e.option(), e.what()};
    }
    return {};
  };
  const auto [url_option, url_error] = error_of({{"url", "hooks.slack.com/services/T0/SECRETX"}});
  EXPECT_EQ(url_option, "url");
  EXPECT_EQ(url_error, "url is not an http:// or https:// URL");  // and does not quote it
  EXPECT_EQ(
      error_of({{"url", "https://h/x"}, {"format", "xml"}}),
      std::make_pair(std::string("format"), std::string("format is json or slack, not \"xml\"")));
  EXPECT_EQ(error_of({{"url", "https://h/x"}, {"method", "GET"}}),
            std::make_pair(std::string("method"),
                           std::string("method is POST, PUT or PATCH, not \"GET\"")));
  EXPECT_THROW(plugin.action("webhook", {}), std::runtime_error);  // url is required
}

TEST(WebhookOptions, UrlAndHeadersAreSecret) {
  LocalPlugin plugin;
  const auto& info = plugin.info("webhook");
  ASSERT_NE(info.find_option("url"), nullptr);
  EXPECT_TRUE(info.find_option("url")->secret);
  EXPECT_TRUE(info.find_option("url")->required);
  EXPECT_TRUE(info.find_option("headers")->secret);
  EXPECT_FALSE(info.find_option("format")->secret);
}

}  // namespace
