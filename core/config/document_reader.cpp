#include "core/config/document_reader.hpp"

#include <algorithm>
#include <chrono>
#include <limits>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "core/config/alerting_reader.hpp"
#include "core/config/suggest.hpp"
#include "core/config/value_reader.hpp"
#include "core/model/condition.hpp"
#include "vigil/sdk/option_text.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

using std::chrono::milliseconds;
using Keys = std::vector<std::string_view>;

const Keys kRootKeys = {"vigil", "pipelines", "actions", "window"};
const Keys kGlobalKeys = {"plugin_dirs", "log", "max_concurrent_checks", "state_dir", "metrics"};
const Keys kMetricsKeys = {"listen", "textfile"};
const Keys kLogKeys = {"level", "file", "max_size", "max_files"};
const Keys kPipelineKeys = {"name",   "description", "labels", "defaults",
                            "checks", "rules",       "enabled"};
const Keys kDefaultsKeys = {"interval", "timeout", "dry_run", "preflight"};
const Keys kCheckKeys = {"name",    "plugin",  "description", "interval",
                         "timeout", "labels",  "options",     "thresholds",
                         "enabled", "isolate", "dry_run",     "preflight"};
const Keys kThresholdKeys = {"warning", "critical", "labels"};
const Keys kLogLevels = {"trace", "debug", "info", "warning", "error"};

// Below this a check would spend its life being scheduled; the seed protocol checks every 5m.
constexpr milliseconds kMinInterval{100};
constexpr milliseconds kDefaultInterval = std::chrono::minutes{5};
constexpr milliseconds kDefaultTimeout = std::chrono::seconds{30};
// Where an interval or timeout came from: messages say so, and a conflict between two values
// inherited from the pipeline defaults is reported once, at the defaults.
enum class Origin { Check, PipelineDefaults, BuiltIn };

struct TimingSetting {
  std::optional<milliseconds> value;  // nullopt when written but invalid (already reported)
  Origin origin = Origin::BuiltIn;
  const ConfigNode* node = nullptr;  // where it is written; nullptr for the built-in default
  std::string path;
};

struct PipelineDefaults {
  TimingSetting interval{kDefaultInterval, Origin::BuiltIn, nullptr, {}};
  TimingSetting timeout{kDefaultTimeout, Origin::BuiltIn, nullptr, {}};
  bool conflict_reported = false;
  bool dry_run = false;
  bool preflight = false;
};

class DocumentReader : public ValueReader {
 public:
  DocumentReader(std::vector<ConfigIssue>& issues, std::optional<std::filesystem::path> base_dir)
      : ValueReader(issues), base_dir_(std::move(base_dir)), alerting_(issues) {}

  void read(const ConfigNode& root, Config& config) {
    if (root.is_null()) {
      report(root.where, "",
             "the configuration is empty; it needs a 'pipelines' list (see docs/config.md)");
      return;
    }
    if (!root.is_map()) {
      report(root.where, "",
             "expected a map with 'pipelines' (and optionally 'vigil') at the top, got " +
                 describe_node(root));
      return;
    }
    check_keys(root, "", kRootKeys);
    if (const ConfigNode* global = root.find("vigil"))
      read_global(*global, "vigil", config.global);
    if (const ConfigNode::Entry* actions = root.find_entry("actions"))
      alerting_.read_actions(*actions, config);
    const ConfigNode::Entry* pipelines = root.find_entry("pipelines");
    if (pipelines == nullptr) {
      report(root.where, "pipelines",
             "missing required key 'pipelines': a list of pipelines, each with its checks");
    } else {
      read_pipelines(*pipelines, "pipelines", config);
    }
    if (const ConfigNode* window = root.find("window"))
      alerting_.read_window(*window, config);
    alerting_.check_action_references();
  }

 private:
  std::optional<std::filesystem::path> read_path(const ConfigNode& node, const std::string& path) {
    auto text = read_string(node, path);
    if (!text)
      return std::nullopt;
    if (text->empty()) {
      report(node.where, path, "expected a path, got an empty string");
      return std::nullopt;
    }
    std::filesystem::path p(*text);
    if (p.is_relative() && base_dir_)
      p = (*base_dir_ / p).lexically_normal();
    return p;
  }

