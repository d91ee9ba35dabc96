// Rules, actions and the observation window: phase 1 (structure, values, references) and
// phase 2 (action options against the action type's schema).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "core/config/alerting_text.hpp"
#include "tests/config/config_test_support.hpp"

namespace vigil::core::testing {
namespace {

using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// Every key of the alerting sections, with values other than the defaults.
const char* const kFullExample = R"(actions:
  - name: slack
    plugin: webhook
    timeout: 10s
    retries: 5
    retry_backoff: 1s
    options: {url: "${SLACK_WEBHOOK_URL}"}
  - {name: restart-orchestrator, plugin: command, options: {argv: [systemctl, restart, orch]}}
  - {name: rollback, plugin: command, options: {argv: [/usr/local/bin/rollback]}}
  - {name: start-demo, plugin: command, options: {argv: [/bin/true]}}
  - {name: promote, plugin: command, options: {argv: [/bin/true]}}
  - {name: page-human, plugin: webhook, options: {url: "https://pager.example/hook"}}
window:
  duration: 48h
  deployment: "${DEPLOY_ID}"
  fail_on: warning
  max_unknown_ratio: 5%
  flapping_is_inconclusive: false
  on_start: [start-demo]
  on_success: [promote]
  on_failure: rollback
  on_inconclusive: [page-human]
  extend_on_inconclusive: 24h
  max_extensions: 2
  retention: 168h
pipelines:
  - name: genesis
    labels: {service: genesis, team: platform}
    defaults: {interval: 5m, timeout: 2m, dry_run: false, preflight: true}
    checks:
      - name: error-rate
        plugin: noop
        labels: {component: api}
      - name: shadow
        plugin: noop
        dry_run: true
        preflight: false
    rules:
      - name: error-rate-critical
        check: error-rate
        when: "error_rate > 1"
        severity: critical
        for: 5m
        consecutive: 3
        budget: 5
        keep_firing_for: 10m
        recover_after: 2
        on_unknown: failing
        flapping: {high: 40, low: 20}
        labels: {team: core}
        annotations: {summary: "API error rate above 1%", response: immediate}
        notify: [slack]
        repeat_interval: 1h
        escalation:
          - after: 2m
            run: [rollback]
          - after: 0s
            run: [restart-orchestrator, slack]
      - name: shadow-down
        check: shadow
        when: status >= warning
)";

const Environment kFullEnvironment = {{"SLACK_WEBHOOK_URL", "https://hooks.example/T0/B0/s3cret"},
                                      {"DEPLOY_ID", "deploy-42"}};

TEST(ConfigAlerting, TheFullExampleLoadsEveryField) {
  auto result = load_and_resolve(kFullExample, kFullEnvironment);
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const Config& config = result.config;

  const auto& checks = config.pipelines.at(0).checks;
  EXPECT_FALSE(checks.at(0).dry_run);
  EXPECT_TRUE(checks.at(0).preflight);  // from the pipeline defaults
  EXPECT_TRUE(checks.at(1).dry_run);
  EXPECT_FALSE(checks.at(1).preflight);  // the check's own wins

  ASSERT_EQ(config.actions.size(), 6u);
  const ActionConfig& slack = config.actions[0];
  EXPECT_EQ(slack.name, "slack");
  EXPECT_EQ(slack.plugin, "webhook");
  EXPECT_EQ(slack.path, "actions[slack]");
  EXPECT_EQ(slack.where.to_string(), "test.yaml:2:5");
  EXPECT_EQ(slack.timeout, seconds(10));
  EXPECT_EQ(slack.retries, 5);
  EXPECT_EQ(slack.retry_backoff, seconds(1));
  EXPECT_EQ(slack.options.string("url"), "https://hooks.example/T0/B0/s3cret");
  EXPECT_EQ(slack.options.string("method"), "POST");  // the type's default
  EXPECT_EQ(slack.option_locations.at("url").to_string(), "test.yaml:7:20");
  EXPECT_EQ(config.actions[1].options.strings("argv"),
            (std::vector<std::string>{"systemctl", "restart", "orch"}));

  ASSERT_TRUE(config.window);
  const WindowConfig& window = *config.window;
  EXPECT_EQ(window.duration, hours(48));
  EXPECT_EQ(window.deployment, "deploy-42");
  EXPECT_EQ(window.fail_on, Severity::Warning);
  EXPECT_DOUBLE_EQ(window.max_unknown_ratio, 0.05);
  EXPECT_FALSE(window.flapping_is_inconclusive);
  EXPECT_EQ(window.on_start, std::vector<std::string>{"start-demo"});
  EXPECT_EQ(window.on_success, std::vector<std::string>{"promote"});
  EXPECT_EQ(window.on_failure, std::vector<std::string>{"rollback"});  // one name, a list of one
  EXPECT_EQ(window.on_inconclusive, std::vector<std::string>{"page-human"});
  EXPECT_EQ(window.extend_on_inconclusive, hours(24));
  EXPECT_EQ(window.max_extensions, 2);
  EXPECT_EQ(window.retention, hours(168));
  EXPECT_EQ(window.where.to_string(), "test.yaml:14:3");

  ASSERT_EQ(config.rules.size(), 2u);
  const RuleConfig& rule = config.rules[0];
  EXPECT_EQ(rule.name, "error-rate-critical");
  EXPECT_EQ(rule.pipeline, "genesis");
  EXPECT_EQ(rule.check, "error-rate");
  EXPECT_EQ(rule.path, "pipelines[genesis].rules[error-rate-critical]");
  EXPECT_EQ(rule.where.to_string(), "test.yaml:39:9");
  EXPECT_EQ(rule.when.subject, RuleCondition::Subject::Metric);
  EXPECT_EQ(rule.when.metric, "error_rate");
  EXPECT_EQ(rule.when.op, RuleCondition::Op::Greater);
  EXPECT_DOUBLE_EQ(rule.when.value, 1);
  EXPECT_EQ(rule.when.text, "error_rate > 1");
  EXPECT_EQ(rule.severity, Severity::Critical);
  EXPECT_EQ(rule.for_duration, milliseconds(minutes(5)));
  EXPECT_EQ(rule.consecutive, 3);
  EXPECT_EQ(rule.budget, 5);
  EXPECT_EQ(rule.keep_firing_for, minutes(10));
  EXPECT_EQ(rule.recover_after, 2);
  EXPECT_EQ(rule.on_unknown, UnknownPolicy::Failing);
  EXPECT_DOUBLE_EQ(rule.flap_high, 40);
  EXPECT_DOUBLE_EQ(rule.flap_low, 20);
  EXPECT_EQ(rule.labels, (sdk::Labels{{"service", "genesis"},
                                      {"team", "core"},
                                      {"component", "api"},
                                      {"alertname", "error-rate-critical"},
                                      {"severity", "critical"},
                                      {"pipeline", "genesis"},
                                      {"check", "error-rate"}}));
  EXPECT_EQ(rule.annotations,
            (sdk::Labels{{"summary", "API error rate above 1%"}, {"response", "immediate"}}));
  EXPECT_EQ(rule.notify, std::vector<std::string>{"slack"});
  EXPECT_EQ(rule.repeat_interval, hours(1));
  // Sorted by `after`, whatever the order written.
  ASSERT_EQ(rule.escalation.size(), 2u);
  EXPECT_EQ(rule.escalation[0].after, seconds(0));
  EXPECT_EQ(rule.escalation[0].actions,
            (std::vector<std::string>{"restart-orchestrator", "slack"}));
  EXPECT_EQ(rule.escalation[0].where.to_string(), "test.yaml:57:13");
  EXPECT_EQ(rule.escalation[1].after, minutes(2));
  EXPECT_EQ(rule.escalation[1].actions, std::vector<std::string>{"rollback"});
  EXPECT_FALSE(rule.dry_run);

  const RuleConfig& shadow = config.rules[1];
  EXPECT_TRUE(shadow.dry_run);  // its check is a dry run
  EXPECT_EQ(shadow.when.subject, RuleCondition::Subject::Status);
  EXPECT_EQ(shadow.when.op, RuleCondition::Op::GreaterEqual);
  EXPECT_DOUBLE_EQ(shadow.when.value, 1);
  EXPECT_EQ(shadow.labels.at("severity"), "warning");

  // The webhook URL came from the environment: a secret like every substituted value.
  EXPECT_NE(
      std::find(config.secrets.begin(), config.secrets.end(), "https://hooks.example/T0/B0/s3cret"),
      config.secrets.end());
}

// The first YAML block under `heading` in docs/config.md.
std::string documented_example(const std::string& heading) {
  std::ifstream in(VIGIL_SOURCE_DIR "/docs/config.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::size_t section = doc.find(heading);
  const std::size_t start = doc.find("```yaml\n", section);
  if (section == std::string::npos || start == std::string::npos)
    return {};
  const std::size_t body = start + 8;
  return doc.substr(body, doc.find("```", body) - body);
}

TEST(ConfigAlerting, TheDocumentedExampleLoads) {
  const std::string example = documented_example("## Rules, actions and the observation window");
  ASSERT_FALSE(example.empty());
  auto result = load(example, {{"SLACK_WEBHOOK_URL", "https://hooks.example/x"},
                               {"PAGER_URL", "https://pager.example/x"},
                               {"DEPLOY_ID", "d-1"}});
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_EQ(result.config.rules.size(), 2u);
  EXPECT_EQ(result.config.actions.size(), 6u);
  EXPECT_TRUE(result.config.window);
}

TEST(ConfigAlerting, BuiltInDefaults) {
  auto result = load(R"(actions:
  - {name: slack, plugin: webhook}
window:
  duration: 2h
pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
    rules:
      - {name: api-down, check: api, when: "status == CRITICAL"}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const Config& config = result.config;
  EXPECT_FALSE(config.pipelines[0].checks[0].dry_run);
  EXPECT_FALSE(config.pipelines[0].checks[0].preflight);

  const ActionConfig& action = config.actions.at(0);
  EXPECT_EQ(action.timeout, seconds(30));
  EXPECT_EQ(action.retries, 3);
  EXPECT_EQ(action.retry_backoff, seconds(2));
  EXPECT_EQ(action.options_where.to_string(), "test.yaml:2:5");  // no options: the entry

  const WindowConfig& window = config.window.value();
  EXPECT_EQ(window.duration, hours(2));
  EXPECT_EQ(window.fail_on, Severity::Critical);
  EXPECT_DOUBLE_EQ(window.max_unknown_ratio, 0.1);
  EXPECT_TRUE(window.flapping_is_inconclusive);
  EXPECT_EQ(window.extend_on_inconclusive, milliseconds(0));
  EXPECT_EQ(window.max_extensions, 1);
  EXPECT_EQ(window.retention, milliseconds(0));  // duration + 24h, decided by the user of it
  EXPECT_TRUE(window.on_failure.empty());

  const RuleConfig& rule = config.rules.at(0);
  EXPECT_EQ(rule.severity, Severity::Warning);
  EXPECT_FALSE(rule.for_duration);
  EXPECT_FALSE(rule.consecutive);
  EXPECT_FALSE(rule.budget);
  EXPECT_EQ(rule.keep_firing_for, milliseconds(0));
  EXPECT_EQ(rule.recover_after, 1);
  EXPECT_EQ(rule.on_unknown, UnknownPolicy::Hold);
  EXPECT_DOUBLE_EQ(rule.flap_high, 30);
  EXPECT_DOUBLE_EQ(rule.flap_low, 25);
  EXPECT_EQ(rule.repeat_interval, milliseconds(0));
  EXPECT_TRUE(rule.escalation.empty());
  EXPECT_EQ(rule.when.subject, RuleCondition::Subject::Status);
  EXPECT_EQ(rule.when.op, RuleCondition::Op::Equal);
  EXPECT_DOUBLE_EQ(rule.when.value, 2);
}

TEST(ConfigAlerting, NoWindowNoActionsNoRules) {
  auto result = load(R"(window:
pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
    rules: []
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_FALSE(result.config.window);
  EXPECT_TRUE(result.config.rules.empty());
  EXPECT_TRUE(result.config.actions.empty());
}

TEST(ConfigAlerting, ARuleCanBeADryRunOnItsOwn) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
    rules:
      - {name: trial, check: api, when: "latency_p95 >= 0.5", dry_run: true}
      - {name: real, check: api, when: "latency_p95 >= 2", dry_run: false}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  EXPECT_TRUE(result.config.rules.at(0).dry_run);
  EXPECT_FALSE(result.config.rules.at(1).dry_run);
}

TEST(ConfigAlerting, RulesOfADisabledCheckAndDisabledRulesAreLeftOut) {
  auto result = load(R"(pipelines:
  - name: genesis
    checks:
      - {name: api, plugin: noop}
      - {name: debug, plugin: noop, enabled: false}
    rules:
      - {name: debug-down, check: debug, when: "status != OK", notify: ["${UNSET}"]}
      - {name: api-down, check: api, when: "status != OK", enabled: false}
      - {name: api-slow, check: api, when: "p95 > 0.5"}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  ASSERT_EQ(result.config.rules.size(), 1u);
  EXPECT_EQ(result.config.rules[0].name, "api-slow");
}

TEST(ConfigAlerting, RuleConditionsParse) {
  struct Case {
    const char* text;
    RuleCondition::Subject subject;
    const char* metric;
    RuleCondition::Op op;
    double value;
  };
  using S = RuleCondition::Subject;
  using O = RuleCondition::Op;
  const Case cases[] = {
      {"status == CRITICAL", S::Status, "", O::Equal, 2},
      {"status>=warning", S::Status, "", O::GreaterEqual, 1},
      {"status != Ok", S::Status, "", O::NotEqual, 0},
      {"status < unknown", S::Status, "", O::Less, 3},
      {"pass_rate < 95", S::Metric, "pass_rate", O::Less, 95},
      {"  p95 <= 0.5 ", S::Metric, "p95", O::LessEqual, 0.5},
      {"_x9 > -1e3", S::Metric, "_x9", O::Greater, -1000},
  };
  for (const auto& c : cases) {
    std::string error;
    auto condition = parse_rule_condition(c.text, &error);
    ASSERT_TRUE(condition) << c.text << ": " << error;
    EXPECT_EQ(condition->subject, c.subject) << c.text;
    EXPECT_EQ(condition->metric, c.metric) << c.text;
    EXPECT_EQ(condition->op, c.op) << c.text;
    EXPECT_DOUBLE_EQ(condition->value, c.value) << c.text;
  }
  for (const char* bad :
       {"", "error_rate", "error_rate =~ 1", "error_rate >", "9lives > 1", "status >= BAD",
        "error_rate > high", "error-rate > 1", "p95 > inf", "status > 2"}) {
    std::string error;
    EXPECT_FALSE(parse_rule_condition(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
  EXPECT_EQ(to_string(Severity::Critical), "critical");
  EXPECT_EQ(to_string(Severity::Warning), "warning");
  EXPECT_EQ(to_string(Severity::Info), "info");
}

// --- one bad config per test: exact location, path and message -------------------------------

TEST(ConfigAlertingErrors, UnknownRuleKeySuggestsTheClosest) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - name: r
        check: one
        when: "status != OK"
        consecutve: 3
)");
  EXPECT_TRUE(has_only_issue(result, 9, 9, "pipelines[demo].rules[r].consecutve",
                             "unknown key 'consecutve' (allowed: name, check, when, severity, "
                             "for, consecutive,"));
  EXPECT_NE(result.issues.at(0).message.find("did you mean 'consecutive'?"), std::string::npos);
}

TEST(ConfigAlertingErrors, RuleOnACheckOfAnotherPipelineSuggestsOne) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: api-health, plugin: noop}
      - {name: disk, plugin: noop}
    rules:
      - {name: r, check: api-helth, when: "status != OK"}
  - name: other
    checks:
      - {name: queue, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 7, 26, "pipelines[demo].rules[r].check",
                             "no check 'api-helth' in pipeline 'demo' (its checks: api-health, "
                             "disk); did you mean 'api-health'?"));
}

TEST(ConfigAlertingErrors, RuleNamesAreUniqueAcrossPipelines) {
  auto result = load(R"(pipelines:
  - name: a
    checks:
      - {name: one, plugin: noop}
    rules:
      - {name: down, check: one, when: "status != OK"}
  - name: b
    checks:
      - {name: one, plugin: noop}
    rules:
      - {name: down, check: one, when: "status != OK"}
)");
  EXPECT_TRUE(has_only_issue(result, 11, 16, "pipelines[b].rules[down].name",
                             "duplicate rule name 'down' (first defined at test.yaml:6:16)"));
}

TEST(ConfigAlertingErrors, RuleMissingCheckAndWhen) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - name: r
        severity: info
)");
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 6, 9, "missing required key 'check'"));
  EXPECT_TRUE(has_issue(result, 6, 9, "missing required key 'when'"));
  EXPECT_EQ(result.issues[1].path, "pipelines[demo].rules[r].when");
}

