#include "core/config/alerting_reader.hpp"

#include <algorithm>
#include <limits>
#include <sstream>
#include <utility>

#include "core/config/alerting_text.hpp"
#include "core/config/suggest.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

using std::chrono::milliseconds;

const ValueReader::Keys kActionKeys = {"name",    "plugin",        "timeout",
                                       "retries", "retry_backoff", "options"};
const ValueReader::Keys kWindowKeys = {
    "duration",       "deployment", "fail_on",    "max_unknown_ratio", "flapping_is_inconclusive",
    "on_start",       "on_success", "on_failure", "on_inconclusive",   "extend_on_inconclusive",
    "max_extensions", "retention"};
const ValueReader::Keys kRuleKeys = {"name",
                                     "check",
                                     "when",
                                     "severity",
                                     "for",
                                     "consecutive",
                                     "budget",
                                     "keep_firing_for",
                                     "recover_after",
                                     "on_unknown",
                                     "flapping",
                                     "labels",
                                     "annotations",
                                     "notify",
                                     "repeat_interval",
                                     "escalation",
                                     "dry_run",
                                     "enabled"};
const ValueReader::Keys kFlappingKeys = {"high", "low"};
const ValueReader::Keys kEscalationKeys = {"after", "run"};
const ValueReader::Keys kSeverities = {"critical", "warning", "info"};
const ValueReader::Keys kUnknownPolicies = {"hold", "failing", "reset"};
// Labels every alert carries, set from the rule itself.
const ValueReader::Keys kReservedLabels = {"alertname", "severity", "pipeline", "check"};

constexpr int kIntMax = std::numeric_limits<int>::max();

std::string format_percent(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

}  // namespace

// --- actions ----------------------------------------------------------------------------------

void AlertingReader::read_actions(const ConfigNode::Entry& entry, Config& config) {
  const ConfigNode& node = entry.value;
  const std::string path = "actions";
  if (node.is_null())
    return;
  if (!node.is_sequence()) {
    report(node.where, path,
           "expected a list of actions (\"- name: ...\" entries), got " + describe_node(node));
    return;
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const ConfigNode& item = node.items[i];
    if (auto action = read_action(item, item_path(path, item, i)))
      config.actions.push_back(std::move(*action));
  }
}

std::optional<ActionConfig> AlertingReader::read_action(const ConfigNode& node,
                                                        const std::string& path) {
  if (!node.is_map()) {
    report(node.where, path,
           "expected an action (a map with name and plugin), got " + describe_node(node));
    return std::nullopt;
  }
  check_keys(node, path, kActionKeys);
  ActionConfig action;
  action.where = node.where;
  action.path = path;
  if (auto name = read_name(node, path, "action", action_names_))
    action.name = *name;

  const std::string plugin_path = child_path(path, "plugin");
  if (const ConfigNode* plugin = node.find("plugin")) {
    action.plugin_where = plugin->where;
    if (auto text = read_string(*plugin, plugin_path)) {
      if (text->empty()) {
        report(plugin->where, plugin_path, "the action type must not be empty");
      } else {
        action.plugin = *text;
      }
    }
  } else {
    report(node.where, plugin_path,
           "missing required key 'plugin': the action type, such as webhook (`vigil plugins` "
           "lists them)");
  }
  if (const ConfigNode* timeout = node.find("timeout")) {
    if (auto value = read_positive_duration(*timeout, child_path(path, "timeout")))
      action.timeout = *value;
  }
  if (const ConfigNode* retries = node.find("retries")) {
    if (auto value = read_integer(*retries, child_path(path, "retries"), 0, kIntMax))
      action.retries = static_cast<int>(*value);
  }
  if (const ConfigNode* backoff = node.find("retry_backoff")) {
    if (auto value = read_duration(*backoff, child_path(path, "retry_backoff")))
      action.retry_backoff = *value;
  }
  action.options_where = node.where;
  if (const ConfigNode::Entry* options = node.find_entry("options")) {
    action.options_where = options->key_where;
    if (expect_map(options->value, child_path(path, "options"),
                   "a map of option names to values") &&
        options->value.is_map()) {
      action.raw_options = std::make_shared<const ConfigNode>(options->value);
    }
  }
  return action;
}

