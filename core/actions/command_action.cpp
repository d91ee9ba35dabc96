#include "core/actions/command_action.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>
#include <sstream>

#include "vigil/sdk/plugin.hpp"
#include "vigil/sdk/subprocess.hpp"
#include "vigil/sdk/units.hpp"

namespace vigil::core {

namespace {

constexpr std::size_t kMaxOutput = std::size_t{64} * 1024;
constexpr std::size_t kOutputLinesInMessage = 3;

std::string last_lines(const std::string& text, std::size_t n) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty())
      lines.push_back(line);
  }
  std::string out;
  const std::size_t first = lines.size() > n ? lines.size() - n : 0;
  for (std::size_t i = first; i < lines.size(); ++i)
    out += (out.empty() ? "" : " | ") + lines[i];
  return out;
}

// The options both program-running types share.
void declare_command_options(sdk::TypeBuilder& b) {
  b.required_list("command", sdk::OptionType::String,
                  "The program and its arguments (argv; no shell unless shell: true)")
      .optional("shell", sdk::OptionType::Bool, "false",
                "Run `command`'s single element with /bin/sh -c (needed for pipes, globs)")
      .optional("cwd", sdk::OptionType::String, {}, "Working directory")
      .map("env", sdk::OptionType::String,
           "Environment variables to set, on top of vigil's own and the VIGIL_* event variables");
}

// incident_bundle's runner is the host's; this adapter lets the caller supply it late.
class FunctionActionFactory final : public sdk::ActionFactory {
 public:
  FunctionActionFactory(sdk::TypeInfo info, ActionRunnerFactory make)
      : info_(std::move(info)), make_(std::move(make)) {}
  const sdk::TypeInfo& info() const noexcept override { return info_; }
  sdk::Created<sdk::ActionRunner> create(const sdk::Options& options) const noexcept override {
    sdk::Created<sdk::ActionRunner> out;
    try {
      if (!make_)
        throw std::runtime_error("incident bundles can only be written by `vigil run`");
      out.instance = std::make_unique<sdk::detail::ActionAdapter<sdk::Action>>(make_(options));
    } catch (const sdk::ConfigError& e) {
      out.error_option = e.option();
      out.error = e.what();
    } catch (...) {
      out.error = sdk::detail::describe_exception(std::current_exception());
    }
    return out;
  }

 private:
  sdk::TypeInfo info_;
  ActionRunnerFactory make_;
};

}  // namespace

CommandAction::CommandAction(const sdk::Options& options)
    : command_(options.strings("command")), shell_(options.has("shell") && options.flag("shell")) {
  if (command_.empty() || command_.front().empty())
    throw sdk::ConfigError("command", "command must name a program");
  if (shell_ && command_.size() != 1) {
    throw sdk::ConfigError("command",
                           "with shell: true, command must be one string (the shell script)");
  }
  if (options.has("env"))
    env_ = options.string_map("env");
  for (const auto& [name, value] : env_) {
    if (name.empty() || name.find('=') != std::string::npos)
      throw sdk::ConfigError("env", "env variable name \"" + name + "\" is not valid");
  }
  cwd_ = options.find_string("cwd");
}

