#pragma once
// Starting the demo's servers in the background and stopping them again, the way a pipeline's
// setup and teardown commands do: `--detach` returns only once the server listens, the pid file
// is complete whenever it exists, `--stop` returns only once the process is gone.
#include <chrono>
#include <optional>
#include <string>

namespace vigil::demo {

// How a server reports that it listens or could not start, in the foreground (on stdout or
// stderr) or, once detached, to the parent waiting on a pipe.
class Startup {
 public:
  Startup() = default;
  ~Startup();
  Startup(const Startup&) = delete;
  Startup& operator=(const Startup&) = delete;

  // Forks a child in its own session, stdin on /dev/null and stdout/stderr appended to log_file
  // (or /dev/null), with no other descriptor inherited. In the parent: waits until the child
  // calls ready() or failed() or dies, prints its message and returns the parent's exit code
  // (0 when ready, 1 otherwise). In the child: returns nullopt and the child carries on.
  std::optional<int> detach(const std::string& log_file);

  // One line each; the parent of a detached child prints it. Only the first call counts.
  void ready(const std::string& message);
  void failed(const std::string& message);

 private:
  void report(char kind, const std::string& message);

  int pipe_fd_ = -1;  // the child's end while detached and not yet reported
  bool reported_ = false;
};

// Writes the calling process's pid to `path` atomically (a temporary file renamed over it), so a
// reader never sees it half written. Throws std::runtime_error naming the file.
void write_pidfile(const std::string& path);
// Removes `path` if it still names the calling process.
void remove_pidfile_if_ours(const std::string& path);

// SIGTERM to the demo process in `pidfile`, then waits for it to exit; SIGKILL after `timeout`.
// Refuses a pid that is not a vigil demo process (a stale file whose pid was reused). Returns the
// exit code for `--stop`: 0 when the process is gone (or was gone already), 1 otherwise, with a
// one-line message on stderr.
int stop_from_pidfile(const std::string& pidfile, std::chrono::milliseconds timeout);

// Unblocks every signal and restores default dispositions, so SIGTERM reaches a server whatever
// mask or handlers the process that started it had.
void reset_signals();

}  // namespace vigil::demo
