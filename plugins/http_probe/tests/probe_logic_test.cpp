#include <gtest/gtest.h>

#include <cerrno>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "probe_logic.hpp"

namespace {

using namespace vigil::http_probe;
using vigil::sdk::Status;

TEST(ExpectStatus, CodesRangesAndClasses) {
  const auto ranges = parse_expect_status({"200", "301-302", "4xx"});
  ASSERT_EQ(ranges.size(), 3U);
  EXPECT_TRUE(status_expected(ranges, 200));
  EXPECT_FALSE(status_expected(ranges, 201));
  EXPECT_TRUE(status_expected(ranges, 301));
  EXPECT_TRUE(status_expected(ranges, 302));
  EXPECT_FALSE(status_expected(ranges, 303));
  EXPECT_TRUE(status_expected(ranges, 404));
  EXPECT_TRUE(status_expected(ranges, 499));
  EXPECT_FALSE(status_expected(ranges, 500));
  EXPECT_EQ(describe_expect_status(ranges), "200, 301-302, 400-499");
}

TEST(ExpectStatus, DefaultRangeDescribesItself) {
  EXPECT_EQ(describe_expect_status(parse_expect_status({"200-299"})), "200-299");
  EXPECT_EQ(describe_expect_status(parse_expect_status({" 200 - 204 "})), "200-204");
}

TEST(ExpectStatus, RefusesWhatIsNotAStatus) {
  for (const std::string bad :
       {"20", "2000", "abc", "600", "099", "299-200", "-200", "200-", "9xx", "x00", ""}) {
    EXPECT_THROW(parse_expect_status({bad}), std::invalid_argument) << bad;
  }
  EXPECT_THROW(parse_expect_status({}), std::invalid_argument);
}

TEST(JsonPath, KeysAndIndexes) {
  const JsonPath path = parse_json_path("a.b[0].c");
  ASSERT_EQ(path.size(), 4U);
  EXPECT_EQ(std::get<std::string>(path[0]), "a");
  EXPECT_EQ(std::get<std::string>(path[1]), "b");
  EXPECT_EQ(std::get<std::size_t>(path[2]), 0U);
  EXPECT_EQ(std::get<std::string>(path[3]), "c");
  EXPECT_EQ(parse_json_path("[2][10]").size(), 2U);
  EXPECT_EQ(parse_json_path("database").size(), 1U);
}

TEST(JsonPath, RefusesMalformedPaths) {
  for (const std::string bad : {"", ".a", "a.", "a..b", "a[", "a[x]", "a[]", "a[0]b", "a.[0]"}) {
    EXPECT_THROW(parse_json_path(bad), std::invalid_argument) << bad;
  }
}

TEST(JsonExpect, GrafanaHealthMatches) {
  const std::string body = R"({"commit":"abc","database":"ok","version":"10.2.3"})";
  EXPECT_FALSE(json_expect_mismatch(body, {{"database", "ok"}}));
}

TEST(JsonExpect, MismatchNamesPathGotAndExpected) {
  const auto reason = json_expect_mismatch(R"({"database":"failing"})", {{"database", "ok"}});
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, R"(json database: got "failing", expected "ok")");
}

TEST(JsonExpect, ScalarsCompareAsJsonText) {
  const std::string body = R"({"a":{"b":[{"c":200},{"c":true}],"n":null,"x":1.5}})";
  EXPECT_FALSE(json_expect_mismatch(
      body, {{"a.b[0].c", "200"}, {"a.b[1].c", "true"}, {"a.n", "null"}, {"a.x", "1.5"}}));
  const auto reason = json_expect_mismatch(body, {{"a.b[0].c", "201"}});
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, R"(json a.b[0].c: got 200, expected "201")");
}

TEST(JsonExpect, MissingPath) {
  const auto reason = json_expect_mismatch(R"({"a":[1]})", {{"a[3]", "1"}});
  ASSERT_TRUE(reason);
  EXPECT_EQ(*reason, R"(json a[3]: missing, expected "1")");
  EXPECT_TRUE(json_expect_mismatch(R"({"a":1})", {{"a.b", "1"}}));
}

TEST(JsonExpect, InvalidJson) {
  const auto reason = json_expect_mismatch("<html>oops</html>", {{"database", "ok"}});
  ASSERT_TRUE(reason);
  EXPECT_EQ(reason->rfind("invalid JSON: ", 0), 0U) << *reason;
  EXPECT_EQ(reason->find('\n'), std::string::npos);
}

