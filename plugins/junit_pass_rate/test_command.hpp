#pragma once
// Runs the test command that writes the report (the `run` option) with the SDK's runner: no
// shell, stdin from /dev/null, stdout and stderr into one pipe of which only the last few KiB
// are kept (a test runner's verdict is at the end), in a process group of its own so that a
// timeout kills everything it started.
#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace vigil::junit_pass_rate {

struct TestCommand {
  std::vector<std::string> argv;  // argv[0] is looked up in PATH, as execvp does
  std::string working_dir;        // empty: the host's
  std::chrono::milliseconds timeout{0};
  std::size_t output_tail_bytes = 4096;
};

enum class CommandEnd { Exited, Signaled, TimedOut, Stopped, NotStarted, StatusLost };

struct CommandOutcome {
  CommandEnd end = CommandEnd::NotStarted;
  int exit_code = -1;       // Exited
  int signal = 0;           // Signaled
  std::string start_error;  // NotStarted
  std::string output_tail;  // the last output_tail_bytes of stdout and stderr, interleaved
  std::chrono::milliseconds time_limit{0};
  std::chrono::milliseconds elapsed{0};
};

// Blocks until the command exits, its timeout passes or `stop_requested` (polled a few times a
// second) returns true. Processes the command leaves behind in its process group when it exits
// are killed: a health check that runs every few minutes must not accumulate them.
CommandOutcome run_test_command(const TestCommand& command,
                                const std::function<bool()>& stop_requested);

// "exited with status 1", "killed by signal 9", ... for summaries and details.
std::string describe(const CommandOutcome& outcome);

}  // namespace vigil::junit_pass_rate
