// Phase 2: options validated against hand-built plugin schemas (config_test_support.hpp).
#include <gtest/gtest.h>

#include "tests/config/config_test_support.hpp"

namespace vigil::core::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

const CheckConfig& first_check(const ConfigLoadResult& result) {
  return result.config.pipelines.at(0).checks.at(0);
}

TEST(ConfigResolve, TypedOptionsWithDefaultsApplied) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: api
        plugin: http_probe
        options:
          url: http://127.0.0.1:8080/health
          retries: 3
          headers: {Accept: application/json, X-Retries: 2}
          min_ratio: 0.5
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const sdk::Options& options = first_check(result).options;
  EXPECT_EQ(options.string("url"), "http://127.0.0.1:8080/health");
  EXPECT_EQ(options.integer("retries"), 3);
  EXPECT_EQ(
      options.string_map("headers"),
      (std::map<std::string, std::string>{{"Accept", "application/json"}, {"X-Retries", "2"}}));
  EXPECT_DOUBLE_EQ(options.number("min_ratio"), 0.5);
  // Defaults, parsed from the schema's text exactly as a user's value would be.
  EXPECT_EQ(options.duration("timeout"), seconds(10));
  EXPECT_EQ(options.integers("expected_status"), (std::vector<std::int64_t>{200, 204}));
  EXPECT_TRUE(options.flag("verify_tls"));
  EXPECT_EQ(options.size("max_body"), 1024u * 1024);
  EXPECT_FALSE(options.has("password"));  // optional without a default: absent
}

TEST(ConfigResolve, OptionLocationsPointAtEachValue) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: api
        plugin: http_probe
        options:
          url: http://x
          expected_status: [200, 301]
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const CheckConfig& check = first_check(result);
  EXPECT_EQ(check.option_locations.at("url").to_string(), "test.yaml:7:16");
  EXPECT_EQ(check.option_locations.at("expected_status").to_string(), "test.yaml:8:28");
  EXPECT_EQ(check.options.integers("expected_status"), (std::vector<std::int64_t>{200, 301}));
}

TEST(ConfigResolve, AScalarWhereAListIsDeclaredIsAListOfOne) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - {name: api, plugin: http_probe, options: {url: http://x, expected_status: 301}}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(first_check(result).options.integers("expected_status"),
            (std::vector<std::int64_t>{301}));
}

TEST(ConfigResolve, SecretOptionValuesJoinTheSecrets) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - {name: api, plugin: http_probe, options: {url: http://x, password: correct-horse}}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.secrets, std::vector<std::string>{"correct-horse"});
}

TEST(ConfigResolveErrors, UnknownPlugin) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: nonexistent
)");
  EXPECT_TRUE(has_only_issue(result, 5, 17, "pipelines[demo].checks[one].plugin",
                             "unknown check type 'nonexistent': no loaded plugin provides it"));
}

TEST(ConfigResolveErrors, AnActionTypeIsNotACheck) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: slack_notify
)");
  EXPECT_TRUE(has_only_issue(result, 5, 17, "pipelines[demo].checks[one].plugin",
                             "'slack_notify' is an action type, not a check type"));
}

TEST(ConfigResolveErrors, UnknownOptionSuggestsTheClosest) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options: {url: http://x, timout: 5s}
)");
  EXPECT_TRUE(has_only_issue(result, 6, 34, "pipelines[demo].checks[one].options.timout",
                             "unknown option 'timout' for check type 'http_probe' (known: url, "
                             "timeout, expected_status, verify_tls, max_body, retries, min_ratio, "
                             "headers, password, pin); did you mean 'timeout'?"));
}

TEST(ConfigResolveErrors, OptionTypeErrorsAtEachValue) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options:
          url: http://x
          retries: many
          verify_tls: maybe
          timeout: ten
          max_body: huge
          min_ratio: lots
)");
  ASSERT_EQ(result.issues.size(), 5u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 8, 20, "expected an integer, got \"many\""));
  EXPECT_TRUE(has_issue(result, 9, 23, "expected true or false, got \"maybe\""));
  EXPECT_TRUE(
      has_issue(result, 10, 20, "expected a duration like 250ms, 30s, 5m or 48h, got \"ten\""));
  EXPECT_TRUE(has_issue(result, 11, 21, "expected a size like 512KiB or 1MiB, got \"huge\""));
  EXPECT_TRUE(has_issue(result, 12, 22, "expected a number, got \"lots\""));
  EXPECT_EQ(result.issues[0].path, "pipelines[demo].checks[one].options.retries");
}

