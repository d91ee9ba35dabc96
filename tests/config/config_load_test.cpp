// Phase 1: structure and host-owned keys. Each YAML text starts on line 1, so the line:column
// asserted is the one an editor shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "tests/config/config_test_support.hpp"

namespace vigil::core::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// --- good paths -------------------------------------------------------------------------------

TEST(ConfigLoad, MinimalConfigGetsTheBuiltInDefaults) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - name: api
        plugin: http_probe
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const Config& config = result.config;
  ASSERT_EQ(config.pipelines.size(), 1u);
  const PipelineConfig& pipeline = config.pipelines[0];
  EXPECT_EQ(pipeline.name, "genesis");
  EXPECT_EQ(pipeline.where.to_string(), "test.yaml:2:5");
  ASSERT_EQ(pipeline.checks.size(), 1u);
  const CheckConfig& check = pipeline.checks[0];
  EXPECT_EQ(check.name, "api");
  EXPECT_EQ(check.plugin, "http_probe");
  EXPECT_EQ(check.pipeline, "genesis");
  EXPECT_EQ(check.path, "pipelines[genesis].checks[api]");
  EXPECT_EQ(check.interval, minutes(5));
  EXPECT_EQ(check.timeout, seconds(30));
  EXPECT_EQ(check.where.to_string(), "test.yaml:4:9");
  EXPECT_EQ(check.plugin_where.to_string(), "test.yaml:5:17");
  EXPECT_EQ(config.global.log_level, "info");
  EXPECT_EQ(config.global.log_max_size, 10u * 1024 * 1024);
  EXPECT_EQ(config.global.log_max_files, 5);
  EXPECT_EQ(config.global.max_concurrent_checks, 16u);
  EXPECT_FALSE(config.global.log_file);
  EXPECT_FALSE(config.global.state_dir);
  EXPECT_EQ(config.sources, std::vector<std::string>{"test.yaml"});
  EXPECT_FALSE(config.environment);
}

TEST(ConfigLoad, PipelineDefaultsApplyAndChecksOverrideThem) {
  auto result = load(R"(pipelines:
  - name: genesis
    defaults: {interval: 1m, timeout: 10s}
    checks:
      - name: inherits
        plugin: noop
      - name: overrides
        plugin: noop
        interval: 2h
        timeout: 1m30s
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const auto& checks = result.config.pipelines[0].checks;
  EXPECT_EQ(checks[0].interval, minutes(1));
  EXPECT_EQ(checks[0].timeout, seconds(10));
  EXPECT_EQ(checks[1].interval, minutes(120));
  EXPECT_EQ(checks[1].timeout, seconds(90));
}

TEST(ConfigLoad, CheckLabelsOverridePipelineLabels) {
  auto result = load(R"(pipelines:
  - name: genesis
    description: Genesis after the Phase 4 deployment
    labels: {service: genesis, tier: api}
    checks:
      - name: web
        plugin: noop
        description: The front end
        labels: {tier: web, port: 8080}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const auto& pipeline = result.config.pipelines[0];
  EXPECT_EQ(pipeline.description, "Genesis after the Phase 4 deployment");
  EXPECT_EQ(pipeline.labels, (sdk::Labels{{"service", "genesis"}, {"tier", "api"}}));
  EXPECT_EQ(pipeline.checks[0].description, "The front end");
  EXPECT_EQ(pipeline.checks[0].labels,
            (sdk::Labels{{"service", "genesis"}, {"tier", "web"}, {"port", "8080"}}));
}

TEST(ConfigLoad, ThresholdsBecomeConditionsWithLabelMatchers) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - name: slo
        plugin: noop
        thresholds:
          pass_rate: {warning: "< 98", critical: "< 95"}
          used_percent: {critical: "> 90", labels: {mount: /}}
          load: {warning: "10:20"}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const auto& rules = result.config.pipelines[0].checks[0].thresholds.rules();
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].metric, "pass_rate");
  ASSERT_TRUE(rules[0].warning && rules[0].critical);
  EXPECT_TRUE(rules[0].warning->violated(97.5));
  EXPECT_FALSE(rules[0].critical->violated(97.5));
  EXPECT_EQ(rules[1].metric, "used_percent");
  EXPECT_FALSE(rules[1].warning);
  EXPECT_EQ(rules[1].match, (sdk::Labels{{"mount", "/"}}));
  EXPECT_TRUE(rules[2].warning->violated(25));
}

