// exec: runs a Nagios / Monitoring Plugins check program and reports what it found. The exit code
// is the status (0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN), the first line of output the summary,
// the rest long output, and the performance data becomes metrics, so the plugins that ship with
// every distribution (check_disk, check_load, check_procs, ...) work unchanged.
//
// The plugin already judged its own -w/-c thresholds; its warn/crit ranges ride along on the
// metrics for display, while the host judges the operator's thresholds separately.
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <vigil/sdk/sdk.hpp>
#include <vigil/sdk/subprocess.hpp>

#include "perfdata.hpp"
#include "plugin_output.hpp"

namespace {

namespace sdk = vigil::sdk;
namespace exec = vigil::exec;

constexpr std::uint64_t kKiB = 1024;
constexpr std::uint64_t kMiB = 1024 * kKiB;
constexpr std::size_t kMaxStderrBytes = 8 * kKiB;
// Output of a program that failed is context for a human, not data: a screenful is enough.
constexpr std::size_t kMaxLinesOfFailedOutput = 20;

std::string error_text(int error) {
  return std::generic_category().message(error);
}

std::string size_text(std::uint64_t bytes) {
  if (bytes >= kMiB && bytes % kMiB == 0) {
    return std::to_string(bytes / kMiB) + "MiB";
  }
  if (bytes >= kKiB && bytes % kKiB == 0) {
    return std::to_string(bytes / kKiB) + "KiB";
  }
  return std::to_string(bytes) + "B";
}

std::vector<std::string> non_blank_lines(std::string_view text) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const auto newline = text.find('\n');
    std::string_view line = text.substr(0, newline);
    text = newline == std::string_view::npos ? std::string_view{} : text.substr(newline + 1);
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ' || line.back() == '\t')) {
      line.remove_suffix(1);
    }
    if (line.find_first_not_of(" \t") != std::string_view::npos) {
      lines.emplace_back(line);
    }
  }
  return lines;
}

void add_stream_details(sdk::Result& result, std::string_view prefix, std::string_view text,
                        std::size_t max_lines) {
  const auto lines = non_blank_lines(text);
  const std::size_t shown = std::min(lines.size(), max_lines);
  for (std::size_t i = 0; i < shown; ++i) {
    result.detail(std::string(prefix) + lines[i]);
  }
  if (lines.size() > shown) {
    result.detail(std::string(prefix) + "... " + std::to_string(lines.size() - shown) +
                  " more lines");
  }
}

class ExecCheck final : public sdk::Check {
 public:
  explicit ExecCheck(const sdk::Options& options)
      : command_(options.strings("command")),
        shell_(options.flag("shell")),
        timeout_(options.duration("timeout")),
        max_output_(options.size("max_output")) {
    if (command_.empty() || command_.front().empty()) {
      throw sdk::ConfigError("command", "command must name the program to run");
    }
    if (shell_ && command_.size() != 1) {
      throw sdk::ConfigError("command",
                             "with shell: true, command must be one string (the shell "
                             "command line), not " +
                                 std::to_string(command_.size()) + " elements");
    }
    if (timeout_ <= std::chrono::milliseconds::zero()) {
      throw sdk::ConfigError("timeout", "timeout must be longer than 0s");
    }
    if (max_output_ == 0) {
      throw sdk::ConfigError("max_output",
                             "max_output must be at least 1B: the summary is read "
                             "from the output");
    }
    if (options.has("env")) {
      env_ = options.string_map("env");
    }
    for (const auto& [name, value] : env_) {
      if (name.empty() || name.find('=') != std::string::npos) {
        throw sdk::ConfigError("env", "env variable name \"" + name +
                                          "\" is not valid: it must be non-empty and hold no '='");
      }
    }
    cwd_ = options.find_string("cwd");
    if (cwd_ && cwd_->empty()) {
      throw sdk::ConfigError("cwd", "cwd must not be empty when given");
    }
    display_name_ = shell_ ? "shell command" : basename_of(command_.front());
  }

  sdk::Result run(sdk::Context& ctx) override {
    const auto remaining = ctx.remaining();
    const bool deadline_binds = remaining < timeout_;
    const auto budget = std::min(timeout_, remaining);
    if (budget <= std::chrono::milliseconds::zero()) {
      return sdk::Result::unknown(display_name_ +
                                  ": not started, no time left before the check's deadline");
    }
    if (cwd_) {
      struct stat st {};
      if (::stat(cwd_->c_str(), &st) != 0) {
        return sdk::Result::unknown("cwd " + *cwd_ + ": " + error_text(errno));
      }
      if (!S_ISDIR(st.st_mode)) {
        return sdk::Result::unknown("cwd " + *cwd_ + ": " + error_text(ENOTDIR));
      }
    }

    sdk::ProcessSpec spec;
    spec.environment = sdk::merged_environment(env_);
    spec.cwd = cwd_;
    spec.max_stdout = max_output_;
    spec.max_stderr = kMaxStderrBytes;
    if (shell_) {
      spec.program = "/bin/sh";
      spec.argv = {"sh", "-c", command_.front()};
    } else {
      const auto lookup =
          sdk::find_program(command_.front(), sdk::find_variable(spec.environment, "PATH"));
      if (lookup.path.empty()) {
        return sdk::Result::unknown(command_.front() + ": " +
                                    (lookup.error == ENOENT
                                         ? std::string("command not found in PATH")
                                         : error_text(lookup.error)));
      }
      spec.program = lookup.path;
      spec.argv = command_;
    }

    ctx.log().debug("running " + spec.program + " (timeout " + sdk::format_duration(budget) + ")");
    const auto deadline = std::chrono::steady_clock::now() + budget;
    const sdk::ProcessOutcome outcome =
        sdk::run_process(spec, deadline, [&ctx] { return ctx.stop_requested(); });

    switch (outcome.end) {
      case sdk::ProcessEnd::SpawnFailed:
        return sdk::Result::unknown(spec.program + ": " + error_text(outcome.spawn_error));
      case sdk::ProcessEnd::TimedOut:
        return failed(outcome, "timed out after " + sdk::format_duration(budget) +
                                   (deadline_binds ? " (the check's deadline)" : ""));
      case sdk::ProcessEnd::Cancelled:
        return failed(outcome, "stopped before it finished: the host asked the check to stop");
      case sdk::ProcessEnd::Lost:
        return failed(outcome, "exit status lost: the process was reaped outside the exec plugin");
      case sdk::ProcessEnd::Signaled:
        return failed(outcome, sdk::describe_signal(outcome.signal));
      case sdk::ProcessEnd::Exited:
        break;
    }
    if (outcome.exit_code < 0 || outcome.exit_code > 3) {
      return failed(outcome, "exited with status " + std::to_string(outcome.exit_code) +
                                 ", which is not a plugin state (0-3)");
    }
    return interpret(outcome, static_cast<sdk::Status>(outcome.exit_code));
  }

