// What a reload would change, from the running and the new configuration alone.
#include "core/reload/config_diff.hpp"

#include <gtest/gtest.h>

namespace vigil::core {
namespace {

using namespace std::chrono_literals;
using Names = std::vector<std::string>;

CheckConfig check(const std::string& pipeline, const std::string& name) {
  CheckConfig c;
  c.pipeline = pipeline;
  c.name = name;
  c.plugin = "noop";
  c.interval = 10s;
  c.timeout = 5s;
  c.options.set("status", sdk::OptionValue(sdk::Scalar(std::string("ok"))));
  return c;
}

RuleConfig rule(const std::string& name, const std::string& on) {
  RuleConfig r;
  r.name = name;
  r.pipeline = "web";
  r.check = on;
  r.when.text = "status >= CRITICAL";
  r.for_duration = 1min;
  r.labels = {{"alertname", name}, {"severity", "warning"}};
  r.notify = {"slack"};
  return r;
}

ActionConfig action(const std::string& name) {
  ActionConfig a;
  a.name = name;
  a.plugin = "webhook";
  a.options.set("url", sdk::OptionValue(sdk::Scalar(std::string("http://127.0.0.1:9/"))));
  return a;
}

Config base() {
  Config c;
  PipelineConfig web;
  web.name = "web";
  for (const char* name : {"api", "disk", "queue"})
    web.checks.push_back(check("web", name));
  c.pipelines.push_back(web);
  PipelineConfig batch;
  batch.name = "batch";
  batch.checks.push_back(check("batch", "api"));  // same name, another pipeline: another check
  c.pipelines.push_back(batch);
  c.rules = {rule("api-down", "api"), rule("disk-full", "disk")};
  c.actions = {action("slack"), action("pager")};
  WindowConfig w;
  w.duration = 48h;
  w.deployment = "genesis-42";
  c.window = w;
  return c;
}

TEST(ConfigDiff, TheSameConfigurationChangesNothing) {
  const ConfigDiff d = diff_configs(base(), base());
  EXPECT_EQ(d.checks.unchanged, (Names{"web/api", "web/disk", "web/queue", "batch/api"}));
  EXPECT_TRUE(d.checks.added.empty() && d.checks.removed.empty() && d.checks.changed.empty());
  EXPECT_EQ(d.rules.unchanged, (Names{"api-down", "disk-full"}));
  EXPECT_TRUE(d.rules_updated.empty());
  EXPECT_EQ(d.actions.unchanged, (Names{"slack", "pager"}));
  EXPECT_TRUE(d.restart_needed.empty());
  EXPECT_FALSE(d.log_level_changed);
  EXPECT_FALSE(d.window_changed);
}

TEST(ConfigDiff, ChecksAreAddedRemovedAndChangedByPipelineAndName) {
  Config next = base();
  auto& web = next.pipelines[0].checks;
  web.erase(web.begin() + 1);                              // web/disk removed
  web[0].interval = 30s;                                   // web/api changed
  web.push_back(check("web", "tls"));                      // web/tls added
  next.pipelines[1].checks[0].description = "words only";  // batch/api: not a change
  next.pipelines[1].checks[0].preflight = true;            // nor this, once watching
  const ConfigDiff d = diff_configs(base(), next);
  EXPECT_EQ(d.checks.added, Names{"web/tls"});
  EXPECT_EQ(d.checks.removed, Names{"web/disk"});
  EXPECT_EQ(d.checks.changed, Names{"web/api"});
  EXPECT_EQ(d.checks.unchanged, (Names{"web/queue", "batch/api"}));
}

TEST(ConfigDiff, EverySettingThatChangesHowACheckRunsCountsAsAChange) {
  const CheckConfig a = check("web", "api");
  auto changed = [&a](auto edit) {
    CheckConfig b = a;
    edit(b);
    return check_changed(a, b);
  };
  EXPECT_FALSE(changed([](CheckConfig&) {}));
  EXPECT_TRUE(changed([](CheckConfig& c) { c.plugin = "http_probe"; }));
  EXPECT_TRUE(changed([](CheckConfig& c) {
    c.options.set("status", sdk::OptionValue(sdk::Scalar(std::string("critical"))));
  }));
  EXPECT_TRUE(changed([](CheckConfig& c) { c.interval = 11s; }));
  EXPECT_TRUE(changed([](CheckConfig& c) { c.timeout = 6s; }));
  EXPECT_TRUE(changed([](CheckConfig& c) { c.labels["team"] = "core"; }));
  EXPECT_TRUE(changed([](CheckConfig& c) { c.isolate = true; }));
  EXPECT_TRUE(changed([](CheckConfig& c) { c.dry_run = true; }));
  EXPECT_TRUE(changed([](CheckConfig& c) {
    std::string error;
    c.thresholds.add({"latency", {}, Condition::parse("> 1", &error), std::nullopt});
  }));
  EXPECT_FALSE(changed([](CheckConfig& c) { c.where = SourceLocation{"other.yaml", 3, 4}; }));
}

TEST(ConfigDiff, ARuleRestartsOnlyWhenItsAlertStateDependsOnWhatChanged) {
  const RuleConfig a = rule("api-down", "api");
  auto classify = [&a](auto edit) {
    RuleConfig b = a;
    edit(b);
    return classify_rule(a, b);
  };
  EXPECT_EQ(classify([](RuleConfig&) {}), RuleChange::Unchanged);
  // Restart: the alert's evaluation or identity.
  EXPECT_EQ(classify([](RuleConfig& r) { r.check = "disk"; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.when.value = 1; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.for_duration = 2min; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.consecutive = 3; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.budget = 5; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.keep_firing_for = 1min; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.recover_after = 2; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.on_unknown = UnknownPolicy::Failing; }),
            RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.severity = Severity::Critical; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.labels["team"] = "core"; }), RuleChange::Changed);
  EXPECT_EQ(classify([](RuleConfig& r) { r.dry_run = true; }), RuleChange::Changed);
  // In place: what happens once it fires.
  EXPECT_EQ(classify([](RuleConfig& r) { r.annotations["summary"] = "x"; }), RuleChange::Updated);
  EXPECT_EQ(classify([](RuleConfig& r) { r.notify = {"pager"}; }), RuleChange::Updated);
  EXPECT_EQ(classify([](RuleConfig& r) { r.repeat_interval = 1h; }), RuleChange::Updated);
  EXPECT_EQ(classify([](RuleConfig& r) {
              r.escalation.push_back({5min, {"pager"}, {}});
            }),
            RuleChange::Updated);
  // The condition as written does not matter, only what it means.
  EXPECT_EQ(classify([](RuleConfig& r) { r.when.text = "status>=CRITICAL"; }),
            RuleChange::Unchanged);
}

