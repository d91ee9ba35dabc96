// The pure parts of the notification plugins' shared code.
#include <gtest/gtest.h>

#include <cerrno>
#include <chrono>
#include <string>

#include <curl/curl.h>

#include "event_json.hpp"
#include "http_post.hpp"

namespace {

using namespace std::chrono_literals;
using namespace vigil::notify;

TEST(TransportFailure, SaysWhatHappenedInAnOperatorsWords) {
  EXPECT_EQ(
      describe_transport_failure(CURLE_COULDNT_CONNECT, ECONNREFUSED, "Failed to connect", 10s),
      "connection refused");
  EXPECT_EQ(
      describe_transport_failure(CURLE_COULDNT_CONNECT, EHOSTUNREACH, "No route to host", 10s),
      "cannot connect: No route to host");
  EXPECT_EQ(describe_transport_failure(CURLE_OPERATION_TIMEDOUT, 0, "Operation timed out", 10s),
            "timed out after 10s");
  EXPECT_EQ(describe_transport_failure(CURLE_OPERATION_TIMEDOUT, 0, "", 1500ms),
            "timed out after 1.5s");
  EXPECT_EQ(describe_transport_failure(CURLE_RECV_ERROR, ECONNRESET, "Recv failure", 1s),
            "connection reset by the server");
  EXPECT_EQ(describe_transport_failure(CURLE_GOT_NOTHING, 0, "Empty reply from server", 1s),
            "the server closed the connection without answering");
  EXPECT_EQ(describe_transport_failure(CURLE_COULDNT_RESOLVE_HOST, 0,
                                       "Could not resolve host: hooks.invalid", 1s),
            "DNS failure: Could not resolve host: hooks.invalid");
  EXPECT_EQ(describe_transport_failure(CURLE_PEER_FAILED_VERIFICATION, 0,
                                       "SSL certificate problem: self-signed certificate", 1s),
            "TLS verify failed: SSL certificate problem: self-signed certificate");
}

TEST(TransportFailure, TimeoutsReadAsAPersonWritesThem) {
  EXPECT_EQ(format_timeout(250ms), "250ms");
  EXPECT_EQ(format_timeout(1s), "1s");
  EXPECT_EQ(format_timeout(90s), "90s");
  EXPECT_EQ(format_timeout(2300ms), "2.3s");
}

TEST(DescribeFailure, NamesMethodUrlStatusAndTheStartOfTheBody) {
  HttpRequest request;
  request.shown_url = "http://127.0.0.1:9093/api/v2/alerts";
  HttpResponse response;
  response.status = 500;
  response.body = "{\"error\":\n\t\"boom\"}\n";
  EXPECT_EQ(describe_failure(request, response),
            "POST http://127.0.0.1:9093/api/v2/alerts: HTTP 500: {\"error\":  \"boom\"}");
  EXPECT_EQ(describe_failure(request, response, "expected 202"),
            "POST http://127.0.0.1:9093/api/v2/alerts: HTTP 500, expected 202: {\"error\":  "
            "\"boom\"}");
  response.body.clear();
  EXPECT_EQ(describe_failure(request, response),
            "POST http://127.0.0.1:9093/api/v2/alerts: HTTP 500");
  response.failure = "connection refused";
  EXPECT_EQ(describe_failure(request, response),
            "POST http://127.0.0.1:9093/api/v2/alerts: connection refused");
}

TEST(DescribeFailure, KeepsTwoHundredBytesAndNeverHalfACharacter) {
  EXPECT_EQ(first_bytes_one_line(std::string(300, 'x')), std::string(200, 'x') + "…");
  EXPECT_EQ(first_bytes_one_line(std::string(200, 'x')), std::string(200, 'x'));
  // 199 ASCII bytes, then "é" (2 bytes) straddles the limit: it is left out whole.
  const std::string straddling = std::string(199, 'a') + "\xC3\xA9" + "tail";
  EXPECT_EQ(first_bytes_one_line(straddling), std::string(199, 'a') + "…");
  EXPECT_EQ(first_bytes_one_line("line one\r\nline two\n"), "line one  line two");
}

TEST(Redaction, HidesASecretUrlsPathAndCredentials) {
  EXPECT_EQ(redact_url("https://hooks.slack.com/services/T0/B0/XXXX"), "https://hooks.slack.com/…");
  EXPECT_EQ(redact_url("https://user:pw@hooks.example:8443/x?token=1"),
            "https://hooks.example:8443/…");
  EXPECT_EQ(redact_url("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
  EXPECT_EQ(without_credentials("http://am:secret@127.0.0.1:9093/api/v2/alerts"),
            "http://127.0.0.1:9093/api/v2/alerts");
  EXPECT_EQ(without_credentials("http://127.0.0.1:9093/a@b"), "http://127.0.0.1:9093/a@b");
  EXPECT_EQ(path_of("https://hooks.slack.com/services/T0/B0/XXXX"), "/services/T0/B0/XXXX");
  EXPECT_EQ(path_of("https://hooks.slack.com"), "");
}

TEST(Redaction, ScrubsEveryOccurrenceOfEachSecret) {
  EXPECT_EQ(scrub("key R0UTINGKEY is invalid: R0UTINGKEY", {"R0UTINGKEY"}),
            "key <secret> is invalid: <secret>");
  // Too short to be worth hiding, and hiding it would garble "HTTP 500".
  EXPECT_EQ(scrub("HTTP 500", {"5", ""}), "HTTP 500");
}

TEST(Urls, OnlyHttpAndHttps) {
  EXPECT_TRUE(is_http_url("http://a"));
  EXPECT_TRUE(is_http_url("HTTPS://a"));
  EXPECT_FALSE(is_http_url("ftp://a"));
  EXPECT_FALSE(is_http_url("hooks.slack.com/x"));
}

TEST(EventJson, Rfc3339InUtcWithMillisecondsWhenThereAreAny) {
  const vigil::sdk::TimePoint t{std::chrono::seconds{1764398926}};
  EXPECT_EQ(rfc3339(t), "2025-11-29T06:48:46Z");
  EXPECT_EQ(rfc3339(t + 123ms), "2025-11-29T06:48:46.123Z");
  EXPECT_TRUE(unset(vigil::sdk::TimePoint{}));
  EXPECT_FALSE(unset(t));
}

TEST(EventJson, CarriesEveryFieldAndTheGroup) {
  vigil::sdk::Event alert;
  alert.kind = "resolved";
  alert.rule = "error-rate";
  alert.check = "api-errors";
  alert.severity = "critical";
  alert.status = vigil::sdk::Status::Ok;
  alert.summary = "error-rate: back to 0.1%";
  alert.labels = {{"team", "core"}};
  alert.annotations = {{"runbook", "https://runbooks/error-rate"}};
  alert.starts_at = vigil::sdk::TimePoint{std::chrono::seconds{1764398926}};
  alert.ends_at = alert.starts_at + 90s;
  alert.fingerprint = "a1b2";
  vigil::sdk::Event head;
  head.kind = "group";
  head.summary = "1 alerts: 1 resolved";
  head.starts_at = alert.starts_at;
  head.group = {alert};

  const nlohmann::json member = {
      {"kind", "resolved"},
      {"rule", "error-rate"},
      {"check", "api-errors"},
      {"severity", "critical"},
      {"status", "OK"},
      {"summary", "error-rate: back to 0.1%"},
      {"deployment", ""},
      {"fingerprint", "a1b2"},
      {"startsAt", "2025-11-29T06:48:46Z"},
      {"endsAt", "2025-11-29T06:50:16Z"},
      {"labels", {{"team", "core"}}},
      {"annotations", {{"runbook", "https://runbooks/error-rate"}}},
      {"group", nlohmann::json::array()},
  };
  EXPECT_EQ(event_json(alert), member);
  const nlohmann::json batch = event_json(head);
  EXPECT_EQ(batch["kind"], "group");
  EXPECT_EQ(batch["endsAt"], nullptr);
  EXPECT_EQ(batch["status"], "UNKNOWN");
  ASSERT_EQ(batch["group"].size(), 1u);
  EXPECT_EQ(batch["group"][0], member);
}

}  // namespace
