// Environment overlays, from tests/config/data/overlay: vigil.yaml and environments/*.yaml.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/config/config_test_support.hpp"

namespace vigil::core::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

const std::string kBase = kDataDir + "/overlay/vigil.yaml";
const std::string kEnvironments = kDataDir + "/overlay/environments";

ConfigLoadResult load_overlay(const std::string& env, Environment vars = {}) {
  return ConfigLoader::load_file(kBase, options_with(std::move(vars), env));
}

const CheckConfig* find_check(const Config& config, const std::string& name) {
  for (const auto& pipeline : config.pipelines) {
    for (const auto& check : pipeline.checks) {
      if (check.name == name)
        return &check;
    }
  }
  return nullptr;
}

TEST(ConfigOverlay, TheBaseAloneNeedsItsVariables) {
  auto result = load_overlay("production");
  EXPECT_TRUE(result.ok()) << all_issues(result);
  auto without = ConfigLoader::load_file(kBase, options_with({}));
  ASSERT_EQ(without.issues.size(), 1u) << all_issues(without);
  EXPECT_EQ(without.issues[0].to_string(),
            kBase +
                ":18:74: pipelines[genesis].checks[debug-endpoint].options.headers.X-Token: "
                "${DEBUG_TOKEN} is not set in the environment");
}

TEST(ConfigOverlay, ProductionOverridesMergesAddsAndDisables) {
  auto result = load_overlay("production");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const FakePlugins plugins;
  ConfigLoader::resolve(result, plugins.lookup());
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const Config& config = result.config;
  const std::string production = kEnvironments + "/production.yaml";

  EXPECT_EQ(config.environment, "production");
  EXPECT_EQ(config.sources, (std::vector<std::string>{kBase, production}));
  // Maps merge: the overlay's level, the base's everything else; lists replace.
  EXPECT_EQ(config.global.log_level, "warning");
  EXPECT_EQ(config.global.plugin_dirs, std::vector<std::filesystem::path>{"/opt/vigil/plugins"});

  ASSERT_EQ(config.pipelines.size(), 1u);
  const PipelineConfig& genesis = config.pipelines[0];
  std::vector<std::string> names;
  for (const auto& c : genesis.checks)
    names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"api-health", "latency", "tls-expiry"}));

  // api-health: interval from the overlay's defaults, timeout from the base's.
  const CheckConfig* api = find_check(config, "api-health");
  ASSERT_NE(api, nullptr);
  EXPECT_EQ(api->interval, minutes(1));
  EXPECT_EQ(api->timeout, seconds(30));
  EXPECT_EQ(api->labels, (sdk::Labels{{"service", "genesis"}}));
  // Options merge key by key: url from the overlay, timeout kept from the base.
  EXPECT_EQ(api->options.string("url"), "https://genesis.example.com/health");
  EXPECT_EQ(api->options.duration("timeout"), seconds(5));
  EXPECT_EQ(api->option_locations.at("url").to_string(), production + ":10:24");
  EXPECT_EQ(api->option_locations.at("timeout").file, kBase);
  // Thresholds merge: the overlay's warning, the base's critical.
  ASSERT_EQ(api->thresholds.rules().size(), 1u);
  const MetricThreshold& pass_rate = api->thresholds.rules()[0];
  EXPECT_EQ(pass_rate.warning->text(), "< 99");
  EXPECT_EQ(pass_rate.critical->text(), "< 95");

  // latency: the overlay's null removed its own timeout, so the pipeline default applies.
  const CheckConfig* latency = find_check(config, "latency");
  ASSERT_NE(latency, nullptr);
  EXPECT_EQ(latency->interval, minutes(1));
  EXPECT_EQ(latency->timeout, seconds(30));

  // tls-expiry: added by the overlay, located there.
  const CheckConfig* tls = find_check(config, "tls-expiry");
  ASSERT_NE(tls, nullptr);
  EXPECT_EQ(tls->where.to_string(), production + ":17:9");
  EXPECT_EQ(tls->interval, minutes(1));
}

TEST(ConfigOverlay, ErrorsInTheOverlayPointIntoTheOverlay) {
  auto result = load_overlay("staging", {{"DEBUG_TOKEN", "t0ken"}});
  const std::string staging = kEnvironments + "/staging.yaml";
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_EQ(result.issues[0].to_string(),
            staging +
                ":6:19: pipelines[genesis].checks[api-health].interval: expected a "
                "duration like 250ms, 30s, 5m or 48h, got \"soon\"");
  EXPECT_EQ(result.issues[1].where.to_string(), staging + ":7:15");
  EXPECT_NE(result.issues[1].message.find(
                "disables check 'api-helth', which the base configuration does not define"),
            std::string::npos)
      << all_issues(result);
  EXPECT_NE(result.issues[1].message.find("did you mean 'api-health'?"), std::string::npos);
}

TEST(ConfigOverlay, BaseIssuesComeBeforeOverlayIssues) {
  // The base's issue is on a later line than the overlay's, but the base file sorts first.
  ConfigLoadResult result =
      ConfigLoader::load_string(R"(pipelines:
  - name: genesis
    checks:
      - name: api-health
        plugin: http_probe
      - name: debug
        plugin: http_probe
        bogus: 1
)",
                                "vigil.yaml", options_with({}, "staging"), kDataDir + "/overlay");
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.to_string(), "vigil.yaml:8:9");
  EXPECT_EQ(result.issues[1].where.line, 6);
  EXPECT_EQ(result.issues[2].where.line, 7);
}