TEST(ConfigAlertingErrors, BadConditionSaysWhy) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - name: r
        check: one
        when: "status >= WARN"
)");
  EXPECT_TRUE(has_only_issue(result, 8, 15, "pipelines[demo].rules[r].when",
                             "invalid condition \"status >= WARN\": unknown status 'WARN' "
                             "(allowed: OK, WARNING, CRITICAL, UNKNOWN)"));
}

TEST(ConfigAlertingErrors, AConditionFromTheEnvironmentIsNotShown) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - {name: r, check: one, when: "${CONDITION}"}
)",
                     {{"CONDITION", "s3cret ~ 1"}});
  EXPECT_TRUE(has_only_issue(result, 6, 37, "pipelines[demo].rules[r].when",
                             "got the value of ${CONDITION}"));
  EXPECT_EQ(result.issues[0].message.find("s3cret"), std::string::npos);
}

TEST(ConfigAlertingErrors, BadRuleValues) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - name: r
        check: one
        when: "x > 1"
        severity: critcal
        for: soon
        consecutive: 0
        budget: -1
        recover_after: 0
        on_unknown: ignore
        flapping: {high: 20, low: 30}
        labels: {severity: page, team: core}
        repeat_interval: often
)");
  ASSERT_EQ(result.issues.size(), 9u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 9, 19,
                        "unknown severity \"critcal\" (allowed: critical, warning, info); did "
                        "you mean 'critical'?"));
  EXPECT_TRUE(has_issue(result, 10, 14, "expected a duration like 250ms, 30s, 5m or 48h"));
  EXPECT_TRUE(has_issue(result, 11, 22, "must be at least 1, got \"0\""));
  EXPECT_TRUE(has_issue(result, 12, 17, "must be at least 0, got \"-1\""));
  EXPECT_TRUE(has_issue(result, 13, 24, "must be at least 1, got \"0\""));
  EXPECT_TRUE(has_issue(result, 14, 21,
                        "unknown policy \"ignore\" for UNKNOWN results (allowed: hold, failing, "
                        "reset)"));
  EXPECT_TRUE(has_issue(result, 15, 35, "low (30%) must be below high (20%)"));
  EXPECT_TRUE(has_issue(result, 16, 18,
                        "label 'severity' is set by vigil from the rule (alertname, severity, "
                        "pipeline, check)"));
  EXPECT_TRUE(has_issue(result, 17, 26, "expected a duration"));
  EXPECT_EQ(result.issues[6].path, "pipelines[demo].rules[r].flapping.low");
}