TEST(ConfigResolveErrors, ListElementTypeError) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options:
          url: http://x
          expected_status: [200, abc, 301]
)");
  EXPECT_TRUE(has_only_issue(result, 8, 34,
                             "pipelines[demo].checks[one].options.expected_status[1]",
                             "expected an integer, got \"abc\""));
}

TEST(ConfigResolveErrors, ListGivenAMap) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options:
          url: http://x
          expected_status: {ok: 200}
)");
  EXPECT_TRUE(has_only_issue(result, 8, 28, "pipelines[demo].checks[one].options.expected_status",
                             "expected a list of int values, got a map"));
}

TEST(ConfigResolveErrors, MapValueTypeError) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options:
          url: http://x
          headers: {Accept: [a, b]}
)");
  EXPECT_TRUE(has_only_issue(result, 8, 29, "pipelines[demo].checks[one].options.headers.Accept",
                             "expected a string, got a list"));
}

TEST(ConfigResolveErrors, MissingRequiredOptionPointsAtTheOptions) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options: {timeout: 5s}
      - name: two
        plugin: http_probe
)");
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 6, 9, "missing required option 'url' (string: URL to fetch)"));
  EXPECT_TRUE(has_issue(result, 7, 9, "missing required option 'url'"));
  EXPECT_EQ(result.issues[0].path, "pipelines[demo].checks[one].options.url");
}

TEST(ConfigResolveErrors, NullOptionValue) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options:
          url: http://x
          timeout:
)");
  EXPECT_TRUE(has_only_issue(result, 8, 11, "pipelines[demo].checks[one].options.timeout",
                             "expected a duration like 250ms, 30s, 5m or 48h, got nothing (null)"));
}

TEST(ConfigResolveErrors, SecretAndSubstitutedValuesAreNotShown) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options:
          url: http://x
          pin: abc123
          retries: ${RETRIES}
)",
                                 {{"RETRIES", "lots-of-them"}});
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 8, 16,
                        "expected an integer, got a value not shown (the option is secret)"));
  EXPECT_TRUE(has_issue(result, 9, 20, "expected an integer, got the value of ${RETRIES}"));
  for (const auto& issue : result.issues) {
    EXPECT_EQ(issue.message.find("abc123"), std::string::npos);
    EXPECT_EQ(issue.message.find("lots-of-them"), std::string::npos);
  }
  EXPECT_EQ(result.config.secrets, (std::vector<std::string>{"lots-of-them", "abc123"}));
}

TEST(ConfigResolveErrors, AnUnsetVariableIsReportedOnceNotAgainAsABadValue) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options: {url: http://x, retries: "${RETRIES}"}
)");
  EXPECT_TRUE(has_only_issue(result, 6, 43, "pipelines[demo].checks[one].options.retries",
                             "${RETRIES} is not set in the environment"));
}

TEST(ConfigResolveErrors, AnInvalidPluginDefaultIsThePluginsBug) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: broken_default}
)");
  EXPECT_TRUE(has_only_issue(result, 4, 9, "pipelines[demo].checks[one].options.wait",
                             "check type 'broken_default' declares an invalid default for option "
                             "'wait'"));
}

TEST(ConfigResolveErrors, PhaseOneAndPhaseTwoErrorsTogetherInFileOrder) {
  auto result = load_and_resolve(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        intervall: 5m
      - name: two
        plugin: noop
        options: {value: lots}
      - name: three
        plugin: nonexistent
)");
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.to_string(), "test.yaml:6:9");
  EXPECT_EQ(result.issues[1].to_string(),
            "test.yaml:9:26: pipelines[demo].checks[two].options.value: expected a number, got "
            "\"lots\"");
  EXPECT_EQ(result.issues[2].where.to_string(), "test.yaml:11:17");
}

}  // namespace
}  // namespace vigil::core::testing
