#include "core/demo/background.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>
#include <thread>
#include <vector>

namespace vigil::demo {

namespace {

std::string errno_text() {
  return std::strerror(errno);
}

// Everything a process may have inherited beyond stdio goes: a pipe held open by a detached
// server would keep whoever started it waiting for end of file forever.
void close_inherited_fds(int keep) {
  std::vector<int> fds;
  if (DIR* dir = ::opendir("/proc/self/fd")) {
    const int own = ::dirfd(dir);
    while (const dirent* entry = ::readdir(dir)) {
      char* end = nullptr;
      const long fd = std::strtol(entry->d_name, &end, 10);
      if (end != entry->d_name && *end == '\0' && fd > 2 && fd != keep && fd != own)
        fds.push_back(static_cast<int>(fd));
    }
    ::closedir(dir);
  }
  for (int fd : fds)
    ::close(fd);
}

bool write_all(int fd, const std::string& text) {
  const char* p = text.data();
  std::size_t left = text.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    left -= static_cast<std::size_t>(n);
  }
  return true;
}

std::string read_all(int fd) {
  std::string text;
  char buf[512];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
}

std::string describe_wait_status(int status) {
  if (WIFEXITED(status))
    return "exited with status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return std::string("was killed by signal ") + ::strsignal(WTERMSIG(status));
  return "stopped";
}

// Gone, or a zombie its parent has not reaped yet: either way it serves nothing any more. A
// container whose init does not reap would otherwise keep --stop waiting on a corpse.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0)
    return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line))
    return true;
  const auto close_paren = line.rfind(')');
  return close_paren != std::string::npos && close_paren + 2 < line.size() &&
         line[close_paren + 2] == 'Z';
}

std::string command_line(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline", std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (char& c : text) {
    if (c == '\0')
      c = ' ';
  }
  return text;
}

}  // namespace

Startup::~Startup() {
  if (pipe_fd_ >= 0)
    ::close(pipe_fd_);
}

std::optional<int> Startup::detach(const std::string& log_file) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    std::cerr << "--detach: cannot create a pipe: " << errno_text() << "\n";
    return 1;
  }
  std::cout.flush();
  std::cerr.flush();
  const pid_t child = ::fork();
  if (child < 0) {
    std::cerr << "--detach: cannot fork: " << errno_text() << "\n";
    ::close(fds[0]);
    ::close(fds[1]);
    return 1;
  }
  if (child == 0) {
    ::close(fds[0]);
    pipe_fd_ = fds[1];
    ::setsid();
    const int null_in = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    const int out = log_file.empty()
                        ? ::open("/dev/null", O_WRONLY | O_CLOEXEC)
                        : ::open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (out < 0) {
      report('F', "--log " + log_file + ": " + errno_text());
      ::_exit(1);
    }
    ::dup2(null_in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    close_inherited_fds(pipe_fd_);
    return std::nullopt;
  }

  ::close(fds[1]);
  const std::string message = read_all(fds[0]);
  ::close(fds[0]);
  if (!message.empty() && message[0] == 'R') {
    std::cout << message.substr(1) << std::flush;
    return 0;
  }
  if (!message.empty()) {
    std::cerr << message.substr(1) << std::flush;
  } else {
    int status = 0;
    ::waitpid(child, &status, 0);
    std::cerr << "the background process " << describe_wait_status(status)
              << " before it was listening\n";
  }
  return 1;
}

void Startup::report(char kind, const std::string& message) {
  if (reported_)
    return;
  reported_ = true;
  if (pipe_fd_ < 0) {
    (kind == 'R' ? std::cout : std::cerr) << message << "\n" << std::flush;
    return;
  }
  write_all(pipe_fd_, kind + message + "\n");
  ::close(pipe_fd_);
  pipe_fd_ = -1;
  // The parent printed the line; the log gets it too.
  std::cerr << message << "\n" << std::flush;
}

void Startup::ready(const std::string& message) {
  report('R', message);
}

void Startup::failed(const std::string& message) {
  report('F', message);
}

void write_pidfile(const std::string& path) {
  const std::string temporary = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << ::getpid() << "\n";
    out.flush();
    if (!out)
      throw std::runtime_error("--pidfile " + path + ": cannot write " + temporary);
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    const std::string why = errno_text();
    std::remove(temporary.c_str());
    throw std::runtime_error("--pidfile " + path + ": " + why);
  }
}

void remove_pidfile_if_ours(const std::string& path) {
  std::ifstream in(path);
  long pid = 0;
  if (in >> pid && pid == static_cast<long>(::getpid()))
    std::remove(path.c_str());
}

int stop_from_pidfile(const std::string& pidfile, std::chrono::milliseconds timeout) {
  std::ifstream in(pidfile);
  if (!in) {
    std::cerr << "--stop: cannot read --pidfile " << pidfile << ": " << errno_text() << "\n";
    return 1;
  }
  long value = 0;
  if (!(in >> value) || value <= 1) {
    std::cerr << "--stop: " << pidfile << " holds no process id\n";
    return 1;
  }
  const auto pid = static_cast<pid_t>(value);
  if (process_gone(pid)) {
    std::cerr << "--stop: process " << pid << " from " << pidfile << " is not running\n";
    std::remove(pidfile.c_str());
    return 0;
  }
  const std::string cmdline = command_line(pid);
  if (cmdline.find("__demo-") == std::string::npos) {
    std::cerr << "--stop: process " << pid << " from " << pidfile
              << " is not a vigil demo process (" << cmdline << "); not signalled\n";
    return 1;
  }
  if (::kill(pid, SIGTERM) != 0 && errno != ESRCH) {
    std::cerr << "--stop: cannot signal process " << pid << ": " << errno_text() << "\n";
    return 1;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!process_gone(pid)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(pid, SIGKILL);
      std::cerr << "--stop: process " << pid << " did not exit within " << timeout.count()
                << " ms of SIGTERM; killed\n";
      std::remove(pidfile.c_str());
      return 1;
    }
    // Polling: the process is not our child, so there is nothing to wait on.
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::remove(pidfile.c_str());
  return 0;
}

void reset_signals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  for (int sig : {SIGTERM, SIGINT, SIGHUP})
    ::signal(sig, SIG_DFL);
  // A log on a pipe whose reader left must not kill a server; the write just fails.
  ::signal(SIGPIPE, SIG_IGN);
}

}  // namespace vigil::demo
