#pragma once
// Runs one external program to completion under a deadline, the way a monitoring host must:
// no shell, stdin from /dev/null, stdout and stderr captured with a byte cap each (the excess is
// read and discarded so the program never blocks on a full pipe), in a process group of its own
// so that a timeout or a cancellation kills everything it started, and always reaped.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;  // <unistd.h> declares it only with _GNU_SOURCE

namespace vigil::sdk {

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
  // stderr into stdout's pipe, interleaved as written; `err` then stays empty.
  bool merge_stderr = false;
  // Keep the last max bytes of each stream instead of the first: a test runner's verdict is at
  // the end of its output, a monitoring plugin's at the start.
  bool keep_tail = false;
};

struct CapturedStream {
  std::string text;               // the first (or, keep_tail, last) max bytes written
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

struct ProgramLookup {
  std::string path;  // empty when not found
  int error = 0;     // ENOENT or EACCES when not found
};

namespace detail {

using SteadyClock = std::chrono::steady_clock;

// How often the loop looks at stop_requested(), which is a flag, not something poll() can watch.
inline constexpr std::chrono::milliseconds kStopPollInterval{50};
// After SIGKILL the pipes close as the processes die; wait this long for that so the output is
// complete and the group is gone when run_process returns.
inline constexpr std::chrono::milliseconds kAfterKillDrain{500};
// At most this much is read from one pipe per wake-up, so a program that writes without pause
// cannot keep the loop from looking at the clock.
inline constexpr std::size_t kMaxReadPerWake = std::size_t{1024} * 1024;

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) noexcept : fd_(fd) {}
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset(std::exchange(other.fd_, -1));
    }
    return *this;
  }
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() { reset(); }

  int get() const noexcept { return fd_; }
  bool valid() const noexcept { return fd_ >= 0; }
  void reset(int fd = -1) noexcept {
    if (fd_ >= 0) {
      ::close(fd_);
    }
    fd_ = fd;
  }

 private:
  int fd_ = -1;
};

struct Pipe {
  FileDescriptor read_end;
  FileDescriptor write_end;
};

// Keeps a pipe end off descriptors 0-2: were the host running with a standard stream closed, a
// pipe could land there and the child's dup2 actions would overwrite one another.
inline int above_standard_streams(int fd) {
  if (fd > STDERR_FILENO) {
    return fd;
  }
  const int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, STDERR_FILENO + 1);
  ::close(fd);
  return moved;
}

// O_CLOEXEC: other threads of the host spawn processes too, and a child that inherited our
// write end would keep the pipe open, so we would never see end of file.
inline std::optional<Pipe> make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
    return std::nullopt;
  }
  Pipe pipe{FileDescriptor(above_standard_streams(fds[0])),
            FileDescriptor(above_standard_streams(fds[1]))};
  if (!pipe.read_end.valid() || !pipe.write_end.valid()) {
    return std::nullopt;
  }
  ::fcntl(pipe.read_end.get(), F_SETFL, ::fcntl(pipe.read_end.get(), F_GETFL) | O_NONBLOCK);
  return pipe;
}

class SpawnFileActions {
 public:
  SpawnFileActions() { ::posix_spawn_file_actions_init(&actions_); }
  SpawnFileActions(const SpawnFileActions&) = delete;
  SpawnFileActions& operator=(const SpawnFileActions&) = delete;
  ~SpawnFileActions() { ::posix_spawn_file_actions_destroy(&actions_); }
  posix_spawn_file_actions_t* get() noexcept { return &actions_; }

 private:
  posix_spawn_file_actions_t actions_{};
};

class SpawnAttributes {
 public:
  SpawnAttributes() { ::posix_spawnattr_init(&attributes_); }
  SpawnAttributes(const SpawnAttributes&) = delete;
  SpawnAttributes& operator=(const SpawnAttributes&) = delete;
  ~SpawnAttributes() { ::posix_spawnattr_destroy(&attributes_); }
  posix_spawnattr_t* get() noexcept { return &attributes_; }

 private:
  posix_spawnattr_t attributes_{};
};