TEST(ConfigLoad, GlobalSectionWithPathsRelativeToTheConfigDirectory) {
  ConfigLoadResult result = ConfigLoader::load_string(R"(vigil:
  plugin_dirs: [./plugins, /opt/vigil/plugins]
  log: {level: debug, file: log/vigil.log, max_size: 20MiB, max_files: 3}
  max_concurrent_checks: 4
  state_dir: /var/lib/vigil
pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
)",
                                                      kTestFile, options_with({}), "/srv/vigil");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const GlobalConfig& global = result.config.global;
  EXPECT_EQ(global.plugin_dirs,
            (std::vector<std::filesystem::path>{"/srv/vigil/plugins", "/opt/vigil/plugins"}));
  EXPECT_EQ(global.log_level, "debug");
  EXPECT_EQ(global.log_file, std::filesystem::path("/srv/vigil/log/vigil.log"));
  EXPECT_EQ(global.log_max_size, 20u * 1024 * 1024);
  EXPECT_EQ(global.log_max_files, 3);
  EXPECT_EQ(global.max_concurrent_checks, 4u);
  EXPECT_EQ(global.state_dir, std::filesystem::path("/var/lib/vigil"));
}

TEST(ConfigLoad, InterpolationFillsSecretsLongestFirst) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - name: api
        plugin: http_probe
        description: "costs $${PRICE} and $5"
        options: {url: "https://${API_HOST}/health", password: "${API_PASSWORD}"}
)",
                     {{"API_HOST", "api.internal"}, {"API_PASSWORD", "hunter2-s3cret"}});
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.secrets, (std::vector<std::string>{"hunter2-s3cret", "api.internal"}));
  const CheckConfig& check = result.config.pipelines[0].checks[0];
  EXPECT_EQ(check.description, "costs ${PRICE} and $5");
}

TEST(ConfigLoad, ADisabledCheckIsDroppedAndItsVariablesNeedNotBeSet) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - name: api
        plugin: noop
      - name: debug
        plugin: http_probe
        enabled: false
        options: {url: "${DEBUG_URL}"}
  - name: retired
    enabled: "${RETIRED_ENABLED}"
    checks:
      - {name: old, plugin: noop}
)",
                     {{"RETIRED_ENABLED", "no"}});
  ASSERT_TRUE(result.ok()) << all_issues(result);
  ASSERT_EQ(result.config.pipelines.size(), 1u);
  ASSERT_EQ(result.config.pipelines[0].checks.size(), 1u);
  EXPECT_EQ(result.config.pipelines[0].checks[0].name, "api");
}

TEST(ConfigLoad, TheEmbeddedDefaultConfigLoads) {
  // vigil sets these two itself before it reads a configuration (core/cli/cli_common.cpp).
  auto result = ConfigLoader::load_file(
      VIGIL_SOURCE_DIR "/configs/default.yaml",
      options_with({{"VIGIL_EXE", "/usr/bin/vigil"}, {"VIGIL_STATE_DIR", "/var/lib/vigil"}}));
  EXPECT_TRUE(result.ok()) << all_issues(result);
  EXPECT_FALSE(result.config.pipelines.empty());
}

TEST(ConfigLoad, IssuesPrintAsOneLineWithLocationAndPath) {
  ConfigIssue issue{{"configs/vigil.yaml", 14, 12},
                    "pipelines[genesis].checks[api-health].options.timeout",
                    "expected a duration like 250ms, 30s, 5m or 48h, got \"ten\""};
  EXPECT_EQ(issue.to_string(),
            "configs/vigil.yaml:14:12: pipelines[genesis].checks[api-health].options.timeout: "
            "expected a duration like 250ms, 30s, 5m or 48h, got \"ten\"");
  ConfigIssue whole_file{{"vigil.yaml", 0, 0}, "", "the configuration is empty\nreally"};
  EXPECT_EQ(whole_file.to_string(), "vigil.yaml: the configuration is empty really");
}

// --- one bad config per test: exact location, path and message -------------------------------

TEST(ConfigLoadErrors, MalformedYamlIsOneIssueAtTheParserPosition) {
  const std::string file = kDataDir + "/malformed.yaml";
  auto result = ConfigLoader::load_file(file, options_with({}));
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.to_string(), file + ":7:13");
  EXPECT_EQ(result.issues[0].message, "invalid YAML: end of map flow not found");
}