  // --- the global section ---------------------------------------------------------------------

  void read_global(const ConfigNode& node, const std::string& path, GlobalConfig& global) {
    if (!expect_map(node, path, "a map of global settings"))
      return;
    check_keys(node, path, kGlobalKeys);
    if (const ConfigNode* dirs = node.find("plugin_dirs")) {
      const std::string dirs_path = child_path(path, "plugin_dirs");
      if (dirs->is_sequence()) {
        for (std::size_t i = 0; i < dirs->items.size(); ++i) {
          auto dir = read_path(dirs->items[i], dirs_path + "[" + std::to_string(i) + "]");
          if (dir)
            global.plugin_dirs.push_back(*dir);
        }
      } else if (dirs->is_scalar()) {  // one directory, as a list of one
        if (auto dir = read_path(*dirs, dirs_path))
          global.plugin_dirs.push_back(*dir);
      } else if (!dirs->is_null()) {
        report(dirs->where, dirs_path,
               "expected a list of directories, got " + describe_node(*dirs));
      }
    }
    if (const ConfigNode* log = node.find("log"))
      read_log(*log, child_path(path, "log"), global);
    if (const ConfigNode* workers = node.find("max_concurrent_checks")) {
      auto n = read_integer(*workers, child_path(path, "max_concurrent_checks"), 1,
                            std::numeric_limits<std::int64_t>::max());
      if (n)
        global.max_concurrent_checks = static_cast<std::size_t>(*n);
    }
    if (const ConfigNode* state = node.find("state_dir")) {
      global.state_dir = read_path(*state, child_path(path, "state_dir"));
    }
    if (const ConfigNode* metrics = node.find("metrics"))
      read_metrics(*metrics, child_path(path, "metrics"), global.metrics);
  }

  void read_metrics(const ConfigNode& node, const std::string& path, MetricsConfig& metrics) {
    if (!expect_map(node, path, "a map like {listen: \"127.0.0.1:28445\", textfile: PATH.prom}"))
      return;
    check_keys(node, path, kMetricsKeys);
    if (const ConfigNode* listen = node.find("listen")) {
      const std::string listen_path = child_path(path, "listen");
      if (auto text = read_string(*listen, listen_path)) {
        std::string error;
        if (*text == "off" || *text == "false") {
          metrics.listen.reset();
        } else if (auto address = parse_listen_address(*text, &error)) {
          metrics.listen = *address;
        } else {
          report(listen->where, listen_path, error);
        }
      }
    }
    if (const ConfigNode* textfile = node.find("textfile")) {
      const std::string textfile_path = child_path(path, "textfile");
      if (auto file = read_path(*textfile, textfile_path)) {
        // node_exporter reads *.prom only: any other name would be written and never seen.
        if (file->extension() == ".prom")
          metrics.textfile = *file;
        else
          report(textfile->where, textfile_path,
                 "node_exporter's textfile collector reads only *.prom files, got \"" +
                     file->string() + "\"");
      }
    }
  }

  void read_log(const ConfigNode& node, const std::string& path, GlobalConfig& global) {
    if (!expect_map(node, path, "a map like {level: info, file: /var/log/vigil/vigil.log}"))
      return;
    check_keys(node, path, kLogKeys);
    if (const ConfigNode* level = node.find("level")) {
      const std::string level_path = child_path(path, "level");
      if (auto text = read_string(*level, level_path)) {
        bool known = false;
        for (std::string_view l : kLogLevels)
          known = known || l == *text;
        if (known) {
          global.log_level = *text;
        } else {
          report(level->where, level_path,
                 "unknown log level " + shown_value(*level) +
                     " (allowed: " + join_names(kLogLevels) + ")" +
                     (level->from_environment ? std::string{} : did_you_mean(*text, kLogLevels)));
        }
      }
    }
    if (const ConfigNode* file = node.find("file")) {
      global.log_file = read_path(*file, child_path(path, "file"));
    }
    if (const ConfigNode* size = node.find("max_size")) {
      const std::string size_path = child_path(path, "max_size");
      auto bytes =
          read_typed<std::uint64_t>(*size, size_path, sdk::OptionType::Size, sdk::parse_size);
      if (bytes && *bytes == 0) {
        report(size->where, size_path, "must be larger than 0");
      } else if (bytes) {
        global.log_max_size = *bytes;
      }
    }
    if (const ConfigNode* files = node.find("max_files")) {
      auto n =
          read_integer(*files, child_path(path, "max_files"), 1, std::numeric_limits<int>::max());
      if (n)
        global.log_max_files = static_cast<int>(*n);
    }
  }

