#include "core/reload/config_diff.hpp"

#include <algorithm>
#include <map>

namespace vigil::core {

namespace {

bool same_thresholds(const Thresholds& a, const Thresholds& b) {
  const auto& x = a.rules();
  const auto& y = b.rules();
  if (x.size() != y.size())
    return false;
  auto same_condition = [](const std::optional<Condition>& p, const std::optional<Condition>& q) {
    return p.has_value() == q.has_value() && (!p || p->text() == q->text());
  };
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (x[i].metric != y[i].metric || x[i].match != y[i].match ||
        !same_condition(x[i].warning, y[i].warning) ||
        !same_condition(x[i].critical, y[i].critical))
      return false;
  }
  return true;
}

bool same_condition(const RuleCondition& a, const RuleCondition& b) {
  return a.subject == b.subject && a.metric == b.metric && a.op == b.op && a.value == b.value;
}

bool same_escalation(const std::vector<EscalationStep>& a, const std::vector<EscalationStep>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                    [](const EscalationStep& x, const EscalationStep& y) {
                      return x.after == y.after && x.actions == y.actions;
                    });
}

std::string check_key(const CheckConfig& c) {
  return c.pipeline + "/" + c.name;
}

std::string path_text(const std::optional<std::filesystem::path>& p) {
  return p ? p->string() : std::string("(unset)");
}

template <class T>
std::string list_text(const std::vector<T>& items) {
  std::string out = "[";
  for (const auto& item : items) {
    if (out.size() > 1)
      out += ", ";
    if constexpr (std::is_same_v<T, std::filesystem::path>)
      out += item.string();
    else
      out += item;
  }
  return out + "]";
}

// Sorts names of `next` against `running` into the four lists.
template <class Item, class KeyOf, class Changed>
ItemChanges diff_items(const std::vector<const Item*>& running,
                       const std::vector<const Item*>& next, KeyOf key_of, Changed changed) {
  ItemChanges out;
  std::map<std::string, const Item*> before;
  for (const Item* item : running)
    before.emplace(key_of(*item), item);
  std::map<std::string, bool> kept;
  for (const Item* item : next) {
    const std::string key = key_of(*item);
    auto it = before.find(key);
    if (it == before.end()) {
      out.added.push_back(key);
    } else {
      kept[key] = true;
      (changed(*it->second, *item) ? out.changed : out.unchanged).push_back(key);
    }
  }
  for (const Item* item : running) {
    if (kept.count(key_of(*item)) == 0)
      out.removed.push_back(key_of(*item));
  }
  return out;
}

std::vector<const CheckConfig*> checks_of(const Config& c) {
  std::vector<const CheckConfig*> out;
  for (const auto& p : c.pipelines) {
    for (const auto& check : p.checks)
      out.push_back(&check);
  }
  return out;
}

template <class Item>
std::vector<const Item*> pointers(const std::vector<Item>& items) {
  std::vector<const Item*> out;
  for (const auto& item : items)
    out.push_back(&item);
  return out;
}

}  // namespace

RuleChange classify_rule(const RuleConfig& before, const RuleConfig& after) {
  const bool restarts =
      before.pipeline != after.pipeline || before.check != after.check ||
      !same_condition(before.when, after.when) || before.for_duration != after.for_duration ||
      before.consecutive != after.consecutive || before.budget != after.budget ||
      before.keep_firing_for != after.keep_firing_for ||
      before.recover_after != after.recover_after || before.on_unknown != after.on_unknown ||
      before.flap_high != after.flap_high || before.flap_low != after.flap_low ||
      before.severity != after.severity || before.labels != after.labels ||
      before.dry_run != after.dry_run;
  if (restarts)
    return RuleChange::Changed;
  const bool updated = before.annotations != after.annotations || before.notify != after.notify ||
                       before.repeat_interval != after.repeat_interval ||
                       !same_escalation(before.escalation, after.escalation);
  return updated ? RuleChange::Updated : RuleChange::Unchanged;
}