// Returns 0 or the errno of the first step that failed.
inline int prepare_spawn(const ProcessSpec& spec, const Pipe& out, const Pipe& err,
                         SpawnFileActions& actions, SpawnAttributes& attributes) {
  int rc =
      ::posix_spawn_file_actions_addopen(actions.get(), STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  if (rc == 0) {
    rc = ::posix_spawn_file_actions_adddup2(actions.get(), out.write_end.get(), STDOUT_FILENO);
  }
  if (rc == 0) {
    const int err_fd = spec.merge_stderr ? out.write_end.get() : err.write_end.get();
    rc = ::posix_spawn_file_actions_adddup2(actions.get(), err_fd, STDERR_FILENO);
  }
  if (rc == 0) {
    // Descriptors the host left inheritable (sockets, logs) are none of the program's business.
    rc = ::posix_spawn_file_actions_addclosefrom_np(actions.get(), STDERR_FILENO + 1);
  }
  if (rc == 0 && spec.cwd) {
    rc = ::posix_spawn_file_actions_addchdir_np(actions.get(), spec.cwd->c_str());
  }
  if (rc != 0) {
    return rc;
  }

  // Its own process group, so one kill(-pgid) reaches everything it starts. The signal mask and
  // dispositions are reset because the host's threads block or ignore signals (SIGPIPE, SIGTERM)
  // for their own reasons, and an exec'd program inherits both.
  sigset_t empty_mask;
  sigset_t all_signals;
  sigemptyset(&empty_mask);
  sigfillset(&all_signals);
  rc = ::posix_spawnattr_setflags(
      attributes.get(), POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  if (rc == 0) {
    rc = ::posix_spawnattr_setpgroup(attributes.get(), 0);
  }
  if (rc == 0) {
    rc = ::posix_spawnattr_setsigmask(attributes.get(), &empty_mask);
  }
  if (rc == 0) {
    rc = ::posix_spawnattr_setsigdefault(attributes.get(), &all_signals);
  }
  return rc;
}

inline std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  // posix_spawn's signature predates const; it does not write through these pointers.
  for (const auto& s : strings) {
    out.push_back(const_cast<char*>(s.c_str()));
  }
  out.push_back(nullptr);
  return out;
}

inline FileDescriptor open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  // Readable once the process exits, which lets poll() wake on exit as well as on output.
  return FileDescriptor(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
#else
  (void)pid;
  return FileDescriptor();
#endif
}

// Whether the child has exited, without reaping it: an unreaped zombie keeps its pid, and with
// it the process group id, from being reused, so kill(-pid) can never reach a stranger.
inline bool has_exited(pid_t pid) {
  siginfo_t info{};
  while (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
    if (errno != EINTR)
      return true;  // ECHILD: reaped behind our back; nothing to wait for
  }
  return info.si_pid == pid;
}

class CapturePipe {
 public:
  CapturePipe(FileDescriptor fd, CapturedStream& stream, std::size_t max_bytes, bool keep_tail)
      : fd_(std::move(fd)), stream_(&stream), max_bytes_(max_bytes), keep_tail_(keep_tail) {}
  CapturePipe(const CapturePipe&) = delete;
  CapturePipe& operator=(const CapturePipe&) = delete;
  // The drain loop trims in bulk; this cuts the kept tail to size once it is complete.
  void finish() noexcept { trim(0); }

  bool open() const noexcept { return fd_.valid(); }
  int fd() const noexcept { return fd_.get(); }

  // Reads what is there without blocking; closes the pipe at end of file.
  void drain() {
    std::array<char, std::size_t{16} * 1024> buffer;
    std::size_t read_now = 0;
    while (open() && read_now < kMaxReadPerWake) {
      const ssize_t n = ::read(fd_.get(), buffer.data(), buffer.size());
      if (n > 0) {
        const auto got = static_cast<std::size_t>(n);
        read_now += got;
        stream_->total_bytes += got;
        if (keep_tail_) {
          stream_->text.append(buffer.data(), got);
          // Trimmed in bulk, so a chatty program costs one erase per max's worth of output.
          trim(max_bytes_ + buffer.size());
        } else {
          const std::size_t room = max_bytes_ - std::min(max_bytes_, stream_->text.size());
          stream_->text.append(buffer.data(), std::min(room, got));
        }
      } else if (n < 0 && errno == EINTR) {
        continue;
      } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
        return;
      } else {
        fd_.reset();  // end of file, or a read error that will not go away
      }
    }
  }

 private:
  void trim(std::size_t slack) noexcept {
    std::string& text = stream_->text;
    if (text.size() > max_bytes_ + slack) {
      text.erase(0, text.size() - max_bytes_);
    }
  }

  FileDescriptor fd_;
  CapturedStream* stream_;
  std::size_t max_bytes_;
  bool keep_tail_;
};