TEST(ConfigLoadErrors, MalformedYamlFromText) {
  auto result = load("pipelines:\n  - name: genesis\n\tchecks: []\n");
  EXPECT_TRUE(has_only_issue(result, 3, 1, "", "invalid YAML: illegal tab"));
}

TEST(ConfigLoadErrors, MissingFileNamesThePath) {
  auto result = ConfigLoader::load_file(kDataDir + "/no-such.yaml", options_with({}));
  ASSERT_EQ(result.issues.size(), 1u);
  EXPECT_EQ(
      result.issues[0].to_string(),
      kDataDir + "/no-such.yaml: the configuration file cannot be read: No such file or directory");
}

TEST(ConfigLoadErrors, UnknownTopLevelKeySuggestsTheClosestOne) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
vigill:
  log: {level: info}
)");
  EXPECT_TRUE(has_only_issue(result, 5, 1, "vigill",
                             "unknown key 'vigill' (allowed: vigil, pipelines, actions, window); "
                             "did you mean 'vigil'?"));
}

TEST(ConfigLoadErrors, UnknownCheckKeyListsTheAllowedOnes) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        intervall: 5m
)");
  EXPECT_TRUE(has_only_issue(result, 6, 9, "pipelines[demo].checks[one].intervall",
                             "unknown key 'intervall' (allowed: name, plugin, description, "
                             "interval, timeout, labels, options, thresholds, enabled, isolate, "
                             "dry_run, preflight); did you mean 'interval'?"));
}

TEST(ConfigLoadErrors, MissingPluginPointsAtTheCheck) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        interval: 1m
)");
  EXPECT_TRUE(has_only_issue(result, 4, 9, "pipelines[demo].checks[one].plugin",
                             "missing required key 'plugin'"));
}

TEST(ConfigLoadErrors, DuplicateCheckNameNamesTheFirst) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
      - name: one
        plugin: noop
)");
  EXPECT_TRUE(has_only_issue(result, 6, 15, "pipelines[demo].checks[one].name",
                             "duplicate check name 'one' (first defined at test.yaml:4:15)"));
}

TEST(ConfigLoadErrors, DuplicatePipelineName) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 5, 11, "pipelines[demo].name",
                             "duplicate pipeline name 'demo' (first defined at test.yaml:2:11)"));
}

TEST(ConfigLoadErrors, SameCheckNameInTwoPipelinesIsFine) {
  auto result = load(R"(pipelines:
  - name: a
    checks:
      - {name: one, plugin: noop}
  - name: b
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(result.ok()) << all_issues(result);
}

TEST(ConfigLoadErrors, DuplicateYamlKey) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        interval: 1m
        interval: 2m
)");
  EXPECT_TRUE(has_only_issue(result, 7, 9, "pipelines[demo].checks[one].interval",
                             "duplicate key 'interval' (first at test.yaml:6:9)"));
}

TEST(ConfigLoadErrors, BadDuration) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        interval: ten
)");
  EXPECT_TRUE(has_only_issue(result, 6, 19, "pipelines[demo].checks[one].interval",
                             "expected a duration like 250ms, 30s, 5m or 48h, got \"ten\""));
}

TEST(ConfigLoadErrors, BareNumberIsNotADuration) {
  auto result = load(R"(pipelines:
  - name: demo
    defaults: {timeout: 30}
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 3, 25, "pipelines[demo].defaults.timeout",
                             "expected a duration like 250ms, 30s, 5m or 48h, got \"30\""));
}

TEST(ConfigLoadErrors, IntervalBelowMinimum) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        interval: 50ms
        timeout: 10ms
)");
  EXPECT_TRUE(has_only_issue(result, 6, 19, "pipelines[demo].checks[one].interval",
                             "interval 50ms is below the minimum of 100ms"));
}

TEST(ConfigLoadErrors, ZeroTimeout) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        timeout: 0
)");
  EXPECT_TRUE(has_only_issue(result, 6, 18, "pipelines[demo].checks[one].timeout",
                             "timeout must be longer than 0"));
}

TEST(ConfigLoadErrors, TimeoutLongerThanIntervalNamesBothValues) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        interval: 1m
        timeout: 1m30s
)");
  EXPECT_TRUE(has_only_issue(result, 7, 18, "pipelines[demo].checks[one].timeout",
                             "timeout 1m30s exceeds the interval 1m; a run must end"));
}

