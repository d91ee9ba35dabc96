#pragma once
// The configuration: a YAML file plus an optional environment overlay, read in two phases.
//
//   load_file()  reads the file and the overlay, merges them, substitutes ${VAR}s, and checks
//                the structure and every key the host owns (names, durations, labels,
//                thresholds, the global section).
//   resolve()    runs once plugins are loaded: checks each check's and each action's type exists
//                and validates its `options` against the type's declared schema, applying
//                defaults.
//
// Neither phase stops at the first problem: every issue is collected with the file, line and
// column of the node at fault, in the manner of `promtool check config`. The format is
// documented in docs/config.md.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/metrics/listen_address.hpp"
#include "core/model/thresholds.hpp"
#include "vigil/sdk/options.hpp"
#include "vigil/sdk/plugin.hpp"
#include "vigil/sdk/result.hpp"

namespace vigil::core {

// A place in a configuration file. Line and column are 1-based; line 0 means the file as a whole
// (it could not be read, or it is empty).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  // "configs/vigil.yaml:14:12", or just the file when line is 0.
  std::string to_string() const;
};

struct ConfigIssue {
  SourceLocation where;
  std::string path;     // "pipelines[genesis].checks[api-health].options.timeout"; may be empty
  std::string message;  // "expected a duration like 250ms, 30s, 5m or 48h, got \"ten\""
  // "<where>: <path>: <message>", always one line.
  std::string to_string() const;
};

// The loader's own tree of YAML nodes, each remembering the file it came from (config_node.hpp).
// Declared here only so that a CheckConfig can carry its raw options from load to resolve
// without yaml-cpp types reaching this header.
struct ConfigNode;

struct CheckConfig {
  std::string name;
  std::string plugin;
  std::string pipeline;
  std::string description;
  std::chrono::milliseconds interval{0};
  std::chrono::milliseconds timeout{0};
  sdk::Labels labels;     // the pipeline's labels, overridden by the check's own
  Thresholds thresholds;  // core/model/thresholds.hpp
  sdk::Options options;   // typed, validated, defaults applied: filled by ConfigLoader::resolve
  SourceLocation where;   // the check's entry
  // Option name -> location of its value, for errors a plugin's constructor raises later.
  std::map<std::string, SourceLocation> option_locations;
  // Run the plugin in a child process (`vigil run` re-executes itself for this one check), so
  // a plugin that crashes or hangs beyond recall cannot take the host down with it.
  bool isolate = false;
  // Shadow check: runs, is recorded and reported, but never fires a rule's actions or counts
  // towards the verdict. How a team trials a new check during a real deployment.
  bool dry_run = false;
  // Runs once before the watch starts (the seed's pre-deployment checklist): a CRITICAL or
  // UNKNOWN result aborts `vigil run`. The check is then watched like any other.
  bool preflight = false;

  std::string path;  // "pipelines[genesis].checks[api-health]", the prefix of its issues
  // Kept between load and resolve: the `options` map as merged and interpolated (null when the
  // check has none), and where to point errors about the plugin and missing options.
  std::shared_ptr<const ConfigNode> raw_options;
  SourceLocation plugin_where;   // the `plugin` value
  SourceLocation options_where;  // the `options` key, or the check's entry when there is none
};

enum class Severity { Critical, Warning, Info };
std::string_view to_string(Severity s) noexcept;

// What a rule tests on each result of its check: the judged status or one metric.
//   "status == CRITICAL", "status >= WARNING", "status != OK"
//   "pass_rate < 95", "p95 > 0.5", "error_rate >= 1"
struct RuleCondition {
  enum class Subject { Status, Metric };
  enum class Op { Less, LessEqual, Greater, GreaterEqual, Equal, NotEqual };
  Subject subject = Subject::Status;
  std::string metric;  // Subject::Metric only
  Op op = Op::GreaterEqual;
  double value = 2;  // the bound; for Subject::Status the status as 0..3
  std::string text;  // as written, for logs and reports
};

// How an UNKNOWN result (or a result without the rule's metric) counts for a rule.
//   hold:    leaves the rule as it is: a pending alert stays pending, its `for` timer keeps
//            running, consecutive counts neither grow nor reset (the default)
//   failing: counts as a failing evaluation
//   reset:   counts as a passing evaluation
enum class UnknownPolicy { Hold, Failing, Reset };