std::vector<std::string> AlertingReader::read_action_list(const ConfigNode& node,
                                                          const std::string& path) {
  std::vector<std::string> names;
  auto one = [&](const ConfigNode& item, const std::string& item_path) {
    auto text = read_string(item, item_path);
    if (!text)
      return;
    if (text->empty()) {
      report(item.where, item_path, "expected an action name, got an empty string");
      return;
    }
    if (std::find(names.begin(), names.end(), *text) != names.end()) {
      report(item.where, item_path, "action '" + display_text(item) + "' is listed twice");
      return;
    }
    names.push_back(*text);
    references_.push_back({*text, display_text(item), item.where, item_path});
  };
  if (node.is_scalar()) {  // one action, as a list of one
    one(node, path);
  } else if (node.is_sequence()) {
    for (std::size_t i = 0; i < node.items.size(); ++i)
      one(node.items[i], path + "[" + std::to_string(i) + "]");
  } else if (!node.is_null()) {
    report(node.where, path,
           "expected a list of action names, like [slack, rollback], got " + describe_node(node));
  }
  return names;
}

void AlertingReader::check_action_references() {
  std::vector<std::string_view> defined;
  for (const auto& [name, where] : action_names_)
    defined.push_back(name);
  for (const auto& ref : references_) {
    if (action_names_.count(ref.name) != 0)
      continue;
    std::string message = "unknown action '" + ref.shown + "' ";
    if (defined.empty()) {
      message += "(no actions are defined: add them to the top-level 'actions' list)";
    } else {
      message += "(defined: " + join_names(defined) + ")" + did_you_mean(ref.name, defined);
    }
    report(ref.where, ref.path, std::move(message));
  }
}

// --- the observation window -------------------------------------------------------------------

std::optional<double> AlertingReader::read_percent(const ConfigNode& node,
                                                   const std::string& path) {
  auto text = scalar_text(node, path, sdk::OptionType::Double);
  if (!text)
    return std::nullopt;
  bool percent = false;
  auto value = parse_number_or_percent(*text, &percent);
  if (!value || *value < 0 || *value > 100) {
    report(node.where, path, "expected a percentage from 0 to 100, got " + shown_value(node));
    return std::nullopt;
  }
  return value;
}

std::optional<double> AlertingReader::read_ratio(const ConfigNode& node, const std::string& path) {
  auto text = scalar_text(node, path, sdk::OptionType::Double);
  if (!text)
    return std::nullopt;
  bool percent = false;
  auto value = parse_number_or_percent(*text, &percent);
  if (value && percent)
    *value /= 100;
  if (!value || *value < 0 || *value > 1) {
    report(node.where, path,
           "expected a ratio from 0 to 1 or a percentage like \"10%\", got " + shown_value(node));
    return std::nullopt;
  }
  return value;
}

