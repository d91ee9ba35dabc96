#pragma once
// Runs one external program to completion under a deadline, the way a monitoring host must:
// no shell, stdin from /dev/null, stdout and stderr captured with a byte cap each (the excess is
// read and discarded so the program never blocks on a full pipe), in a process group of its own
// so that a timeout or a cancellation kills everything it started, and always reaped.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::exec {

// How long a program gets between SIGTERM and SIGKILL once it has run out of time.
inline constexpr std::chrono::milliseconds kTerminationGrace{1000};
// How long the pipes may stay open after the program itself exited (a background process it
// started still holds them) before whatever is left of its process group is killed.
inline constexpr std::chrono::milliseconds kExitLinger{1000};

struct ProcessSpec {
  std::string program;                   // what posix_spawn executes: a path, never looked up
  std::vector<std::string> argv;         // argv[0] is what the program sees as its name
  std::vector<std::string> environment;  // the complete environment, "KEY=value" entries
  std::optional<std::string> cwd;
  std::size_t max_stdout = std::size_t{64} * 1024;
  std::size_t max_stderr = std::size_t{8} * 1024;
};

struct CapturedStream {
  std::string text;               // the first max bytes the program wrote
  std::uint64_t total_bytes = 0;  // everything it wrote, kept or not
  bool truncated() const noexcept { return total_bytes > text.size(); }
};

enum class ProcessEnd {
  Exited,
  Signaled,
  TimedOut,
  Cancelled,
  SpawnFailed,
  Lost,  // reaped by someone else (a SIGCHLD handler in the host): the exit status is unknown
};

struct ProcessOutcome {
  ProcessEnd end = ProcessEnd::SpawnFailed;
  int exit_code = -1;   // when Exited
  int signal = 0;       // when Signaled
  int spawn_error = 0;  // errno, when SpawnFailed
  pid_t pid = -1;       // the program's pid, which is also its process group id
  CapturedStream out;
  CapturedStream err;
  bool killed_leftovers = false;  // the pipes were still held open kExitLinger after exit
};

// Blocks until the program has exited and been reaped, `deadline` passed, or `stop_requested`
// returned true (it is polled a few times a second). Only a std::bad_alloc can throw, and even
// then the process group is killed and the program reaped first.
ProcessOutcome run_process(const ProcessSpec& spec, std::chrono::steady_clock::time_point deadline,
                           const std::function<bool()>& stop_requested);

// This process's environment with `overrides` replacing or adding variables.
std::vector<std::string> merged_environment(const std::map<std::string, std::string>& overrides);

// The value of `name` in an environment built by merged_environment().
std::optional<std::string_view> find_variable(const std::vector<std::string>& environment,
                                              std::string_view name);

// execvp's lookup, done before spawning so that "not found" and "not executable" are told apart
// and the child's own PATH (after `env`) is the one searched. A name holding a '/' is used as is.
struct ProgramLookup {
  std::string path;  // empty when not found
  int error = 0;     // ENOENT or EACCES when not found
};
ProgramLookup find_program(const std::string& name, std::optional<std::string_view> search_path);

}  // namespace vigil::exec