// Waits until `until` for output or the child's exit, then reads whatever arrived.
inline void wait_and_drain(CapturePipe& out, CapturePipe& err, const FileDescriptor& pidfd,
                           bool watch_exit, SteadyClock::time_point until) {
  std::array<pollfd, 3> fds{};
  nfds_t count = 0;
  for (const CapturePipe* pipe : {&out, &err}) {
    if (pipe->open()) {
      fds[count++] = pollfd{pipe->fd(), POLLIN, 0};
    }
  }
  if (watch_exit && pidfd.valid()) {
    fds[count++] = pollfd{pidfd.get(), POLLIN, 0};
  }
  auto wait = std::chrono::ceil<std::chrono::milliseconds>(until - SteadyClock::now());
  if (watch_exit && !pidfd.valid() && !out.open() && !err.open()) {
    // Without a pidfd nothing wakes us on exit; when the pipes have just closed the exit is
    // microseconds away, so look again soon rather than a whole interval later.
    wait = std::min(wait, std::chrono::milliseconds{1});
  }
  const int timeout_ms = static_cast<int>(std::clamp<std::int64_t>(wait.count(), 0, 60'000));
  if (::poll(fds.data(), count, timeout_ms) < 0 && errno != EINTR) {
    return;
  }
  out.drain();
  err.drain();
}

// Owns the spawned child until it is reaped; if anything throws on the way, it still kills the
// group and reaps, so no zombie and no orphaned check outlives the call.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) noexcept : pid_(pid) {}
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() {
    if (!reaped_) {
      signal_group(SIGKILL);
      reap();
    }
  }

  pid_t pid() const noexcept { return pid_; }
  void signal_group(int signal) const noexcept { ::kill(-pid_, signal); }

  // Blocks until the child is gone; nullopt when someone else reaped it first.
  std::optional<int> reap() noexcept {
    reaped_ = true;
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) {
        return std::nullopt;
      }
    }
    return status;
  }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

}  // namespace detail

// Blocks until the program has exited and been reaped, `deadline` passed, or `stop_requested`
// returned true (it is polled a few times a second). Only a std::bad_alloc can throw, and even
// then the process group is killed and the program reaped first.
inline ProcessOutcome run_process(const ProcessSpec& spec,
                                  std::chrono::steady_clock::time_point deadline,
                                  const std::function<bool()>& stop_requested) {
  using namespace detail;
  ProcessOutcome outcome;
  auto out_pipe = make_pipe();
  auto err_pipe = make_pipe();
  if (!out_pipe || !err_pipe) {
    outcome.spawn_error = errno;
    return outcome;
  }
  SpawnFileActions actions;
  SpawnAttributes attributes;
  if (const int rc = prepare_spawn(spec, *out_pipe, *err_pipe, actions, attributes); rc != 0) {
    outcome.spawn_error = rc;
    return outcome;
  }
  const std::vector<char*> argv = c_strings(spec.argv);
  const std::vector<char*> envp = c_strings(spec.environment);
  pid_t pid = -1;
  const int spawn_rc = ::posix_spawn(&pid, spec.program.c_str(), actions.get(), attributes.get(),
                                     argv.data(), envp.data());
  // Only the child may hold the write ends, or end of file would never come.
  out_pipe->write_end.reset();
  err_pipe->write_end.reset();
  if (spawn_rc != 0) {
    outcome.spawn_error = spawn_rc;
    return outcome;
  }
  ChildProcess child(pid);
  outcome.pid = pid;
  const FileDescriptor pidfd = open_pidfd(pid);
  CapturePipe out(std::move(out_pipe->read_end), outcome.out, spec.max_stdout, spec.keep_tail);
  CapturePipe err(std::move(err_pipe->read_end), outcome.err, spec.max_stderr, spec.keep_tail);

  bool exited = false;
  bool timed_out = false;
  bool cancelled = false;
  std::optional<SteadyClock::time_point> linger_until;
  while (true) {
    const auto now = SteadyClock::now();
    exited = exited || has_exited(pid);
    if (exited) {
      // The exited leader's descriptors are already closed, so once what it wrote is read, a
      // pipe that is still open is held by something it left behind.
      out.drain();
      err.drain();
      if (!out.open() && !err.open()) {
        break;
      }
      if (!linger_until) {
        linger_until = std::min(now + kExitLinger, deadline);
      }
      if (now >= *linger_until || stop_requested()) {
        outcome.killed_leftovers = true;
        break;
      }
    } else if (now >= deadline) {
      timed_out = true;
      break;
    } else if (stop_requested()) {
      cancelled = true;
      break;
    }
    const auto until = std::min(linger_until.value_or(deadline), now + kStopPollInterval);
    wait_and_drain(out, err, pidfd, !exited, until);
  }

  if (timed_out || cancelled) {
    child.signal_group(SIGTERM);
    const auto grace_until = SteadyClock::now() + kTerminationGrace;
    while (!has_exited(pid) && SteadyClock::now() < grace_until) {
      wait_and_drain(out, err, pidfd, true, grace_until);
    }
  }
  // Unconditional: whatever the program left behind in its group goes with it.
  child.signal_group(SIGKILL);
  const auto drain_until = SteadyClock::now() + kAfterKillDrain;
  while ((out.open() || err.open()) && SteadyClock::now() < drain_until) {
    wait_and_drain(out, err, pidfd, false, drain_until);
  }
  const std::optional<int> status = child.reap();
  out.finish();
  err.finish();

  if (timed_out) {
    outcome.end = ProcessEnd::TimedOut;
  } else if (cancelled) {
    outcome.end = ProcessEnd::Cancelled;
  } else if (!status) {
    outcome.end = ProcessEnd::Lost;
  } else if (WIFEXITED(*status)) {
    outcome.end = ProcessEnd::Exited;
    outcome.exit_code = WEXITSTATUS(*status);
  } else {
    outcome.end = ProcessEnd::Signaled;
    outcome.signal = WTERMSIG(*status);
  }
  return outcome;
}