 private:
  static std::string basename_of(const std::string& path) {
    const auto slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
  }

  // A run that produced no plugin state: UNKNOWN, with whatever it printed as context.
  sdk::Result failed(const sdk::ProcessOutcome& outcome, const std::string& reason) const {
    sdk::Result result = sdk::Result::unknown(display_name_ + ": " + reason);
    add_stream_details(result, "stdout: ", outcome.out.text, kMaxLinesOfFailedOutput);
    add_stream_details(result, "stderr: ", outcome.err.text, kMaxLinesOfFailedOutput);
    add_housekeeping_details(result, outcome);
    return result;
  }

  sdk::Result interpret(const sdk::ProcessOutcome& outcome, sdk::Status status) const {
    std::string_view text = outcome.out.text;
    bool first_line_cut = false;
    if (outcome.out.truncated()) {
      // A line cut at max_output could end in a perfdata value missing its last digits, which
      // would read as a wrong number; keep whole lines only.
      const auto last_newline = text.rfind('\n');
      if (last_newline != std::string_view::npos) {
        text = text.substr(0, last_newline + 1);
      } else {
        first_line_cut = true;
      }
    }
    const exec::PluginOutput parsed = exec::split_plugin_output(text);
    std::string summary = parsed.summary;
    if (summary.empty()) {
      const auto stderr_lines = non_blank_lines(outcome.err.text);
      summary = stderr_lines.empty() ? display_name_ + " printed no output" : stderr_lines.front();
    }
    sdk::Result result = sdk::Result::with_status(status, summary);
    for (const auto& line : parsed.long_output) {
      result.detail(line);
    }
    if (first_line_cut) {
      result.detail("perfdata not read: the first line is longer than max_output (" +
                    size_text(max_output_) + ")");
    } else {
      exec::PerfdataParse perfdata = exec::parse_perfdata(parsed.perfdata);
      for (auto& metric : perfdata.metrics) {
        result.metric(std::move(metric));
      }
      for (auto& note : perfdata.notes) {
        result.detail(std::move(note));
      }
    }
    add_stream_details(result, "stderr: ", outcome.err.text, kMaxLinesOfFailedOutput);
    add_housekeeping_details(result, outcome);
    return result;
  }

  void add_housekeeping_details(sdk::Result& result, const sdk::ProcessOutcome& outcome) const {
    if (outcome.out.truncated()) {
      result.detail("output cut at max_output (" + size_text(max_output_) +
                    "): the program wrote " + std::to_string(outcome.out.total_bytes) + " bytes");
    }
    if (outcome.err.truncated()) {
      result.detail("stderr cut at " + size_text(kMaxStderrBytes) + ": the program wrote " +
                    std::to_string(outcome.err.total_bytes) + " bytes");
    }
    if (outcome.killed_leftovers) {
      result.detail("processes it left running still held its output " +
                    sdk::format_duration(sdk::kExitLinger) + " after it exited and were killed");
    }
  }

  std::vector<std::string> command_;
  bool shell_;
  std::chrono::milliseconds timeout_;
  std::size_t max_output_;
  std::map<std::string, std::string> env_;
  std::optional<std::string> cwd_;
  std::string display_name_;
};

}  // namespace

VIGIL_PLUGIN("exec", VIGIL_SDK_VERSION_STRING, "Runs Nagios / Monitoring Plugins check programs") {
  using sdk::OptionType;
  plugin
      .add_check<ExecCheck>("exec",
                            "Runs a Nagios-compatible check program: exit code 0-3 is the status, "
                            "its output the summary and details, its perfdata the metrics")
      .required_list("command", OptionType::String,
                     "Program and arguments, run directly without a shell; the program is a path "
                     "or a name looked up in PATH")
      .optional("shell", OptionType::Bool, "false",
                "Run the single element of command with /bin/sh -c (pipelines, redirections)")
      .optional("timeout", OptionType::Duration, "30s",
                "Time the program may take, never more than the check's deadline; then its "
                "process group gets SIGTERM, and SIGKILL 1s later")
      .map("env", OptionType::String,
           "Environment variables to set for the program, on top of vigil's own environment")
      .secret()
      .optional("cwd", OptionType::String, std::nullopt,
                "Working directory of the program (default: vigil's own)")
      .optional("max_output", OptionType::Size, "64KiB",
                "Keep at most this much of the program's standard output; the rest is read and "
                "discarded");
}