TEST(ConfigAlertingErrors, UnknownActionsAreReportedWhereTheyAreNamed) {
  auto result = load(R"(actions:
  - {name: slack, plugin: webhook}
  - {name: rollback, plugin: command}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - name: r
        check: one
        when: "status != OK"
        notify: [slak]
        escalation:
          - {after: 1m, run: [rollback, page]}
window:
  duration: 1h
  on_failure: [rolback]
)");
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_EQ(result.issues[0].to_string(),
            "test.yaml:12:18: pipelines[demo].rules[r].notify[0]: unknown action 'slak' "
            "(defined: rollback, slack); did you mean 'slack'?");
  EXPECT_EQ(result.issues[1].to_string(),
            "test.yaml:14:41: pipelines[demo].rules[r].escalation[0].run[1]: unknown action "
            "'page' (defined: rollback, slack)");
  EXPECT_EQ(result.issues[2].to_string(),
            "test.yaml:17:16: window.on_failure[0]: unknown action 'rolback' (defined: "
            "rollback, slack); did you mean 'rollback'?");
}

TEST(ConfigAlertingErrors, AnActionNamedWithoutAnyActionsDefined) {
  auto result = load(R"(pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - {name: r, check: one, when: "status != OK", notify: slack}
)");
  EXPECT_TRUE(has_only_issue(result, 6, 61, "pipelines[demo].rules[r].notify",
                             "unknown action 'slack' (no actions are defined: add them to the "
                             "top-level 'actions' list)"));
}