sdk::ActionOutcome CommandAction::execute(const sdk::Event& event, sdk::Context& ctx) {
  const auto budget = ctx.remaining();
  if (budget <= std::chrono::milliseconds::zero())
    return sdk::ActionOutcome::failure("not started: no time left before the action's deadline");
  if (cwd_) {
    struct stat st {};
    if (::stat(cwd_->c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      return sdk::ActionOutcome::failure("cwd " + *cwd_ + ": " +
                                         (errno != 0 ? std::strerror(errno) : "not a directory"));
    }
  }
  std::map<std::string, std::string> env = env_;
  env["VIGIL_EVENT"] = event.kind;
  env["VIGIL_RULE"] = event.rule;
  env["VIGIL_CHECK"] = event.check;
  env["VIGIL_SEVERITY"] = event.severity;
  env["VIGIL_SUMMARY"] = event.summary;
  env["VIGIL_DEPLOYMENT"] = event.deployment;

  sdk::ProcessSpec spec;
  spec.environment = sdk::merged_environment(env);
  spec.cwd = cwd_;
  spec.max_stdout = kMaxOutput;
  spec.merge_stderr = true;
  spec.keep_tail = true;  // the end of a long script's output says how it ended
  std::string display;
  if (shell_) {
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", command_.front()};
    display = "sh -c";
  } else {
    const auto lookup =
        sdk::find_program(command_.front(), sdk::find_variable(spec.environment, "PATH"));
    if (lookup.path.empty()) {
      return sdk::ActionOutcome::failure(
          command_.front() + ": " +
          (lookup.error == ENOENT ? "command not found in PATH" : std::strerror(lookup.error)));
    }
    spec.program = lookup.path;
    spec.argv = command_;
    const auto slash = command_.front().rfind('/');
    display = slash == std::string::npos ? command_.front() : command_.front().substr(slash + 1);
  }
  const auto deadline = std::chrono::steady_clock::now() + budget;
  const sdk::ProcessOutcome outcome =
      sdk::run_process(spec, deadline, [&ctx] { return ctx.stop_requested(); });
  {
    std::istringstream in(outcome.out.text);
    for (std::string line; std::getline(in, line);)
      ctx.log().info(display + ": " + line);
  }
  const std::string tail = last_lines(outcome.out.text, kOutputLinesInMessage);
  const std::string with_tail = tail.empty() ? "" : ": " + tail;
  switch (outcome.end) {
    case sdk::ProcessEnd::SpawnFailed:
      return sdk::ActionOutcome::failure(spec.program + ": " + std::strerror(outcome.spawn_error));
    case sdk::ProcessEnd::TimedOut:
      return sdk::ActionOutcome::failure(display + " timed out after " +
                                         sdk::format_duration(budget) + with_tail);
    case sdk::ProcessEnd::Cancelled:
      return sdk::ActionOutcome::failure(display + " stopped: vigil is shutting down" + with_tail);
    case sdk::ProcessEnd::Lost:
      return sdk::ActionOutcome::failure(display + ": exit status lost");
    case sdk::ProcessEnd::Signaled:
      return sdk::ActionOutcome::failure(display + " " + sdk::describe_signal(outcome.signal) +
                                         with_tail);
    case sdk::ProcessEnd::Exited:
      break;
  }
  if (outcome.exit_code != 0) {
    return sdk::ActionOutcome::failure(display + " exited with status " +
                                       std::to_string(outcome.exit_code) + with_tail);
  }
  return sdk::ActionOutcome::success(display + " exited 0" + with_tail);
}

RollbackPolicy RollbackPolicy::from(const sdk::Options& options) {
  RollbackPolicy p;
  if (options.has("max_per_window"))
    p.max_per_window = static_cast<int>(options.integer("max_per_window"));
  if (options.has("cooldown"))
    p.cooldown = options.duration("cooldown");
  if (options.has("verify"))
    p.verify = options.strings("verify");
  if (options.has("verify_within"))
    p.verify_within = options.duration("verify_within");
  if (options.has("verify_interval"))
    p.verify_interval = options.duration("verify_interval");
  if (options.has("silence_for"))
    p.silence_for = options.duration("silence_for");
  if (p.silence_for.count() == 0)
    p.silence_for = p.verify_within;
  return p;
}

namespace {

class RollbackAction final : public sdk::Action {
 public:
  explicit RollbackAction(const sdk::Options& options) : command_(options) {
    const RollbackPolicy p = RollbackPolicy::from(options);
    if (p.max_per_window < 1)
      throw sdk::ConfigError("max_per_window", "max_per_window must be at least 1");
    if (p.verify_interval.count() <= 0)
      throw sdk::ConfigError("verify_interval", "verify_interval must be positive");
  }
  sdk::ActionOutcome execute(const sdk::Event& event, sdk::Context& ctx) override {
    return command_.execute(event, ctx);
  }

 private:
  CommandAction command_;
};

}  // namespace

void register_builtin_actions(PluginCatalog& catalog, ActionRunnerFactory bundle_factory) {
  sdk::PluginBuilder builder;
  {
    auto b = builder.add_action<CommandAction>(
        "command", "Runs a program (argv, no shell by default): remediation, promotion, hooks");
    declare_command_options(b);
  }
  {
    auto b = builder.add_action<RollbackAction>(
        "rollback",
        "Runs the rollback command once per window at most, then re-runs the named checks until "
        "they pass; a failed or unverified rollback escalates as CRITICAL");
    declare_command_options(b);
    b.optional("max_per_window", sdk::OptionType::Int, "1",
               "Loop guard: rollbacks allowed in one observation window")
        .optional("cooldown", sdk::OptionType::Duration, "10m", "Least time between two rollbacks")
        .list("verify", sdk::OptionType::String, {},
              "Checks re-run after the rollback until all pass (names in the same config)")
        .optional("verify_within", sdk::OptionType::Duration, "15m",
                  "Deadline for verification (the seed's 15-minute rollback SLA)")
        .optional("verify_interval", sdk::OptionType::Duration, "30s",
                  "How often the verify checks are re-run until they pass")
        .optional("silence_for", sdk::OptionType::Duration, {},
                  "Silence this deployment's alerts this long once the rollback starts "
                  "(default: verify_within)");
  }
  builder.commit(catalog);

  sdk::TypeInfo bundle;
  bundle.kind = sdk::PluginKind::Action;
  bundle.name = "incident_bundle";
  bundle.description =
      "Preserves evidence: logs, the latest snapshot, recent results, alerts, actions and test "
      "reports into <dir>/incident-YYYYmmdd-HHMMSS/";
  {
    sdk::TypeBuilder b(bundle);
    b.optional("dir", sdk::OptionType::String, {},
               "Where bundles are written (default: <state_dir>/incidents)")
        .list("include", sdk::OptionType::String, {},
              "Further files or globs to copy (test reports, service logs)")
        .optional("history", sdk::OptionType::Duration, "1h",
                  "How far back results and alerts are exported")
        .optional("max_file_size", sdk::OptionType::Size, "16MiB",
                  "Larger files are copied as their last max_file_size bytes");
  }
  catalog.add_action(
      std::make_unique<FunctionActionFactory>(std::move(bundle), std::move(bundle_factory)));
}

}  // namespace vigil::core