bool check_changed(const CheckConfig& before, const CheckConfig& after) {
  return before.plugin != after.plugin || before.options.values() != after.options.values() ||
         before.interval != after.interval || before.timeout != after.timeout ||
         before.labels != after.labels || !same_thresholds(before.thresholds, after.thresholds) ||
         before.isolate != after.isolate || before.dry_run != after.dry_run;
}

bool action_changed(const ActionConfig& before, const ActionConfig& after) {
  return before.plugin != after.plugin || before.options.values() != after.options.values() ||
         before.timeout != after.timeout || before.retries != after.retries ||
         before.retry_backoff != after.retry_backoff;
}

ConfigDiff diff_configs(const Config& running, const Config& next) {
  ConfigDiff diff;
  diff.checks =
      diff_items<CheckConfig>(checks_of(running), checks_of(next), check_key, check_changed);
  diff.rules = diff_items<RuleConfig>(
      pointers(running.rules), pointers(next.rules), [](const RuleConfig& r) { return r.name; },
      [](const RuleConfig& a, const RuleConfig& b) {
        return classify_rule(a, b) == RuleChange::Changed;
      });
  for (const auto& name : diff.rules.unchanged) {
    auto find = [&name](const std::vector<RuleConfig>& rules) {
      return std::find_if(rules.begin(), rules.end(),
                          [&name](const RuleConfig& r) { return r.name == name; });
    };
    if (classify_rule(*find(running.rules), *find(next.rules)) == RuleChange::Updated)
      diff.rules_updated.push_back(name);
  }
  diff.actions = diff_items<ActionConfig>(
      pointers(running.actions), pointers(next.actions),
      [](const ActionConfig& a) { return a.name; }, action_changed);

  auto needs_restart = [&diff](const std::string& setting, const std::string& from,
                               const std::string& to) {
    diff.restart_needed.push_back(
        {setting, "changed from " + from + " to " + to + "; a restart is needed to apply it"});
  };
  const GlobalConfig& a = running.global;
  const GlobalConfig& b = next.global;
  if (a.state_dir != b.state_dir)
    needs_restart("vigil.state_dir", path_text(a.state_dir), path_text(b.state_dir));
  if (a.plugin_dirs != b.plugin_dirs)
    needs_restart("vigil.plugin_dirs", list_text(a.plugin_dirs), list_text(b.plugin_dirs));
  if (a.log_file != b.log_file)
    needs_restart("vigil.log.file", path_text(a.log_file), path_text(b.log_file));
  if (a.log_max_size != b.log_max_size)
    needs_restart("vigil.log.max_size", std::to_string(a.log_max_size),
                  std::to_string(b.log_max_size));
  if (a.log_max_files != b.log_max_files)
    needs_restart("vigil.log.max_files", std::to_string(a.log_max_files),
                  std::to_string(b.log_max_files));
  if (a.max_concurrent_checks != b.max_concurrent_checks)
    needs_restart("vigil.max_concurrent_checks", std::to_string(a.max_concurrent_checks),
                  std::to_string(b.max_concurrent_checks));
  diff.log_level_changed = a.log_level != b.log_level;

  if (running.window.has_value() != next.window.has_value()) {
    needs_restart("window", running.window ? "configured" : "absent",
                  next.window ? "configured" : "absent");
  } else if (running.window) {
    const WindowConfig& w = *running.window;
    const WindowConfig& v = *next.window;
    if (w.deployment != v.deployment)
      needs_restart("window.deployment", "\"" + w.deployment + "\"", "\"" + v.deployment + "\"");
    diff.window_changed = w.duration != v.duration || w.fail_on != v.fail_on ||
                          w.max_unknown_ratio != v.max_unknown_ratio ||
                          w.flapping_is_inconclusive != v.flapping_is_inconclusive ||
                          w.on_start != v.on_start || w.on_success != v.on_success ||
                          w.on_failure != v.on_failure || w.on_inconclusive != v.on_inconclusive ||
                          w.extend_on_inconclusive != v.extend_on_inconclusive ||
                          w.max_extensions != v.max_extensions || w.retention != v.retention;
  }
  return diff;
}

}  // namespace vigil::core