TEST(ConfigAlertingErrors, BadEscalationSteps) {
  auto result = load(R"(actions:
  - {name: rollback, plugin: command}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
    rules:
      - name: r
        check: one
        when: "status != OK"
        escalation:
          - {run: [rollback]}
          - {after: 1m, run: []}
          - {after: 2m, run: [rollback, rollback], then: stop}
          - rollback
)");
  ASSERT_EQ(result.issues.size(), 5u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 12, 13, "missing required key 'after'"));
  EXPECT_TRUE(has_issue(result, 13, 30, "an escalation step needs at least one action"));
  EXPECT_TRUE(has_issue(result, 14, 41, "action 'rollback' is listed twice"));
  EXPECT_TRUE(has_issue(result, 14, 52, "unknown key 'then' (allowed: after, run)"));
  EXPECT_TRUE(has_issue(result, 15, 13, "expected a step like {after: 2m, run: [rollback]}"));
}

TEST(ConfigAlertingErrors, DuplicateActionNameAndBadActionValues) {
  auto result = load(R"(actions:
  - name: slack
    plugin: webhook
    timeout: 0s
    retries: -1
    retry_backoff: later
    option: {url: x}
  - name: slack
  - [not, an, action]
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  ASSERT_EQ(result.issues.size(), 7u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 4, 14, "must be longer than 0"));
  EXPECT_TRUE(has_issue(result, 5, 14, "must be at least 0"));
  EXPECT_TRUE(has_issue(result, 6, 20, "expected a duration"));
  EXPECT_TRUE(has_issue(result, 7, 5,
                        "unknown key 'option' (allowed: name, plugin, timeout, retries, "
                        "retry_backoff, options); did you mean 'options'?"));
  EXPECT_TRUE(
      has_issue(result, 8, 11, "duplicate action name 'slack' (first defined at test.yaml:2:11)"));
  EXPECT_TRUE(has_issue(result, 8, 5, "missing required key 'plugin': the action type"));
  EXPECT_TRUE(
      has_issue(result, 9, 5, "expected an action (a map with name and plugin), got a list"));
  EXPECT_EQ(result.issues[0].path, "actions[slack].timeout");
}