// One rung of a rule's escalation ladder: once the alert has been firing for `after`, run
// `actions` (names from Config::actions), once per firing episode, in order.
struct EscalationStep {
  std::chrono::milliseconds after{0};
  std::vector<std::string> actions;
  SourceLocation where;
};

struct RuleConfig {
  std::string name;      // unique across the configuration: the alert's name
  std::string pipeline;  // the pipeline it is written in
  std::string check;     // a check of the same pipeline
  RuleCondition when;
  Severity severity = Severity::Warning;
  // "Long enough". Each one given must hold for the rule to fire; `budget` alone fires when
  // the failing evaluations in the window exceed it. None given: fires on the first failure.
  std::optional<std::chrono::milliseconds> for_duration;  // `for: 5m`
  std::optional<int> consecutive;                         // `consecutive: 3`
  std::optional<int> budget;                              // `budget: 5`
  // Recovery hysteresis: resolves after `recover_after` consecutive passing evaluations and,
  // when keep_firing_for is set, only once the condition has stayed clear that long.
  std::chrono::milliseconds keep_firing_for{0};
  int recover_after = 1;
  UnknownPolicy on_unknown = UnknownPolicy::Hold;
  // Flap detection in Icinga's manner over the last 20 evaluations: weighted share of
  // pass/fail changes, flapping above `flap_high` percent, calm again below `flap_low`.
  double flap_high = 30;
  double flap_low = 25;
  sdk::Labels labels;               // pipeline's, then check's, then the rule's own; plus alertname
                                    // (the rule name), severity, pipeline and check
  sdk::Labels annotations;          // summary, description, response ("immediate", "1 hour", ...)
  std::vector<std::string> notify;  // actions told of firing, reminders, resolved
  std::chrono::milliseconds repeat_interval{0};  // reminders while firing; 0 = none
  std::vector<EscalationStep> escalation;
  bool dry_run = false;  // the check's dry_run, or the rule's own
  SourceLocation where;
  std::string path;  // "pipelines[genesis].rules[error-rate-critical]"
};

// A named action instance: a notifier (an action type from a plugin: webhook, pagerduty,
// alertmanager) or one of the host's own types (command, rollback, incident_bundle), which the
// host validates through the same schema mechanism.
struct ActionConfig {
  std::string name;
  std::string plugin;  // action type name
  std::chrono::milliseconds timeout{30000};
  int retries = 3;                                // further attempts after a failure
  std::chrono::milliseconds retry_backoff{2000};  // doubles per attempt
  sdk::Options options;  // validated, defaults applied: filled by ConfigLoader::resolve
  std::map<std::string, SourceLocation> option_locations;
  SourceLocation where;
  std::string path;  // "actions[slack]"
  std::shared_ptr<const ConfigNode> raw_options;
  SourceLocation plugin_where;
  SourceLocation options_where;
};

// The observation window: how long vigil watches after a deployment, and what it does with
// the verdict. Absent: vigil watches until stopped and never concludes.
struct WindowConfig {
  std::chrono::milliseconds duration{0};  // `duration: 48h`
  std::string deployment;                 // an id ("${DEPLOY_ID}"); labels alerts, scopes silences
  // Verdict mapping (docs/config.md): a firing rule of `fail_on` severity (not dry run) ->
  // Failed; otherwise more than max_unknown_ratio UNKNOWN results, or a flapping rule when
  // flapping_is_inconclusive -> Inconclusive; otherwise Successful.
  Severity fail_on = Severity::Critical;
  double max_unknown_ratio = 0.1;
  bool flapping_is_inconclusive = true;
  std::vector<std::string> on_start;                    // actions run when the window opens
  std::vector<std::string> on_success;                  // e.g. promote: feature flag to 100%
  std::vector<std::string> on_failure;                  // e.g. rollback
  std::vector<std::string> on_inconclusive;             // e.g. ask a human
  std::chrono::milliseconds extend_on_inconclusive{0};  // the seed's extra 24 hours; 0 = none
  int max_extensions = 1;
  // Results, transitions and actions older than this are pruned; 0 = duration + 24h.
  std::chrono::milliseconds retention{0};
  SourceLocation where;
};