  // --- pipelines ------------------------------------------------------------------------------

  void read_pipelines(const ConfigNode::Entry& entry, const std::string& path, Config& config) {
    const ConfigNode& node = entry.value;
    // An empty list has no item to point at, and a list emptied by `enabled: false` not even a
    // bracket: the key is where the fix goes.
    if (node.is_null() || (node.is_sequence() && node.items.empty())) {
      report(entry.key_where, path,
             node.disabled_items > 0
                 ? "no enabled pipelines: every pipeline is disabled with 'enabled: false'"
                 : "no pipelines: the list needs at least one pipeline with checks");
      return;
    }
    if (!node.is_sequence()) {
      report(node.where, path,
             "expected a list of pipelines (\"- name: ...\" entries), got " + describe_node(node));
      return;
    }
    std::map<std::string, SourceLocation> names;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const ConfigNode& item = node.items[i];
      PipelineConfig pipeline;
      if (read_pipeline(item, item_path(path, item, i), names, pipeline, config)) {
        config.pipelines.push_back(std::move(pipeline));
      }
    }
  }

  bool read_pipeline(const ConfigNode& node, const std::string& path,
                     std::map<std::string, SourceLocation>& names, PipelineConfig& pipeline,
                     Config& config) {
    if (!node.is_map()) {
      report(node.where, path,
             "expected a pipeline (a map with name and checks), got " + describe_node(node));
      return false;
    }
    check_keys(node, path, kPipelineKeys);
    pipeline.where = node.where;
    if (auto name = read_name(node, path, "pipeline", names))
      pipeline.name = *name;
    if (const ConfigNode* description = node.find("description")) {
      if (auto text = read_string(*description, child_path(path, "description"))) {
        pipeline.description = *text;
      }
    }
    if (const ConfigNode* labels = node.find("labels")) {
      pipeline.labels = read_labels(*labels, child_path(path, "labels"));
    }
    PipelineDefaults defaults;
    if (const ConfigNode* node_defaults = node.find("defaults")) {
      read_defaults(*node_defaults, child_path(path, "defaults"), defaults);
    }
    const ConfigNode::Entry* checks_entry = node.find_entry("checks");
    const std::string checks_path = child_path(path, "checks");
    if (checks_entry == nullptr) {
      report(node.where, checks_path, "missing required key 'checks': a pipeline needs checks");
      return true;
    }
    const ConfigNode* checks = &checks_entry->value;
    if (checks->is_null() || (checks->is_sequence() && checks->items.empty())) {
      report(checks_entry->key_where, checks_path,
             checks->disabled_items > 0
                 ? "no enabled checks: all " + std::to_string(checks->disabled_items) +
                       " are disabled with 'enabled: false' (disable the pipeline instead)"
                 : std::string("no checks: a pipeline needs at least one"));
      return true;
    }
    if (!checks->is_sequence()) {
      report(checks->where, checks_path,
             "expected a list of checks (\"- name: ...\" entries), got " + describe_node(*checks));
      return true;
    }
    std::map<std::string, SourceLocation> check_names;
    for (std::size_t i = 0; i < checks->items.size(); ++i) {
      const ConfigNode& item = checks->items[i];
      CheckConfig check;
      if (read_check(item, item_path(checks_path, item, i), pipeline, defaults, check_names,
                     check)) {
        pipeline.checks.push_back(std::move(check));
      }
    }
    if (const ConfigNode::Entry* rules = node.find_entry("rules"))
      alerting_.read_rules(*rules, child_path(path, "rules"), pipeline, config);
    return true;
  }

  std::optional<milliseconds> read_interval(const ConfigNode& node, const std::string& path) {
    auto interval = read_duration(node, path);
    if (interval && *interval < kMinInterval) {
      report(node.where, path,
             "interval " + shown(&node, sdk::format_duration(*interval)) +
                 " is below the minimum of " + sdk::format_duration(kMinInterval));
      return std::nullopt;
    }
    return interval;
  }

  std::optional<milliseconds> read_timeout(const ConfigNode& node, const std::string& path) {
    auto timeout = read_duration(node, path);
    if (timeout && timeout->count() <= 0) {
      report(node.where, path, "timeout must be longer than 0");
      return std::nullopt;
    }
    return timeout;
  }

  void read_defaults(const ConfigNode& node, const std::string& path, PipelineDefaults& defaults) {
    if (!expect_map(node, path, "a map like {interval: 5m, timeout: 30s}"))
      return;
    check_keys(node, path, kDefaultsKeys);
    if (const ConfigNode* interval = node.find("interval")) {
      const std::string p = child_path(path, "interval");
      defaults.interval = {read_interval(*interval, p), Origin::PipelineDefaults, interval, p};
    }
    if (const ConfigNode* timeout = node.find("timeout")) {
      const std::string p = child_path(path, "timeout");
      defaults.timeout = {read_timeout(*timeout, p), Origin::PipelineDefaults, timeout, p};
    }
    if (const ConfigNode* dry_run = node.find("dry_run")) {
      if (auto value = read_bool(*dry_run, child_path(path, "dry_run")))
        defaults.dry_run = *value;
    }
    if (const ConfigNode* preflight = node.find("preflight")) {
      if (auto value = read_bool(*preflight, child_path(path, "preflight")))
        defaults.preflight = *value;
    }
  }

  static std::string origin_note(const TimingSetting& s) {
    switch (s.origin) {
      case Origin::Check:
        return "";
      case Origin::PipelineDefaults:
        return " (from the pipeline defaults)";
      case Origin::BuiltIn:
        return " (the built-in default)";
    }
    return "";
  }

  // A run must end before the next is due. The issue goes where the conflict can be fixed: the
  // check's own setting, or the pipeline defaults when the check inherits both values.
  void check_timeout_fits(const TimingSetting& interval, const TimingSetting& timeout,
                          const CheckConfig& check, PipelineDefaults& defaults) {
    if (!interval.value || !timeout.value || *timeout.value <= *interval.value)
      return;
    const TimingSetting* at = nullptr;
    if (timeout.origin == Origin::Check) {
      at = &timeout;
    } else if (interval.origin == Origin::Check) {
      at = &interval;
    } else {
      if (defaults.conflict_reported)
        return;
      defaults.conflict_reported = true;
      at = timeout.origin == Origin::PipelineDefaults ? &timeout : &interval;
    }
    const SourceLocation where = at->node != nullptr ? at->node->where : check.where;
    report(where, at->path.empty() ? check.path : at->path,
           "timeout " + shown(timeout.node, sdk::format_duration(*timeout.value)) +
               origin_note(timeout) + " exceeds the interval " +
               shown(interval.node, sdk::format_duration(*interval.value)) + origin_note(interval) +
               "; a run must end before the next one is due");
  }

  // --- checks ---------------------------------------------------------------------------------

  bool read_check(const ConfigNode& node, const std::string& path, const PipelineConfig& pipeline,
                  PipelineDefaults& defaults, std::map<std::string, SourceLocation>& names,
                  CheckConfig& check) {
    if (!node.is_map()) {
      report(node.where, path,
             "expected a check (a map with name and plugin), got " + describe_node(node));
      return false;
    }
    check_keys(node, path, kCheckKeys);
    check.where = node.where;
    check.path = path;
    check.pipeline = pipeline.name;
    if (auto name = read_name(node, path, "check", names))
      check.name = *name;

    const std::string plugin_path = child_path(path, "plugin");
    if (const ConfigNode* plugin = node.find("plugin")) {
      check.plugin_where = plugin->where;
      if (auto text = read_string(*plugin, plugin_path)) {
        if (text->empty()) {
          report(plugin->where, plugin_path, "the check type must not be empty");
        } else {
          check.plugin = *text;
        }
      }
    } else {
      report(node.where, plugin_path,
             "missing required key 'plugin': the check type to run, such as exec (`vigil "
             "plugins` lists them)");
    }
    if (const ConfigNode* description = node.find("description")) {
      if (auto text = read_string(*description, child_path(path, "description"))) {
        check.description = *text;
      }
    }

    TimingSetting interval = defaults.interval;
    if (const ConfigNode* n = node.find("interval")) {
      const std::string p = child_path(path, "interval");
      interval = {read_interval(*n, p), Origin::Check, n, p};
    }
    TimingSetting timeout = defaults.timeout;
    if (const ConfigNode* n = node.find("timeout")) {
      const std::string p = child_path(path, "timeout");
      timeout = {read_timeout(*n, p), Origin::Check, n, p};
    }
    check.interval = interval.value.value_or(kDefaultInterval);
    check.timeout = timeout.value.value_or(kDefaultTimeout);
    check_timeout_fits(interval, timeout, check, defaults);

    check.labels = pipeline.labels;
    if (const ConfigNode* labels = node.find("labels")) {
      for (auto& [k, v] : read_labels(*labels, child_path(path, "labels")))
        check.labels[k] = v;
    }
    if (const ConfigNode* thresholds = node.find("thresholds")) {
      check.thresholds = read_thresholds(*thresholds, child_path(path, "thresholds"));
    }

    if (const ConfigNode* isolate = node.find("isolate")) {
      if (auto value = read_bool(*isolate, child_path(path, "isolate")))
        check.isolate = *value;
    }
    check.dry_run = defaults.dry_run;
    if (const ConfigNode* dry_run = node.find("dry_run")) {
      if (auto value = read_bool(*dry_run, child_path(path, "dry_run")))
        check.dry_run = *value;
    }
    check.preflight = defaults.preflight;
    if (const ConfigNode* preflight = node.find("preflight")) {
      if (auto value = read_bool(*preflight, child_path(path, "preflight")))
        check.preflight = *value;
    }

    check.options_where = node.where;
    if (const ConfigNode::Entry* options = node.find_entry("options")) {
      check.options_where = options->key_where;
      if (expect_map(options->value, child_path(path, "options"),
                     "a map of option names to values") &&
          options->value.is_map()) {
        check.raw_options = std::make_shared<const ConfigNode>(options->value);
      }
    }
    return true;
  }

  std::optional<Condition> read_condition(const ConfigNode& node, const std::string& path) {
    auto text = scalar_text(node, path, sdk::OptionType::String);
    if (!text)
      return std::nullopt;
    std::string error;
    auto condition = Condition::parse(*text, &error);
    if (!condition) {
      report(node.where, path,
             node.from_environment
                 ? "expected a condition like \"< 95\", \"> 0.5\" or a Nagios range like "
                   "\"10:20\", got " +
                       shown_value(node)
                 : error);
    }
    return condition;
  }

  Thresholds read_thresholds(const ConfigNode& node, const std::string& path) {
    Thresholds thresholds;
    if (!expect_map(node, path,
                    "a map of metric names to conditions, like "
                    "{pass_rate: {warning: \"< 98\", critical: \"< 95\"}}")) {
      return thresholds;
    }
    for (const auto& entry : node.entries) {
      const std::string metric_path = child_path(path, entry.key);
      const ConfigNode& bounds = entry.value;
      if (!bounds.is_map()) {
        report(bounds.where, metric_path,
               "expected a map with a warning and/or critical condition, like {warning: \"< 98\", "
               "critical: \"< 95\"}, got " +
                   describe_node(bounds));
        continue;
      }
      check_keys(bounds, metric_path, kThresholdKeys);
      MetricThreshold threshold;
      threshold.metric = entry.key;
      const ConfigNode* warning = bounds.find("warning");
      const ConfigNode* critical = bounds.find("critical");
      if (warning != nullptr)
        threshold.warning = read_condition(*warning, child_path(metric_path, "warning"));
      if (critical != nullptr) {
        threshold.critical = read_condition(*critical, child_path(metric_path, "critical"));
      }
      if (const ConfigNode* labels = bounds.find("labels")) {
        threshold.match = read_labels(*labels, child_path(metric_path, "labels"));
      }
      if (warning == nullptr && critical == nullptr) {
        report(bounds.where, metric_path,
               "the threshold for '" + entry.key + "' needs a warning or a critical condition");
      }
      if (threshold.warning || threshold.critical)
        thresholds.add(std::move(threshold));
    }
    return thresholds;
  }

  std::optional<std::filesystem::path> base_dir_;
  AlertingReader alerting_;
};