TEST(CertificateTime, OpenSslNotAfter) {
  const auto t = parse_certificate_time(" Nov 29 05:00:00 2027 GMT");
  ASSERT_TRUE(t);
  EXPECT_EQ(*t, 1827464400);
  EXPECT_FALSE(parse_certificate_time("tomorrow"));
  EXPECT_FALSE(parse_certificate_time("Nov 29 05:00:00 2027 PST"));
}

TEST(Summary, OneTarget) {
  EXPECT_EQ(build_summary({{"http://a/", Status::Ok, ""}}, false, "HTTP 200 in 0.010s"),
            "HTTP 200 in 0.010s");
  EXPECT_EQ(build_summary({{"http://a/", Status::Critical, "connection refused"}}, false, "x"),
            "http://a/: connection refused");
}

TEST(Summary, SeveralTargets) {
  const std::vector<TargetOutcome> all_up = {
      {"http://a/", Status::Ok, ""}, {"http://b/", Status::Ok, ""}, {"http://c/", Status::Ok, ""}};
  EXPECT_EQ(build_summary(all_up, true, ""), "3/3 targets up");
  EXPECT_EQ(worst_status(all_up), Status::Ok);

  const std::vector<TargetOutcome> mixed = {
      {"http://a/", Status::Ok, ""},
      {"http://b/", Status::Critical, "HTTP 503, expected 200-299"},
      {"https://c/", Status::Warning, "certificate expires in 3 days"},
      {"http://d/", Status::Critical, "connection refused"}};
  EXPECT_EQ(build_summary(mixed, true, ""),
            "2/4 targets up; down: http://b/ (HTTP 503, expected 200-299), http://d/ "
            "(connection refused); warning: https://c/ (certificate expires in 3 days)");
  EXPECT_EQ(worst_status(mixed), Status::Critical);
}

}  // namespace

namespace {

using vigil::http_probe::describe_transfer_failure;

TEST(TransferFailure, EveryReasonIsOneShortLine) {
  EXPECT_EQ(describe_transfer_failure(CURLE_COULDNT_CONNECT, ECONNREFUSED, "Failed to connect", 5),
            "connection refused");
  EXPECT_EQ(describe_transfer_failure(CURLE_COULDNT_CONNECT, EHOSTUNREACH, "No route", 5),
            "cannot connect: No route");
  EXPECT_EQ(describe_transfer_failure(CURLE_COULDNT_RESOLVE_HOST, 0,
                                      "Could not resolve host: db.invalid", 5),
            "DNS failure: Could not resolve host: db.invalid");
  EXPECT_EQ(describe_transfer_failure(CURLE_OPERATION_TIMEDOUT, 0, "Operation timed out", 5),
            "timeout: Operation timed out");
  EXPECT_EQ(describe_transfer_failure(CURLE_TOO_MANY_REDIRECTS, 0, "Maximum (5) redirects", 5),
            "redirect loop or too many redirects (more than 5)");
  EXPECT_EQ(describe_transfer_failure(CURLE_RECV_ERROR, ECONNRESET, "Connection reset by peer", 5),
            "connection reset mid-response: Connection reset by peer");
  EXPECT_EQ(describe_transfer_failure(CURLE_PARTIAL_FILE, 0, "transfer closed", 5),
            "connection reset mid-response: transfer closed");
  EXPECT_EQ(describe_transfer_failure(CURLE_GOT_NOTHING, 0, "Empty reply from server", 5),
            "connection closed without a response");
  EXPECT_EQ(describe_transfer_failure(CURLE_UNSUPPORTED_PROTOCOL, 0,
                                      "Received HTTP/0.9 when not allowed", 5),
            "not an HTTP response (garbage from the server): Received HTTP/0.9 when not allowed");
  EXPECT_EQ(describe_transfer_failure(CURLE_WEIRD_SERVER_REPLY, 0, "weird", 5),
            "not an HTTP response (garbage from the server): weird");
  EXPECT_EQ(describe_transfer_failure(CURLE_PEER_FAILED_VERIFICATION, 0,
                                      "SSL certificate problem: self-signed certificate", 5),
            "TLS verify failed: SSL certificate problem: self-signed certificate");
  EXPECT_EQ(describe_transfer_failure(CURLE_SSL_CONNECT_ERROR, 0, "handshake", 5),
            "TLS handshake failed: handshake");
}

}  // namespace