TEST(ConfigAlertingErrors, ActionsNotAList) {
  auto result = load(R"(actions:
  slack: {plugin: webhook}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 2, 3, "actions",
                             "expected a list of actions (\"- name: ...\" entries), got a map"));
}

TEST(ConfigAlertingErrors, WindowWithoutDuration) {
  auto result = load(R"(window:
  fail_on: critical
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 2, 3, "window.duration",
                             "missing required key 'duration': how long to watch"));
}

TEST(ConfigAlertingErrors, BadWindowValues) {
  auto result = load(R"(window:
  duration: 0s
  fail_on: fatal
  max_unknown_ratio: 1.5
  flapping_is_inconclusive: perhaps
  max_extensions: -1
  deadline: 1h
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  ASSERT_EQ(result.issues.size(), 6u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 2, 13, "must be longer than 0"));
  EXPECT_TRUE(has_issue(result, 3, 12,
                        "unknown severity \"fatal\" (allowed: critical, warning, "
                        "info)"));
  EXPECT_TRUE(has_issue(result, 4, 22,
                        "expected a ratio from 0 to 1 or a percentage like \"10%\", got \"1.5\""));
  EXPECT_TRUE(has_issue(result, 5, 29, "expected true or false, got \"perhaps\""));
  EXPECT_TRUE(has_issue(result, 6, 19, "must be at least 0"));
  EXPECT_TRUE(has_issue(result, 7, 3, "unknown key 'deadline'"));
}