TEST(ConfigLoadErrors, ShortIntervalAgainstTheBuiltInTimeoutPointsAtTheInterval) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        interval: 10s
)");
  EXPECT_TRUE(has_only_issue(result, 6, 19, "pipelines[demo].checks[one].interval",
                             "timeout 30s (the built-in default) exceeds the interval 10s"));
}

TEST(ConfigLoadErrors, ConflictingPipelineDefaultsAreReportedOnce) {
  auto result = load(R"(pipelines:
  - name: demo
    defaults: {interval: 1m, timeout: 2m}
    checks:
      - {name: one, plugin: noop}
      - {name: two, plugin: noop}
      - {name: three, plugin: noop, timeout: 5s}
)");
  EXPECT_TRUE(has_only_issue(result, 3, 39, "pipelines[demo].defaults.timeout",
                             "timeout 2m (from the pipeline defaults) exceeds the interval 1m "
                             "(from the pipeline defaults)"));
}

TEST(ConfigLoadErrors, BadThresholdCondition) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        thresholds:
          pass_rate: {warning: "< 98", critical: "below 95"}
          error_rate: {labels: {code: "500"}}
)");
  EXPECT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 7, 50,
                        "expected a condition like \"< 95\", \"> 0.5\" or a Nagios range like "
                        "\"10:20\", got \"below 95\""));
  EXPECT_TRUE(
      has_issue(result, 8, 23, "the threshold for 'error_rate' needs a warning or a critical"));
}

TEST(ConfigLoadErrors, BadCheckNameCharacters) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: api health
        plugin: noop
)");
  EXPECT_TRUE(has_only_issue(result, 4, 15, "pipelines[demo].checks[api health].name",
                             "check name \"api health\" may only contain letters, digits, '_', "
                             "'.' and '-'"));
}

TEST(ConfigLoadErrors, LabelsMustBeAMapOfStringsWithValidNames) {
  auto result = load(R"(pipelines:
  - name: demo
    labels: [service, genesis]
    checks:
      - name: one
        plugin: noop
        labels: {team: [a, b], my-label: z}
)");
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 3, 13, "expected a map of label names to strings"));
  EXPECT_TRUE(has_issue(result, 7, 24, "expected a string, got a list"));
  EXPECT_TRUE(has_issue(result, 7, 32, "label name 'my-label' is not valid"));
  EXPECT_EQ(result.issues[1].path, "pipelines[demo].checks[one].labels.team");
}

TEST(ConfigLoadErrors, BadLogLevelSuggestsTheClosest) {
  auto result = load(R"(vigil:
  log: {level: debg}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 2, 16, "vigil.log.level",
                             "unknown log level \"debg\" (allowed: trace, debug, info, warning, "
                             "error); did you mean 'debug'?"));
}

TEST(ConfigLoadErrors, BadGlobalValues) {
  auto result = load(R"(vigil:
  plugin_dirs: {a: b}
  log: {max_size: big, max_files: 0, rotate: daily}
  max_concurrent_checks: many
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  ASSERT_EQ(result.issues.size(), 5u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 2, 16, "expected a list of directories, got a map"));
  EXPECT_TRUE(has_issue(result, 3, 19, "expected a size like 512KiB or 1MiB, got \"big\""));
  EXPECT_TRUE(has_issue(result, 3, 35, "must be at least 1"));
  EXPECT_TRUE(has_issue(result, 3, 38, "unknown key 'rotate'"));
  EXPECT_TRUE(has_issue(result, 4, 26, "expected an integer, got \"many\""));
}

TEST(ConfigLoadErrors, PipelinesNotAList) {
  auto result = load(R"(pipelines:
  name: demo
  checks: []
)");
  EXPECT_TRUE(has_only_issue(result, 2, 3, "pipelines",
                             "expected a list of pipelines (\"- name: ...\" entries), got a map"));
}

TEST(ConfigLoadErrors, EmptyFile) {
  for (const char* text : {"", "# nothing yet\n", "~\n"}) {
    auto result = load(text);
    ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
    EXPECT_EQ(result.issues[0].where.line, 0);
    EXPECT_EQ(result.issues[0].to_string(),
              "test.yaml: the configuration is empty; it needs a 'pipelines' list (see "
              "docs/config.md)");
  }
}

TEST(ConfigLoadErrors, TopLevelNotAMap) {
  auto result = load("- name: demo\n");
  EXPECT_TRUE(has_only_issue(result, 1, 1, "", "expected a map with 'pipelines'"));
}