void AlertingReader::read_window(const ConfigNode& node, Config& config) {
  const std::string path = "window";
  if (node.is_null())
    return;
  if (!node.is_map()) {
    report(
        node.where, path,
        "expected a map like {duration: 48h, on_failure: [rollback]}, got " + describe_node(node));
    return;
  }
  check_keys(node, path, kWindowKeys);
  WindowConfig window;
  window.where = node.where;
  const ConfigNode* duration = node.find("duration");
  if (duration == nullptr) {
    report(node.where, child_path(path, "duration"),
           "missing required key 'duration': how long to watch after the deployment, like 48h");
  } else if (auto value = read_positive_duration(*duration, child_path(path, "duration"))) {
    window.duration = *value;
  }
  if (const ConfigNode* deployment = node.find("deployment")) {
    if (auto text = read_string(*deployment, child_path(path, "deployment")))
      window.deployment = *text;
  }
  if (const ConfigNode* fail_on = node.find("fail_on")) {
    const std::string p = child_path(path, "fail_on");
    if (auto text = read_string(*fail_on, p)) {
      if (auto severity = parse_severity(*text)) {
        window.fail_on = *severity;
      } else {
        report(fail_on->where, p,
               "unknown severity " + shown_value(*fail_on) +
                   " (allowed: " + join_names(kSeverities) + ")" +
                   (fail_on->from_environment ? std::string{} : did_you_mean(*text, kSeverities)));
      }
    }
  }
  if (const ConfigNode* ratio = node.find("max_unknown_ratio")) {
    if (auto value = read_ratio(*ratio, child_path(path, "max_unknown_ratio")))
      window.max_unknown_ratio = *value;
  }
  if (const ConfigNode* flapping = node.find("flapping_is_inconclusive")) {
    if (auto value = read_bool(*flapping, child_path(path, "flapping_is_inconclusive")))
      window.flapping_is_inconclusive = *value;
  }
  const std::pair<const char*, std::vector<std::string>*> hooks[] = {
      {"on_start", &window.on_start},
      {"on_success", &window.on_success},
      {"on_failure", &window.on_failure},
      {"on_inconclusive", &window.on_inconclusive}};
  for (const auto& [key, into] : hooks) {
    if (const ConfigNode* list = node.find(key))
      *into = read_action_list(*list, child_path(path, key));
  }
  if (const ConfigNode* extend = node.find("extend_on_inconclusive")) {
    if (auto value = read_duration(*extend, child_path(path, "extend_on_inconclusive")))
      window.extend_on_inconclusive = *value;
  }
  if (const ConfigNode* extensions = node.find("max_extensions")) {
    if (auto value = read_integer(*extensions, child_path(path, "max_extensions"), 0, kIntMax))
      window.max_extensions = static_cast<int>(*value);
  }
  if (const ConfigNode* retention = node.find("retention")) {
    const std::string p = child_path(path, "retention");
    if (auto value = read_duration(*retention, p)) {
      window.retention = *value;
      // Pruning what the verdict is still to be drawn from would change the verdict.
      const milliseconds longest =
          window.duration + window.extend_on_inconclusive * window.max_extensions;
      if (value->count() > 0 && window.duration.count() > 0 && *value < longest) {
        report(retention->where, p,
               "retention " + display_text(*retention) + " is shorter than the window can last (" +
                   sdk::format_duration(longest) +
                   " with its extensions); results would be pruned before the verdict");
      }
    }
  }
  config.window = std::move(window);
}

// --- rules ------------------------------------------------------------------------------------

void AlertingReader::read_rules(const ConfigNode::Entry& entry, const std::string& path,
                                const PipelineConfig& pipeline, Config& config) {
  const ConfigNode& node = entry.value;
  if (node.is_null())
    return;
  if (!node.is_sequence()) {
    report(node.where, path,
           "expected a list of rules (\"- name: ...\" entries), got " + describe_node(node));
    return;
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const ConfigNode& item = node.items[i];
    if (auto rule = read_rule(item, item_path(path, item, i), pipeline))
      config.rules.push_back(std::move(*rule));
  }
}