struct PipelineConfig {
  std::string name;
  std::string description;
  sdk::Labels labels;
  std::vector<CheckConfig> checks;  // enabled checks only, in file order
  SourceLocation where;
};

// `vigil.metrics`: vigil's own state for Prometheus (docs/operations.md, "Metrics for
// Prometheus"). 28445 is outside the Prometheus exporters' default-port allocations.
struct MetricsConfig {
  static constexpr std::uint16_t kDefaultPort = 28445;
  std::optional<ListenAddress> listen = ListenAddress{"127.0.0.1", kDefaultPort};  // nullopt: off
  std::optional<std::filesystem::path> textfile;  // for node_exporter's textfile collector
};

struct GlobalConfig {
  // Relative paths (here, in log_file and in state_dir) are resolved against the directory of
  // the base configuration file, including when an overlay wrote them.
  std::vector<std::filesystem::path> plugin_dirs;
  std::string log_level = "info";  // trace|debug|info|warning|error
  std::optional<std::filesystem::path> log_file;
  std::uint64_t log_max_size = std::uint64_t{10} * 1024 * 1024;
  int log_max_files = 5;
  std::size_t max_concurrent_checks = 16;
  std::optional<std::filesystem::path> state_dir;
  MetricsConfig metrics;
};

struct Config {
  GlobalConfig global;
  std::vector<PipelineConfig> pipelines;  // enabled pipelines only, in file order
  std::vector<RuleConfig> rules;          // every pipeline's rules, in file order
  std::vector<ActionConfig> actions;      // top-level `actions:`, in file order
  std::optional<WindowConfig> window;
  // Every value substituted from ${VAR}, and every value of an option its plugin declares
  // secret, so logs can redact them. Longest first, so that redacting a secret that contains
  // another never leaves part of it behind.
  std::vector<std::string> secrets;
  std::vector<std::string> sources;  // files read, in order: base, conf.d/*, overlay
  // Where a relative `<option>_file` path points into: $CREDENTIALS_DIRECTORY when systemd set
  // it (LoadCredential=), else the base file's directory; unset for a config without a file.
  std::optional<std::filesystem::path> secret_files_dir;
  std::optional<std::string> environment;  // the overlay applied, if any
};

struct ConfigLoadOptions {
  // Overlay name: reads environments/<env>.yaml beside the base file. The CLI passes --env or
  // $VIGIL_ENV.
  std::optional<std::string> env;
  // Looks up ${VAR}s; ::getenv when empty. Tests inject their own.
  std::function<std::optional<std::string>(std::string_view)> getenv;
};

struct ConfigLoadResult {
  Config config;
  std::vector<ConfigIssue> issues;  // sorted by file (in `sources` order), line, column
  // Worth saying but no reason to refuse the config (a secret file others can read).
  std::vector<ConfigIssue> warnings;
  bool ok() const { return issues.empty(); }
};

// Finds a check or action type by name among the loaded plugins; nullptr when none has it.
using SchemaLookup = std::function<const sdk::TypeInfo*(std::string_view plugin)>;

class ConfigLoader {
 public:
  // Phase 1: read the file, conf.d/*.yaml beside it and the overlay, interpolate, check
  // structure and every host-owned key.
  static ConfigLoadResult load_file(const std::filesystem::path& file,
                                    const ConfigLoadOptions& opts);

  // Phase 1 from text (the embedded default config, tests). Without a base_dir there is no
  // directory to find environments/ in, so asking for an overlay is an error, and relative
  // paths stay relative to the working directory.
  static ConfigLoadResult load_string(std::string_view yaml, const std::string& display_name,
                                      const ConfigLoadOptions& opts);
  static ConfigLoadResult load_string(std::string_view yaml, const std::string& display_name,
                                      const ConfigLoadOptions& opts,
                                      const std::filesystem::path& base_dir);

  // Phase 2, once plugins are loaded: checks that each check's plugin exists and is a check
  // type, and each action's an action type, validates its options against TypeInfo::options
  // (unknown keys, types, list elements, map values, required options), applies defaults, and
  // fills CheckConfig/ActionConfig::options and option_locations. Appends to result.issues and
  // keeps them sorted.
  static void resolve(ConfigLoadResult& result, const SchemaLookup& lookup);
};

}  // namespace vigil::core