// This process's environment with `overrides` replacing or adding variables.
inline std::vector<std::string> merged_environment(
    const std::map<std::string, std::string>& overrides) {
  std::vector<std::string> environment;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view variable(*entry);
    const std::string_view name = variable.substr(0, variable.find('='));
    if (overrides.find(std::string(name)) == overrides.end()) {
      environment.emplace_back(variable);
    }
  }
  for (const auto& [name, value] : overrides) {
    std::string variable = name;
    variable += '=';
    variable += value;
    environment.push_back(std::move(variable));
  }
  return environment;
}

// The value of `name` in an environment built by merged_environment().
inline std::optional<std::string_view> find_variable(const std::vector<std::string>& environment,
                                                     std::string_view name) {
  for (const auto& variable : environment) {
    const std::string_view view(variable);
    if (view.size() > name.size() && view[name.size()] == '=' &&
        view.substr(0, name.size()) == name) {
      return view.substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

// execvp's lookup, done before spawning so that "not found" and "not executable" are told apart
// and the child's own PATH (after `env`) is the one searched. A name holding a '/' is used as is.
inline ProgramLookup find_program(const std::string& name,
                                  std::optional<std::string_view> search_path) {
  if (name.find('/') != std::string::npos) {
    return {name, 0};
  }
  // execvp's fallback when PATH is unset (confstr(_CS_PATH) on glibc).
  std::string_view directories = search_path.value_or("/bin:/usr/bin");
  bool found_unexecutable = false;
  while (true) {
    const auto colon = directories.find(':');
    std::string_view directory = directories.substr(0, colon);
    if (directory.empty())
      directory = ".";  // an empty PATH entry means the current directory
    std::string candidate = std::string(directory) + "/" + name;
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (::access(candidate.c_str(), X_OK) == 0) {
        return {std::move(candidate), 0};
      }
      found_unexecutable = true;
    }
    if (colon == std::string_view::npos) {
      break;
    }
    directories.remove_prefix(colon + 1);
  }
  return {std::string(), found_unexecutable ? EACCES : ENOENT};
}

// "killed by signal 11 (Segmentation fault)": the number for whoever greps logs, the name for
// whoever reads them.
inline std::string describe_signal(int sig) {
  std::string text = "killed by signal " + std::to_string(sig);
  if (const char* description = ::sigdescr_np(sig)) {
    text += " (" + std::string(description) + ")";
  }
  return text;
}

}  // namespace vigil::sdk
