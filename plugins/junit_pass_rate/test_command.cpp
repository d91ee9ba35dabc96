#include "test_command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <vigil/sdk/units.hpp>

extern char** environ;  // <unistd.h> declares it only with _GNU_SOURCE

namespace vigil::junit_pass_rate {

namespace {

using SteadyClock = std::chrono::steady_clock;

// How often a waiting run looks at stop_requested (and, without a pidfd, at the child).
constexpr std::chrono::milliseconds kPollInterval{100};

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd = -1) noexcept : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { close(); }
  int get() const noexcept { return fd_; }
  void close() noexcept {
    if (fd_ >= 0)
      ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

class OutputTail {
 public:
  explicit OutputTail(std::size_t limit) : limit_(limit) {}
  void append(const char* data, std::size_t size) {
    text_.append(data, size);
    // Trimmed in bulk so that a chatty command costs one erase per limit's worth of output.
    if (text_.size() > 2 * limit_ + 4096)
      text_.erase(0, text_.size() - limit_);
  }
  std::string take() {
    if (text_.size() > limit_)
      text_.erase(0, text_.size() - limit_);
    return std::move(text_);
  }

 private:
  std::size_t limit_;
  std::string text_;
};

// Reads whatever the pipe holds now; false once every writer has closed it.
bool drain(int pipe_fd, OutputTail& tail) {
  char buffer[8192];
  for (;;) {
    const ssize_t got = ::read(pipe_fd, buffer, sizeof buffer);
    if (got > 0) {
      tail.append(buffer, static_cast<std::size_t>(got));
      continue;
    }
    if (got == 0)
      return false;
    if (errno == EINTR)
      continue;
    return errno == EAGAIN || errno == EWOULDBLOCK;
  }
}

// The child has exited but is left a zombie, so its pid, which is also its process group id,
// cannot be reused before we reap it: killing the group stays safe until then.
enum class ChildState { Running, Exited, Lost };

ChildState peek_child(pid_t pid) {
  siginfo_t info{};
  if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    // ECHILD: the host reaps children itself (SIGCHLD ignored or handled).
    return errno == EINTR ? ChildState::Running : ChildState::Lost;
  }
  return info.si_pid == pid ? ChildState::Exited : ChildState::Running;
}

// Waits until the child exits or `until`, reading output meanwhile.
ChildState wait_for_exit(pid_t pid, int pidfd, int pipe_fd, bool& pipe_open, OutputTail& tail,
                         SteadyClock::time_point until,
                         const std::function<bool()>& stop_requested) {
  for (;;) {
    const ChildState state = peek_child(pid);
    if (state != ChildState::Running)
      return state;
    const auto now = SteadyClock::now();
    if (now >= until || (stop_requested && stop_requested()))
      return ChildState::Running;
    const auto wait = std::min<SteadyClock::duration>(until - now, kPollInterval);
    const int wait_ms =
        static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
    pollfd watched[2];
    nfds_t count = 0;
    if (pipe_open)
      watched[count++] = {pipe_fd, POLLIN, 0};
    if (pidfd >= 0)
      watched[count++] = {pidfd, POLLIN, 0};
    if (::poll(watched, count, wait_ms) > 0 && pipe_open && watched[0].revents != 0) {
      pipe_open = drain(pipe_fd, tail);
    }
  }
}

std::string spawn_error_text(const TestCommand& command, int error) {
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

  int pipe_ends[2];
  if (::pipe2(pipe_ends, O_CLOEXEC) != 0) {
    outcome.start_error = std::string("cannot create a pipe: ") + std::strerror(errno);
    return outcome;
  }
  FileDescriptor read_end(pipe_ends[0]);
  FileDescriptor write_end(pipe_ends[1]);
  ::fcntl(read_end.get(), F_SETFL, ::fcntl(read_end.get(), F_GETFL) | O_NONBLOCK);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, write_end.get(), 2);
  if (!command.working_dir.empty()) {
    posix_spawn_file_actions_addchdir_np(&actions, command.working_dir.c_str());
  }
  // Descriptors the host left inheritable (sockets, logs) are none of the command's business.
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  posix_spawnattr_setpgroup(&attributes, 0);
  // A host that blocks or ignores signals in its threads must not pass that on: a command that
  // ignores SIGTERM would outlive its timeout, one that ignores SIGPIPE would misbehave.
  sigset_t no_signals;
  sigemptyset(&no_signals);
  posix_spawnattr_setsigmask(&attributes, &no_signals);
  sigset_t default_signals;
  sigemptyset(&default_signals);
  for (int signal :
       {SIGHUP, SIGINT, SIGQUIT, SIGPIPE, SIGALRM, SIGTERM, SIGCHLD, SIGUSR1, SIGUSR2}) {
    sigaddset(&default_signals, signal);
  }
  posix_spawnattr_setsigdefault(&attributes, &default_signals);

  std::vector<char*> argv;
  argv.reserve(command.argv.size() + 1);
  for (const auto& arg : command.argv)
    argv.push_back(const_cast<char*>(arg.c_str()));
  argv.push_back(nullptr);

  pid_t pid = -1;
  const int spawn_error =
      ::posix_spawnp(&pid, argv[0], &actions, &attributes, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  write_end.close();
  if (spawn_error != 0) {
    outcome.start_error = spawn_error_text(command, spawn_error);
    return outcome;
  }

  // A pidfd wakes the wait the moment the command exits, even while something it started still
  // holds the pipe. Without one (kernels before 5.3) the poll interval bounds the delay.
  FileDescriptor pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  OutputTail tail(command.output_tail_bytes);
  bool pipe_open = true;
  ChildState state = wait_for_exit(pid, pidfd.get(), read_end.get(), pipe_open, tail,
                                   started + command.timeout, stop_requested);
  if (state == ChildState::Running) {
    outcome.end = SteadyClock::now() >= started + command.timeout ? CommandEnd::TimedOut
                                                                  : CommandEnd::Stopped;
    ::kill(-pid, SIGTERM);
    state = wait_for_exit(pid, pidfd.get(), read_end.get(), pipe_open, tail,
                          SteadyClock::now() + kTerminationGrace, nullptr);
  }
  if (pipe_open)
    drain(read_end.get(), tail);
  if (state != ChildState::Lost) {
    ::kill(-pid, SIGKILL);  // leftovers after an exit; everything after a timeout's grace
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (outcome.end == CommandEnd::NotStarted) {
      if (WIFEXITED(status)) {
        outcome.end = CommandEnd::Exited;
        outcome.exit_code = WEXITSTATUS(status);
      } else {
        outcome.end = CommandEnd::Signaled;
        outcome.signal = WTERMSIG(status);
      }
    }
  } else if (outcome.end == CommandEnd::NotStarted) {
    outcome.end = CommandEnd::StatusLost;
  }
  outcome.output_tail = tail.take();
  outcome.elapsed =
      std::chrono::duration_cast<std::chrono::milliseconds>(SteadyClock::now() - started);
  return outcome;
}

std::string describe(const CommandOutcome& outcome) {
  switch (outcome.end) {
    case CommandEnd::Exited:
      return "exited with status " + std::to_string(outcome.exit_code);
    case CommandEnd::Signaled:
      return "was killed by signal " + std::to_string(outcome.signal) + " (" +
             ::strsignal(outcome.signal) + ")";
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
