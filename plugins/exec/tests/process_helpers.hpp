#pragma once
// Helpers for tests that run real processes: a private scratch directory for scripts, and a way
// to wait for a killed process group to be gone.
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace vigil::exec::test {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = ::testing::TempDir() + "vigil-exec-XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = std::filesystem::canonical(pattern);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }

  const std::filesystem::path& path() const noexcept { return path_; }

  // Writes `body` under a /bin/sh shebang; executable unless told otherwise.
  std::string script(const std::string& name, const std::string& body, bool executable = true) {
    const auto file = path_ / name;
    std::ofstream(file) << "#!/bin/sh\n" << body << "\n";
    ::chmod(file.c_str(), executable ? 0755 : 0644);
    return file.string();
  }

 private:
  std::filesystem::path path_;
};

// Members of process group `pgid` that have not died yet. Zombies count as dead: whether one is
// reaped is its parent's business, and an orphan here may wait on a PID 1 that never reaps.
inline std::vector<pid_t> live_members(pid_t pgid) {
  std::vector<pid_t> members;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat_file(entry.path() / "stat");
    std::string stat;
    if (!std::getline(stat_file, stat)) {
      continue;  // it exited while we looked
    }
    // "pid (comm) state ppid pgrp ...", where comm may hold spaces and parentheses.
    const auto after_comm = stat.rfind(')');
    if (after_comm == std::string::npos) {
      continue;
    }
    char state = 0;
    long parent = 0;
    long group = 0;
    std::istringstream fields(stat.substr(after_comm + 1));
    if (!(fields >> state >> parent >> group)) {
      continue;
    }
    if (group == pgid && state != 'Z' && state != 'X') {
      members.push_back(static_cast<pid_t>(std::stol(name)));
    }
  }
  return members;
}

// Waits until every member of group `pgid` has died, or `limit` passes. SIGKILL is delivered
// asynchronously, so a member may still be on its way out when the call under test returns; a
// pidfd becomes readable the moment its process exits (our child or not), so this waits on that
// event rather than on a timer.
inline bool group_dies_within(pid_t pgid, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  for (auto members = live_members(pgid); !members.empty(); members = live_members(pgid)) {
    for (const pid_t pid : members) {
      const int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
      if (pidfd < 0) {
        continue;  // already gone and reaped
      }
      const auto left =
          std::chrono::ceil<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      pollfd exit_event{pidfd, POLLIN, 0};
      const int ready =
          left.count() > 0 ? ::poll(&exit_event, 1, static_cast<int>(left.count())) : 0;
      ::close(pidfd);
      if (ready == 0) {
        return false;
      }
    }
  }
  return true;
}

}  // namespace vigil::exec::test
