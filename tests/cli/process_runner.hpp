#pragma once
// Runs the real vigil binary as a child process and collects what it printed, so CLI tests
// assert exit codes and output exactly as a user or a monitoring system sees them.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace vigil::testing {

struct ProcessOutput {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

class ChildProcess {
 public:
  explicit ChildProcess(const std::vector<std::string>& argv,
                        const std::vector<std::string>& extra_env = {}) {
    int out_pipe[2], err_pipe[2];
    if (pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(err_pipe, O_CLOEXEC) != 0) {
      throw std::runtime_error("pipe failed");
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
    posix_spawn_file_actions_adddup2(&actions, err_pipe[1], 2);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (char** e = environ; *e != nullptr; ++e)
      env_storage.emplace_back(*e);
    for (const auto& e : extra_env)
      env_storage.push_back(e);
    std::vector<char*> env;
    for (auto& e : env_storage)
      env.push_back(e.data());
    env.push_back(nullptr);
    if (posix_spawn(&pid_, args[0], &actions, nullptr, args.data(), env.data()) != 0) {
      throw std::runtime_error("cannot start " + argv[0]);
    }
    posix_spawn_file_actions_destroy(&actions);
    close(out_pipe[1]);
    close(err_pipe[1]);
    out_fd_ = out_pipe[0];
    err_fd_ = err_pipe[0];
  }

  ~ChildProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (out_fd_ >= 0)
      close(out_fd_);
    if (err_fd_ >= 0)
      close(err_fd_);
  }

  // Reads output until `needle` appears on stderr or the deadline passes; true when found.
  bool wait_for_stderr(const std::string& needle, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (output_.err.find(needle) == std::string::npos) {
      if (!pump(deadline))
        return output_.err.find(needle) != std::string::npos;
    }
    return true;
  }

  void signal(int sig) { kill(pid_, sig); }

  // What the child has written to stderr so far (as read by the waits above).
  const std::string& stderr_so_far() const { return output_.err; }

  // Reads everything until the child closes its output, then reaps it. Throws if the child is
  // still running at the limit (and kills it).
  ProcessOutput finish(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (out_fd_ >= 0 || err_fd_ >= 0) {
      if (!pump(deadline)) {
        if (std::chrono::steady_clock::now() >= deadline) {
          throw std::runtime_error("child did not finish in time; stderr so far: " + output_.err);
        }
      }
    }
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    output_.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return output_;
  }

 private:
  // One poll round; false when the deadline passed or both streams are closed.
  bool pump(std::chrono::steady_clock::time_point deadline) {
    pollfd fds[2];
    int n = 0;
    if (out_fd_ >= 0)
      fds[n++] = {out_fd_, POLLIN, 0};
    if (err_fd_ >= 0)
      fds[n++] = {err_fd_, POLLIN, 0};
    if (n == 0)
      return false;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0)
      return false;
    if (poll(fds, static_cast<nfds_t>(n), static_cast<int>(left.count())) <= 0)
      return false;
    for (int i = 0; i < n; ++i) {
      if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0)
        continue;
      char buf[4096];
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      int& fd = fds[i].fd == out_fd_ ? out_fd_ : err_fd_;
      std::string& sink = fds[i].fd == out_fd_ ? output_.out : output_.err;
      if (got <= 0) {
        close(fd);
        fd = -1;
      } else {
        sink.append(buf, static_cast<std::size_t>(got));
      }
    }
    return true;
  }

  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  ProcessOutput output_;
};

inline ProcessOutput run_process(const std::vector<std::string>& argv,
                                 const std::vector<std::string>& extra_env = {},
                                 std::chrono::milliseconds limit = std::chrono::seconds(60)) {
  ChildProcess child(argv, extra_env);
  return child.finish(limit);
}

}  // namespace vigil::testing