// Keeps the items of `list` that are not disabled, calling `descend` on each kept item. Returns
// the names of the items removed.
template <class Descend>
std::vector<std::string> keep_enabled(ConfigNode& list, const std::string& path,
                                      Interpolator& interpolator, std::vector<ConfigIssue>& issues,
                                      Descend descend) {
  std::vector<std::string> removed;
  std::vector<ConfigNode> kept;
  for (std::size_t i = 0; i < list.items.size(); ++i) {
    ConfigNode& item = list.items[i];
    const std::string entry_path = item_path(path, item, i);
    bool enabled = true;
    if (ConfigNode* flag = item.is_map() ? item.find("enabled") : nullptr) {
      const std::string flag_path = child_path(entry_path, "enabled");
      if (interpolator.substitute(*flag, flag_path)) {
        std::optional<bool> value;
        if (flag->is_scalar())
          value = sdk::parse_bool(flag->text);
        if (value) {
          enabled = *value;
        } else {
          issues.push_back(
              {flag->where, flag_path, "expected true or false, got " + describe_node(*flag)});
        }
      }
    }
    if (!enabled) {
      ++list.disabled_items;
      const ConfigNode* name = item.find("name");
      if (name != nullptr && name->is_scalar())
        removed.push_back(name->text);
      continue;
    }
    descend(item, entry_path);
    kept.push_back(std::move(item));
  }
  list.items = std::move(kept);
  return removed;
}

