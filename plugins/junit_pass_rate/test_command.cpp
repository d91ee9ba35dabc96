#include "test_command.hpp"

#include <cstring>

#include <vigil/sdk/subprocess.hpp>
#include <vigil/sdk/units.hpp>

namespace vigil::junit_pass_rate {

namespace {

using SteadyClock = std::chrono::steady_clock;

std::string start_error_text(const TestCommand& command, int error) {
  std::string text = "cannot start '" + command.argv.front() + "'";
  if (!command.working_dir.empty())
    text += " in '" + command.working_dir + "'";
  return text + ": " + std::strerror(error);
}

}  // namespace

CommandOutcome run_test_command(const TestCommand& command,
                                const std::function<bool()>& stop_requested) {
  CommandOutcome outcome;
  outcome.time_limit = command.timeout;
  if (command.argv.empty()) {
    outcome.start_error = "the command is empty";
    return outcome;
  }
  const auto started = SteadyClock::now();

  sdk::ProcessSpec spec;
  spec.environment = sdk::merged_environment({});
  // Looked up before spawning, in the host's PATH, as posix_spawnp would.
  const sdk::ProgramLookup program =
      sdk::find_program(command.argv.front(), sdk::find_variable(spec.environment, "PATH"));
  if (program.path.empty()) {
    outcome.start_error = start_error_text(command, program.error);
    return outcome;
  }
  spec.program = program.path;
  spec.argv = command.argv;
  if (!command.working_dir.empty())
    spec.cwd = command.working_dir;
  spec.merge_stderr = true;
  spec.keep_tail = true;
  spec.max_stdout = command.output_tail_bytes;
  spec.max_stderr = 0;

  const auto stop = [&stop_requested] { return stop_requested && stop_requested(); };
  sdk::ProcessOutcome ran = sdk::run_process(spec, started + command.timeout, stop);
  switch (ran.end) {
    case sdk::ProcessEnd::Exited:
      outcome.end = CommandEnd::Exited;
      outcome.exit_code = ran.exit_code;
      break;
    case sdk::ProcessEnd::Signaled:
      outcome.end = CommandEnd::Signaled;
      outcome.signal = ran.signal;
      break;
    case sdk::ProcessEnd::TimedOut:
      outcome.end = CommandEnd::TimedOut;
      break;
    case sdk::ProcessEnd::Cancelled:
      outcome.end = CommandEnd::Stopped;
      break;
    case sdk::ProcessEnd::SpawnFailed:
      outcome.end = CommandEnd::NotStarted;
      outcome.start_error = start_error_text(command, ran.spawn_error);
      break;
    case sdk::ProcessEnd::Lost:
      outcome.end = CommandEnd::StatusLost;
      break;
  }
  outcome.output_tail = std::move(ran.out.text);
  outcome.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  return outcome;
}

std::string describe(const CommandOutcome& outcome) {
  switch (outcome.end) {
    case CommandEnd::Exited:
      return "exited with status " + std::to_string(outcome.exit_code);
    case CommandEnd::Signaled:
      return "was " + sdk::describe_signal(outcome.signal);
    case CommandEnd::TimedOut:
      return "did not finish within " + sdk::format_duration(outcome.time_limit) +
             " and was killed";
    case CommandEnd::Stopped:
      return "was stopped because the check was cancelled";
    case CommandEnd::NotStarted:
      return outcome.start_error;
    case CommandEnd::StatusLost:
      return "exited with an unknown status (the host reaped it)";
  }
  return "ended";
}

}  // namespace vigil::junit_pass_rate
