#include "core/reload/config_reloader.hpp"

#include <algorithm>

#include "core/log/logging.hpp"
#include "core/reload/config_diff.hpp"
#include "core/state/durable_state_store.hpp"

namespace vigil::core {

namespace {

std::string key_of(const CheckConfig& c) {
  return c.pipeline + "/" + c.name;
}

const CheckConfig* find_check(const Config& config, const std::string& key) {
  for (const auto& p : config.pipelines) {
    for (const auto& c : p.checks) {
      if (key_of(c) == key)
        return &c;
    }
  }
  return nullptr;
}

const ActionConfig* find_action(const Config& config, const std::string& name) {
  for (const auto& a : config.actions) {
    if (a.name == name)
      return &a;
  }
  return nullptr;
}

// A resolve error for a type no loaded plugin has says so; on a reload the remedy differs.
void hint_restart_for_new_types(std::vector<ConfigIssue>& issues) {
  for (auto& issue : issues) {
    if (issue.message.find(": no loaded plugin") != std::string::npos)
      issue.message += "; plugins load only at start: a restart is needed for a new one";
  }
}

// "actions[x].options.verify: no check named 'y'" -> path and message.
ConfigIssue issue_from_line(const std::string& file, const std::string& line) {
  ConfigIssue issue;
  issue.where.file = file;
  const auto colon = line.find(": ");
  if (colon == std::string::npos) {
    issue.message = line;
  } else {
    issue.path = line.substr(0, colon);
    issue.message = line.substr(colon + 2);
  }
  return issue;
}

}  // namespace

ScheduledCheck scheduled_check(std::shared_ptr<CheckInstance> instance, const CheckConfig& config,
                               Clock& clock) {
  ScheduledCheck scheduled;
  scheduled.name = config.name;
  scheduled.plugin = config.plugin;
  scheduled.pipeline = config.pipeline;
  scheduled.interval = config.interval;
  scheduled.timeout = config.timeout;
  scheduled.labels = config.labels;
  scheduled.run = [instance = std::move(instance), &clock](const RunRequest& request) {
    return instance->run(clock.now() + (request.deadline - clock.steady_now()), request.cancel);
  };
  return scheduled;
}

ConfigReloader::ConfigReloader(const Config& running, std::string source, ReadConfiguration read,
                               ReloadTargets targets)
    : running_(&running),
      source_(std::move(source)),
      read_(std::move(read)),
      targets_(std::move(targets)) {}

ConfigReloader::~ConfigReloader() = default;

std::shared_ptr<CheckInstance> ConfigReloader::adopt(std::unique_ptr<CheckInstance> instance,
                                                     const CheckConfig& config) {
  std::shared_ptr<CheckInstance> shared(std::move(instance));
  live_[key_of(config)] = LiveCheck{&config, shared};
  return shared;
}

void ConfigReloader::schedule(InstantiatedChecks&& built) {
  for (std::size_t i = 0; i < built.checks.size(); ++i) {
    const CheckConfig& config = *built.configs[i];
    targets_.scheduler->add(
        scheduled_check(adopt(std::move(built.checks[i]), config), config, *targets_.clock));
  }
  built.checks.clear();
  built.configs.clear();
}

bool ConfigReloader::reload() {
  auto log = logger();
  auto next = std::make_unique<ConfigLoadResult>(read_());
  const Config& cfg = next->config;
  std::vector<ConfigIssue> issues = next->issues;
  hint_restart_for_new_types(issues);
  ConfigDiff diff;
  std::map<std::string, std::unique_ptr<CheckInstance>> new_checks;
  std::map<std::string, std::unique_ptr<sdk::ActionRunner>> new_actions;
  if (issues.empty()) {
    diff = diff_configs(*running_, cfg);
    for (const auto& blocker : diff.restart_needed) {
      if (blocker.setting == "vigil.state_dir" && targets_.state_dir_pinned)
        continue;
      issues.push_back({SourceLocation{source_, 0, 0}, blocker.setting, blocker.reason});
    }
    if (std::string error = AlertEngine::validate(cfg); !error.empty())
      issues.push_back(issue_from_line(source_, error));
    // Every new or changed check and action is made now, so that a plugin refusing its
    // options fails the reload before anything has changed.
    std::vector<std::string> checks = diff.checks.added;
    checks.insert(checks.end(), diff.checks.changed.begin(), diff.checks.changed.end());
    for (const auto& key : checks) {
      const CheckConfig* check = find_check(cfg, key);
      if (auto instance = instantiate_check(*check, *targets_.catalog, *targets_.clock,
                                            &targets_.isolation, issues))
        new_checks.emplace(key, std::move(instance));
    }
    std::vector<std::string> actions = diff.actions.added;
    actions.insert(actions.end(), diff.actions.changed.begin(), diff.actions.changed.end());
    for (const auto& name : actions) {
      const ActionConfig* action = find_action(cfg, name);
      const sdk::ActionFactory* factory = targets_.catalog->find_action(action->plugin);
      if (factory == nullptr) {
        issues.push_back({action->plugin_where, action->path + ".plugin",
                          "no loaded plugin provides action type '" + action->plugin +
                              "'; plugins load only at start: a restart is needed for a new one"});
        continue;
      }
      auto created = factory->create(action->options);
      if (!created.instance) {
        SourceLocation where = action->where;
        if (auto it = action->option_locations.find(created.error_option);
            it != action->option_locations.end())
          where = it->second;
        issues.push_back({where,
                          action->path + ".options" +
                              (created.error_option.empty() ? "" : "." + created.error_option),
                          created.error});
        continue;
      }
      new_actions.emplace(name, std::move(created.instance));
    }
  }
  if (!issues.empty()) {
    for (const auto& issue : issues)
      log->error("{}", issue.to_string());
    log->error("reload of {} failed: keeping the running configuration", source_);
    return false;
  }

  // --- apply: nothing below can fail on the configuration's account ---
  for (auto& [name, runner] : new_actions)
    targets_.dispatcher->add(*find_action(cfg, name), std::move(runner));
  if (targets_.window != nullptr && cfg.window)
    targets_.window->reconfigure(*cfg.window);
  const RuleChanges rules = targets_.engine->reconfigure(cfg);
  for (const auto& name : diff.actions.removed)
    targets_.dispatcher->remove(name);

  for (const auto& key : diff.checks.removed) {
    const LiveCheck& live = live_.at(key);
    targets_.scheduler->remove(live.config->pipeline, live.config->name);
    live_.erase(key);
  }
  for (auto& [key, instance] : new_checks) {
    const CheckConfig& check = *find_check(cfg, key);
    if (targets_.db != nullptr) {
      // The same key as before a change: the plugin's own state carries over.
      instance->use_state_store(std::make_unique<DurableStateStore>(*targets_.db, key));
    }
    ScheduledCheck scheduled =
        scheduled_check(adopt(std::move(instance), check), check, *targets_.clock);
    if (std::find(diff.checks.changed.begin(), diff.checks.changed.end(), key) !=
        diff.checks.changed.end()) {
      targets_.scheduler->replace(std::move(scheduled));
    } else {
      targets_.scheduler->add(std::move(scheduled));
    }
  }
  for (const auto& key : diff.checks.unchanged)
    live_.at(key).config = find_check(cfg, key);

  if (diff.log_level_changed) {
    if (targets_.log_level_pinned) {
      log->info("log_level {} not applied: --log-level was given", cfg.global.log_level);
    } else {
      log->set_level(parse_log_level(cfg.global.log_level).value_or(spdlog::level::info));
    }
  }
  // Lines still in flight may carry a secret of the old configuration: redact both.
  std::vector<std::string> secrets = running_->secrets;
  secrets.insert(secrets.end(), cfg.secrets.begin(), cfg.secrets.end());
  std::sort(secrets.begin(), secrets.end(), [](const std::string& a, const std::string& b) {
    return a.size() > b.size() || (a.size() == b.size() && a < b);
  });
  secrets.erase(std::unique(secrets.begin(), secrets.end()), secrets.end());
  set_log_secrets(std::move(secrets));

  running_ = &cfg;
  applied_.push_back(std::move(next));
  auto counts = [](const char* what, std::size_t added, std::size_t removed, std::size_t changed,
                   std::size_t unchanged) {
    return std::string(what) + " +" + std::to_string(added) + " -" + std::to_string(removed) +
           " ~" + std::to_string(changed) + " =" + std::to_string(unchanged);
  };
  log->info("configuration reloaded from {}: {}; {}; {}", source_,
            counts("checks", diff.checks.added.size(), diff.checks.removed.size(),
                   diff.checks.changed.size(), diff.checks.unchanged.size()),
            counts("rules", rules.added.size(), rules.removed.size(), rules.changed.size(),
                   rules.unchanged.size() + rules.updated.size()),
            counts("actions", diff.actions.added.size(), diff.actions.removed.size(),
                   diff.actions.changed.size(), diff.actions.unchanged.size()));
  return true;
}

}  // namespace vigil::core