// A rule of a disabled check goes with it: it could never fire, and naming the check would
// otherwise be an error in every environment that switches the check off.
void drop_rules_of(ConfigNode& rules, const std::vector<std::string>& disabled_checks) {
  if (disabled_checks.empty())
    return;
  auto judges_disabled = [&](const ConfigNode& rule) {
    const ConfigNode* check = rule.is_map() ? rule.find("check") : nullptr;
    return check != nullptr && check->is_scalar() &&
           std::find(disabled_checks.begin(), disabled_checks.end(), check->text) !=
               disabled_checks.end();
  };
  rules.items.erase(std::remove_if(rules.items.begin(), rules.items.end(), judges_disabled),
                    rules.items.end());
}

}  // namespace

void drop_disabled(ConfigNode& root, Interpolator& interpolator, std::vector<ConfigIssue>& issues) {
  ConfigNode* pipelines = root.is_map() ? root.find("pipelines") : nullptr;
  if (pipelines == nullptr || !pipelines->is_sequence())
    return;
  keep_enabled(*pipelines, "pipelines", interpolator, issues,
               [&](ConfigNode& pipeline, const std::string& pipeline_path) {
                 if (!pipeline.is_map())
                   return;
                 std::vector<std::string> disabled_checks;
                 ConfigNode* checks = pipeline.find("checks");
                 if (checks != nullptr && checks->is_sequence()) {
                   disabled_checks =
                       keep_enabled(*checks, child_path(pipeline_path, "checks"), interpolator,
                                    issues, [](ConfigNode&, const std::string&) {});
                 }
                 ConfigNode* rules = pipeline.find("rules");
                 if (rules != nullptr && rules->is_sequence()) {
                   drop_rules_of(*rules, disabled_checks);
                   keep_enabled(*rules, child_path(pipeline_path, "rules"), interpolator, issues,
                                [](ConfigNode&, const std::string&) {});
                 }
               });
}

void read_document(const ConfigNode& root, const std::optional<std::filesystem::path>& base_dir,
                   Config& config, std::vector<ConfigIssue>& issues) {
  DocumentReader(issues, base_dir).read(root, config);
}

}  // namespace vigil::core