TEST(ConfigLoadErrors, NoPipelines) {
  auto missing = load("vigil: {log: {level: info}}\n");
  EXPECT_TRUE(has_only_issue(missing, 1, 1, "pipelines", "missing required key 'pipelines'"));
  auto empty = load("pipelines: []\n");
  EXPECT_TRUE(has_only_issue(empty, 1, 1, "pipelines", "no pipelines"));
  auto null = load("pipelines:\n");
  EXPECT_TRUE(has_only_issue(null, 1, 1, "pipelines", "no pipelines"));
}

TEST(ConfigLoadErrors, PipelineWithoutChecks) {
  auto result = load(R"(pipelines:
  - name: empty
    checks: []
  - name: missing
    description: checks forgotten
  - name: all-off
    checks:
      - {name: one, plugin: noop, enabled: false}
)");
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 3, 5, "no checks: a pipeline needs at least one"));
  EXPECT_TRUE(has_issue(result, 4, 5, "missing required key 'checks'"));
  EXPECT_TRUE(has_issue(result, 7, 5, "no enabled checks: all 1 are disabled"));
}

TEST(ConfigLoadErrors, EnabledMustBeABoolean) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop, enabled: maybe}
)");
  EXPECT_TRUE(has_only_issue(result, 4, 44, "pipelines[demo].checks[one].enabled",
                             "expected true or false, got \"maybe\""));
}

TEST(ConfigLoadErrors, UnsetVariable) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: http_probe
        options: {url: "${API_URL}/health"}
)");
  EXPECT_TRUE(has_only_issue(result, 6, 24, "pipelines[demo].checks[one].options.url",
                             "${API_URL} is not set in the environment"));
}

TEST(ConfigLoadErrors, MalformedVariableReferences) {
  auto result = load(R"(pipelines:
  - name: demo
    description: "${1ST} and ${OPEN"
    checks:
      - {name: one, plugin: noop}
)");
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 3, 18, "\"${1ST}\" is not a variable reference"));
  EXPECT_TRUE(has_issue(result, 3, 18, "unterminated \"${\" (write $${ for a literal ${)"));
}

TEST(ConfigLoadErrors, SubstitutedValuesNeverAppearInMessages) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        interval: ${CHECK_INTERVAL}
        timeout: "${CHECK_TIMEOUT}"
        thresholds:
          value: {critical: "${BOUND}"}
      - name: "${CHECK_NAME}"
        plugin: noop
)",
                     {{"CHECK_INTERVAL", "hunter2"},
                      {"CHECK_TIMEOUT", "45s"},
                      {"BOUND", "s3cret-bound"},
                      {"CHECK_NAME", "bad name!"}});
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 6, 19, "got the value of ${CHECK_INTERVAL}"));
  EXPECT_TRUE(has_issue(result, 9, 29, "got the value of ${BOUND}"));
  EXPECT_TRUE(has_issue(result, 10, 15, "check name the value of ${CHECK_NAME} may only contain"));
  for (const auto& issue : result.issues) {
    for (const auto& secret : result.config.secrets) {
      EXPECT_EQ(issue.to_string().find(secret), std::string::npos) << issue.to_string();
    }
  }
}

TEST(ConfigLoadErrors, MoreThanOneDocument) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
---
pipelines: []
)");
  EXPECT_TRUE(has_only_issue(result, 6, 1, "", "one YAML document, but another starts here"));
}

TEST(ConfigLoadErrors, AnAliasThatContainsItselfIsStopped) {
  auto result = load("pipelines: &loop [*loop]\n");
  ASSERT_FALSE(result.ok());
  EXPECT_NE(all_issues(result).find("nesting deeper than"), std::string::npos)
      << all_issues(result);
}

TEST(ConfigLoadErrors, EveryErrorIsReportedInFileOrder) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - name: one
        plugin: noop
        intervall: 5m
      - name: two
        timeout: forever
      - name: three
        plugin: noop
        thresholds:
          value: {warning: "<< 3"}
vigil:
  log: {level: loud}
)");
  std::vector<std::string> where;
  for (const auto& issue : result.issues)
    where.push_back(issue.where.to_string());
  EXPECT_EQ(where, (std::vector<std::string>{"test.yaml:6:9", "test.yaml:7:9", "test.yaml:8:18",
                                             "test.yaml:12:28", "test.yaml:14:16"}))
      << all_issues(result);
}

}  // namespace
}  // namespace vigil::core::testing