TEST(ConfigAlertingErrors, RetentionShorterThanTheWindowCanLast) {
  auto result = load(R"(window:
  duration: 48h
  extend_on_inconclusive: 24h
  max_extensions: 1
  retention: 48h
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 5, 14, "window.retention",
                             "retention 48h is shorter than the window can last (3d with its "
                             "extensions)"));
}

TEST(ConfigAlertingErrors, DryRunAndPreflightAreBooleans) {
  auto result = load(R"(pipelines:
  - name: demo
    defaults: {dry_run: sometimes}
    checks:
      - {name: one, plugin: noop, preflight: first}
)");
  ASSERT_EQ(result.issues.size(), 2u) << all_issues(result);
  EXPECT_TRUE(has_issue(result, 3, 25, "expected true or false, got \"sometimes\""));
  EXPECT_TRUE(has_issue(result, 5, 46, "expected true or false, got \"first\""));
  EXPECT_EQ(result.issues[0].path, "pipelines[demo].defaults.dry_run");
}

// --- phase 2: action options ------------------------------------------------------------------

TEST(ConfigAlertingResolve, ActionOptionsAreValidatedAgainstTheActionType) {
  auto result = load_and_resolve(R"(actions:
  - name: hook
    plugin: webhook
    options:
      url: https://hooks.example/x
      headers: {X-Team: core}
      token: tok-123
  - name: rollback
    plugin: command
    options: {argv: /usr/local/bin/rollback, cwd: /srv}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  ASSERT_TRUE(result.ok()) << all_issues(result);
  const ActionConfig& hook = result.config.actions.at(0);
  EXPECT_EQ(hook.options.string("url"), "https://hooks.example/x");
  EXPECT_EQ(hook.options.string_map("headers"),
            (std::map<std::string, std::string>{{"X-Team", "core"}}));
  EXPECT_EQ(hook.options.string("method"), "POST");
  EXPECT_EQ(hook.option_locations.at("token").to_string(), "test.yaml:7:14");
  // A secret option's value joins the secrets, as for checks.
  EXPECT_EQ(result.config.secrets, std::vector<std::string>{"tok-123"});
  const ActionConfig& rollback = result.config.actions.at(1);
  EXPECT_EQ(rollback.options.strings("argv"), std::vector<std::string>{"/usr/local/bin/rollback"});
  EXPECT_EQ(rollback.options.string("cwd"), "/srv");
}

TEST(ConfigAlertingResolve, OptionErrorsNameTheActionType) {
  auto result = load_and_resolve(R"(actions:
  - name: hook
    plugin: webhook
    options: {urll: https://x, headers: [a]}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  ASSERT_EQ(result.issues.size(), 3u) << all_issues(result);
  EXPECT_EQ(result.issues[0].to_string(),
            "test.yaml:4:5: actions[hook].options.url: missing required option 'url' (string: "
            "Where to POST)");
  EXPECT_EQ(result.issues[1].to_string(),
            "test.yaml:4:15: actions[hook].options.urll: unknown option 'urll' for action type "
            "'webhook' (known: url, method, headers, token); did you mean 'url'?");
  EXPECT_TRUE(has_issue(result, 4, 41, "expected a map of names to string values, got a list"));
}

TEST(ConfigAlertingResolve, UnknownActionType) {
  auto result = load_and_resolve(R"(actions:
  - {name: hook, plugin: carrier_pigeon}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 2, 26, "actions[hook].plugin",
                             "unknown action type 'carrier_pigeon': no loaded plugin or host "
                             "built-in provides it"));
}

TEST(ConfigAlertingResolve, ACheckTypeIsNotAnAction) {
  auto result = load_and_resolve(R"(actions:
  - {name: probe, plugin: http_probe}
pipelines:
  - name: demo
    checks:
      - {name: one, plugin: noop}
)");
  EXPECT_TRUE(has_only_issue(result, 2, 27, "actions[probe].plugin",
                             "'http_probe' is a check type, not an action type"));
}

}  // namespace
}  // namespace vigil::core::testing