TEST(ConfigOverlay, MissingOverlayNamesThePathAndTheEnvironmentsThatExist) {
  auto result = load_overlay("qa", {{"DEBUG_TOKEN", "t0ken"}});
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.file, kEnvironments + "/qa.yaml");
  EXPECT_EQ(result.issues[0].where.line, 0);
  EXPECT_EQ(result.issues[0].message,
            "environment 'qa' not found: " + kEnvironments +
                "/qa.yaml does not exist (available: broken, production, staging)");
  EXPECT_FALSE(result.config.environment);
}

TEST(ConfigOverlay, MalformedOverlayIsOneIssueInTheOverlay) {
  auto result = load_overlay("broken");
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.to_string(), kEnvironments + "/broken.yaml:4:1");
  EXPECT_EQ(result.issues[0].message, "invalid YAML: end of sequence flow not found");
}

TEST(ConfigOverlay, EnvironmentNamesCannotLeaveTheDirectory) {
  auto result = load_overlay("../vigil", {{"DEBUG_TOKEN", "t0ken"}});
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(result.issues[0].where.file, kBase);
  EXPECT_NE(result.issues[0].message.find("environment name \"../vigil\" is not valid"),
            std::string::npos);
}

TEST(ConfigOverlay, TextWithoutADirectoryCannotHaveAnOverlay) {
  ConfigLoadResult result =
      ConfigLoader::load_string(R"(pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
)",
                                "<embedded default>", options_with({}, "production"));
  ASSERT_EQ(result.issues.size(), 1u) << all_issues(result);
  EXPECT_EQ(result.issues[0].to_string(),
            "<embedded default>: environment overlay 'production' requested, but <embedded "
            "default> is not a file, so there is no environments/ directory beside it");
}

// --- rules, actions and the window (data/alerting) -------------------------------------------

const std::string kAlertingBase = kDataDir + "/alerting/vigil.yaml";
const std::string kAlertingEnvironments = kDataDir + "/alerting/environments";

const RuleConfig* find_rule(const Config& config, const std::string& name) {
  for (const auto& rule : config.rules) {
    if (rule.name == name)
      return &rule;
  }
  return nullptr;
}

TEST(ConfigOverlay, RulesActionsAndTheWindowMergeByName) {
  auto result = ConfigLoader::load_file(kAlertingBase, options_with({}, "staging"));
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const FakePlugins plugins;
  ConfigLoader::resolve(result, plugins.lookup());
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const Config& config = result.config;
  const std::string staging = kAlertingEnvironments + "/staging.yaml";

  // actions merge by name: slack keeps its type and timeout, its options merge key by key.
  ASSERT_EQ(config.actions.size(), 3u);
  const ActionConfig& slack = config.actions[0];
  EXPECT_EQ(slack.name, "slack");
  EXPECT_EQ(slack.plugin, "webhook");
  EXPECT_EQ(slack.timeout, seconds(10));
  EXPECT_EQ(slack.options.string("url"), "https://hooks.example/staging");
  EXPECT_EQ(slack.options.string("method"), "PUT");
  EXPECT_EQ(slack.option_locations.at("url").to_string(), staging + ":4:20");
  EXPECT_EQ(config.actions[1].name, "rollback");
  EXPECT_EQ(config.actions[2].name, "page");
  EXPECT_EQ(config.actions[2].where.to_string(), staging + ":5:5");

  // The window is a map: merged key by key, and a null removes a key.
  ASSERT_TRUE(config.window);
  EXPECT_EQ(config.window->duration, std::chrono::hours(2));
  EXPECT_EQ(config.window->fail_on, Severity::Critical);
  EXPECT_TRUE(config.window->on_failure.empty());
  EXPECT_EQ(config.window->on_inconclusive, std::vector<std::string>{"page"});

  // Rules merge by name; the disabled check takes its rule with it; a new rule is added.
  std::vector<std::string> names;
  for (const auto& rule : config.rules)
    names.push_back(rule.name);
  EXPECT_EQ(names, (std::vector<std::string>{"api-errors", "api-slow"}));
  const RuleConfig* errors = find_rule(config, "api-errors");
  ASSERT_NE(errors, nullptr);
  EXPECT_EQ(errors->severity, Severity::Warning);
  EXPECT_EQ(errors->for_duration, std::chrono::milliseconds(minutes(1)));
  EXPECT_EQ(errors->when.text, "error_rate > 1");  // from the base
  EXPECT_EQ(errors->labels, (sdk::Labels{{"service", "genesis"},
                                         {"team", "core"},
                                         {"env", "staging"},
                                         {"alertname", "api-errors"},
                                         {"severity", "warning"},
                                         {"pipeline", "genesis"},
                                         {"check", "api"}}));
  EXPECT_EQ(errors->notify, std::vector<std::string>{"page"});  // lists are replaced
  ASSERT_EQ(errors->escalation.size(), 1u);
  EXPECT_EQ(errors->escalation[0].actions, std::vector<std::string>{"rollback"});
  const RuleConfig* slow = find_rule(config, "api-slow");
  ASSERT_NE(slow, nullptr);
  EXPECT_EQ(slow->where.to_string(), staging + ":23:9");
}

TEST(ConfigOverlay, RuleMistakesInTheOverlayPointIntoTheOverlay) {
  auto result = ConfigLoader::load_file(kAlertingBase, options_with({}, "typo"));
  const std::string typo = kAlertingEnvironments + "/typo.yaml";
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_EQ(result.issues[0].to_string(),
            typo +
                ":5:15: pipelines[genesis].rules[api-erors]: disables rule 'api-erors', which the "
                "base configuration does not define (it has: api-errors, debug-down); did you "
                "mean 'api-errors'?");
  EXPECT_EQ(result.issues[1].to_string(),
            typo +
                ":8:18: pipelines[genesis].rules[api-errors].notify[0]: unknown action 'slak' "
                "(defined: rollback, slack); did you mean 'slack'?");
}

}  // namespace
}  // namespace vigil::core::testing
