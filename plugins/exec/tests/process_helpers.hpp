#pragma once
// Helpers for tests that run real processes: a private scratch directory for scripts, and a way
// to ask whether anything of a process group is still alive.
#include <sys/stat.h>
#include <sys/types.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

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

// True while some process of group `pgid` has not yet died (zombies count as dead: whether one
// is reaped is its parent's business, and orphans here may wait on a PID 1 that never reaps).
inline bool group_has_live_members(pid_t pgid) {
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) {
      continue;
    }
    std::ifstream stat_file(entry.path() / "stat");
    std::string stat;
    if (!std::getline(stat_file, stat))
      continue;  // it exited while we looked
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
      return true;
    }
  }
  return false;
}

// Polls `condition` until it holds or `limit` passes: a bounded wait for the kernel to finish
// delivering SIGKILL, not a sleep standing in for synchronisation.
inline bool eventually(const std::function<bool()>& condition,
                       std::chrono::milliseconds limit = std::chrono::seconds{5}) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!condition()) {
    if (std::chrono::steady_clock::now() >= until) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds{5});
  }
  return true;
}

}  // namespace vigil::exec::test