std::optional<RuleConfig> AlertingReader::read_rule(const ConfigNode& node, const std::string& path,
                                                    const PipelineConfig& pipeline) {
  if (!node.is_map()) {
    report(node.where, path,
           "expected a rule (a map with name, check and when), got " + describe_node(node));
    return std::nullopt;
  }
  check_keys(node, path, kRuleKeys);
  RuleConfig rule;
  rule.where = node.where;
  rule.path = path;
  rule.pipeline = pipeline.name;
  if (auto name = read_name(node, path, "rule", rule_names_))
    rule.name = *name;

  const CheckConfig* check = nullptr;
  const std::string check_path = child_path(path, "check");
  if (const ConfigNode* check_node = node.find("check")) {
    if (auto text = read_string(*check_node, check_path)) {
      std::vector<std::string_view> names;
      for (const auto& c : pipeline.checks) {
        names.push_back(c.name);
        if (c.name == *text)
          check = &c;
      }
      if (check != nullptr) {
        rule.check = *text;
      } else {
        report(check_node->where, check_path,
               "no check '" + display_text(*check_node) + "' in pipeline '" + pipeline.name +
                   "' (its checks: " + join_names(names) + ")" +
                   (check_node->from_environment ? std::string{} : did_you_mean(*text, names)));
      }
    }
  } else {
    report(node.where, check_path,
           "missing required key 'check': the check of this pipeline whose results the rule "
           "judges");
  }

  if (const ConfigNode* when = node.find("when")) {
    read_condition(*when, child_path(path, "when"), rule);
  } else {
    report(node.where, child_path(path, "when"),
           "missing required key 'when': a condition like \"error_rate > 1\" or \"status >= "
           "WARNING\"");
  }

  if (const ConfigNode* severity = node.find("severity")) {
    const std::string p = child_path(path, "severity");
    if (auto text = read_string(*severity, p)) {
      if (auto value = parse_severity(*text)) {
        rule.severity = *value;
      } else {
        report(severity->where, p,
               "unknown severity " + shown_value(*severity) +
                   " (allowed: " + join_names(kSeverities) + ")" +
                   (severity->from_environment ? std::string{} : did_you_mean(*text, kSeverities)));
      }
    }
  }

  if (const ConfigNode* for_node = node.find("for")) {
    rule.for_duration = read_duration(*for_node, child_path(path, "for"));
  }
  if (const ConfigNode* consecutive = node.find("consecutive")) {
    if (auto n = read_integer(*consecutive, child_path(path, "consecutive"), 1, kIntMax))
      rule.consecutive = static_cast<int>(*n);
  }
  if (const ConfigNode* budget = node.find("budget")) {
    if (auto n = read_integer(*budget, child_path(path, "budget"), 0, kIntMax))
      rule.budget = static_cast<int>(*n);
  }
  if (const ConfigNode* keep = node.find("keep_firing_for")) {
    if (auto value = read_duration(*keep, child_path(path, "keep_firing_for")))
      rule.keep_firing_for = *value;
  }
  if (const ConfigNode* recover = node.find("recover_after")) {
    if (auto n = read_integer(*recover, child_path(path, "recover_after"), 1, kIntMax))
      rule.recover_after = static_cast<int>(*n);
  }
  if (const ConfigNode* on_unknown = node.find("on_unknown")) {
    const std::string p = child_path(path, "on_unknown");
    if (auto text = read_string(*on_unknown, p)) {
      if (auto policy = parse_unknown_policy(*text)) {
        rule.on_unknown = *policy;
      } else {
        report(on_unknown->where, p,
               "unknown policy " + shown_value(*on_unknown) +
                   " for UNKNOWN results (allowed: " + join_names(kUnknownPolicies) + ")" +
                   (on_unknown->from_environment ? std::string{}
                                                 : did_you_mean(*text, kUnknownPolicies)));
      }
    }
  }
  if (const ConfigNode* flapping = node.find("flapping"))
    read_flapping(*flapping, child_path(path, "flapping"), rule);

  read_rule_labels(node, path, pipeline, check, rule);
  if (const ConfigNode* annotations = node.find("annotations"))
    rule.annotations = read_labels(*annotations, child_path(path, "annotations"));

  if (const ConfigNode* notify = node.find("notify"))
    rule.notify = read_action_list(*notify, child_path(path, "notify"));
  if (const ConfigNode* repeat = node.find("repeat_interval")) {
    if (auto value = read_duration(*repeat, child_path(path, "repeat_interval")))
      rule.repeat_interval = *value;
  }
  if (const ConfigNode* escalation = node.find("escalation"))
    read_escalation(*escalation, child_path(path, "escalation"), rule);

  rule.dry_run = check != nullptr && check->dry_run;
  if (const ConfigNode* dry_run = node.find("dry_run")) {
    if (auto value = read_bool(*dry_run, child_path(path, "dry_run")))
      rule.dry_run = rule.dry_run || *value;
  }
  return rule;
}

void AlertingReader::read_condition(const ConfigNode& node, const std::string& path,
                                    RuleConfig& rule) {
  auto text = read_string(node, path);
  if (!text)
    return;
  std::string error;
  auto condition = parse_rule_condition(*text, &error);
  if (!condition) {
    // The parser quotes the text; a substituted value must not reach a message.
    report(node.where, path,
           node.from_environment
               ? "expected a condition like \"error_rate > 1\" or \"status >= WARNING\", got " +
                     shown_value(node)
               : "invalid condition " + shown_value(node) + ": " + error);
    return;
  }
  rule.when = std::move(*condition);
}