TEST(ConfigDiff, RulesAndActionsByName) {
  Config next = base();
  next.rules[0].for_duration = 5min;               // api-down restarts
  next.rules[1].annotations["summary"] = "disk!";  // disk-full updated in place
  next.rules.push_back(rule("queue-deep", "queue"));
  next.actions.erase(next.actions.begin() + 1);  // pager removed
  next.actions[0].timeout = 5s;                  // slack changed
  next.actions.push_back(action("alertmanager"));
  const ConfigDiff d = diff_configs(base(), next);
  EXPECT_EQ(d.rules.changed, Names{"api-down"});
  EXPECT_EQ(d.rules.unchanged, Names{"disk-full"});
  EXPECT_EQ(d.rules_updated, Names{"disk-full"});
  EXPECT_EQ(d.rules.added, Names{"queue-deep"});
  EXPECT_EQ(d.actions.changed, Names{"slack"});
  EXPECT_EQ(d.actions.removed, Names{"pager"});
  EXPECT_EQ(d.actions.added, Names{"alertmanager"});
}

TEST(ConfigDiff, SettingsThatCannotChangeLiveNeedARestart) {
  Config next = base();
  next.global.state_dir = "/var/lib/other";
  next.global.plugin_dirs = {"/opt/plugins"};
  next.global.max_concurrent_checks = 4;
  next.window->deployment = "genesis-43";
  next.global.log_level = "debug";  // this one applies
  next.window->duration = 24h;      // and this one
  const ConfigDiff d = diff_configs(base(), next);
  std::vector<std::string> settings;
  for (const auto& b : d.restart_needed)
    settings.push_back(b.setting);
  EXPECT_EQ(settings, (Names{"vigil.state_dir", "vigil.plugin_dirs", "vigil.max_concurrent_checks",
                             "window.deployment"}));
  EXPECT_EQ(d.restart_needed[0].reason,
            "changed from (unset) to /var/lib/other; a restart is needed to apply it");
  EXPECT_EQ(d.restart_needed[3].reason,
            "changed from \"genesis-42\" to \"genesis-43\"; a restart is needed to apply it");
  EXPECT_TRUE(d.log_level_changed);
  EXPECT_TRUE(d.window_changed);

  Config no_window = base();
  no_window.window.reset();
  const ConfigDiff gone = diff_configs(base(), no_window);
  ASSERT_EQ(gone.restart_needed.size(), 1u);
  EXPECT_EQ(gone.restart_needed[0].setting, "window");
}

}  // namespace
}  // namespace vigil::core