void AlertingReader::read_flapping(const ConfigNode& node, const std::string& path,
                                   RuleConfig& rule) {
  if (!expect_map(node, path, "a map like {high: 30, low: 25} (percentages)"))
    return;
  check_keys(node, path, kFlappingKeys);
  const ConfigNode* high = node.find("high");
  const ConfigNode* low = node.find("low");
  std::optional<double> high_value;
  std::optional<double> low_value;
  if (high != nullptr)
    high_value = read_percent(*high, child_path(path, "high"));
  if (low != nullptr)
    low_value = read_percent(*low, child_path(path, "low"));
  const double new_high = high != nullptr ? high_value.value_or(rule.flap_high) : rule.flap_high;
  const double new_low = low != nullptr ? low_value.value_or(rule.flap_low) : rule.flap_low;
  if ((high != nullptr && !high_value) || (low != nullptr && !low_value))
    return;
  if (new_low >= new_high) {
    // Hysteresis needs a gap: the rule calms down below `low` and starts flapping above `high`.
    const ConfigNode* at = low != nullptr ? low : high;
    report(at->where, child_path(path, low != nullptr ? "low" : "high"),
           "low (" + format_percent(new_low) + "%) must be below high (" +
               format_percent(new_high) + "%)");
    return;
  }
  rule.flap_high = new_high;
  rule.flap_low = new_low;
}

void AlertingReader::read_rule_labels(const ConfigNode& node, const std::string& path,
                                      const PipelineConfig& pipeline, const CheckConfig* check,
                                      RuleConfig& rule) {
  // The check's labels already hold the pipeline's under its own.
  rule.labels = check != nullptr ? check->labels : pipeline.labels;
  if (const ConfigNode* labels = node.find("labels")) {
    const std::string labels_path = child_path(path, "labels");
    for (auto& [key, value] : read_labels(*labels, labels_path)) {
      if (std::find(kReservedLabels.begin(), kReservedLabels.end(), key) != kReservedLabels.end()) {
        report(labels->find_entry(key)->key_where, child_path(labels_path, key),
               "label '" + key + "' is set by vigil from the rule (" + join_names(kReservedLabels) +
                   ") and cannot be given here");
        continue;
      }
      rule.labels[key] = value;
    }
  }
  rule.labels["alertname"] = rule.name;
  rule.labels["severity"] = std::string(to_string(rule.severity));
  rule.labels["pipeline"] = rule.pipeline;
  rule.labels["check"] = rule.check;
}

void AlertingReader::read_escalation(const ConfigNode& node, const std::string& path,
                                     RuleConfig& rule) {
  if (node.is_null())
    return;
  if (!node.is_sequence()) {
    report(node.where, path,
           "expected a list of steps like \"- {after: 2m, run: [rollback]}\", got " +
               describe_node(node));
    return;
  }
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const ConfigNode& item = node.items[i];
    const std::string step_path = path + "[" + std::to_string(i) + "]";
    if (!item.is_map()) {
      report(item.where, step_path,
             "expected a step like {after: 2m, run: [rollback]}, got " + describe_node(item));
      continue;
    }
    check_keys(item, step_path, kEscalationKeys);
    EscalationStep step;
    step.where = item.where;
    bool ok = true;
    if (const ConfigNode* after = item.find("after")) {
      auto value = read_duration(*after, child_path(step_path, "after"));
      ok = value.has_value();
      step.after = value.value_or(milliseconds{0});
    } else {
      report(item.where, child_path(step_path, "after"),
             "missing required key 'after': how long the alert must have been firing, like 0s "
             "or 2m");
      ok = false;
    }
    if (const ConfigNode* run = item.find("run")) {
      step.actions = read_action_list(*run, child_path(step_path, "run"));
      if (step.actions.empty() && (run->is_null() || (run->is_sequence() && run->items.empty()))) {
        report(run->where, child_path(step_path, "run"),
               "an escalation step needs at least one action to run");
      }
    } else {
      report(item.where, child_path(step_path, "run"),
             "missing required key 'run': the actions this step runs, like [rollback]");
    }
    if (ok)
      rule.escalation.push_back(std::move(step));
  }
  std::stable_sort(
      rule.escalation.begin(), rule.escalation.end(),
      [](const EscalationStep& a, const EscalationStep& b) { return a.after < b.after; });
}

}  // namespace vigil::core
