// `vigil run` under systemd's notification protocol, seen from systemd's side: the test binds
// the AF_UNIX datagram socket systemd would, hands it to vigil as $NOTIFY_SOCKET (and asks for
// watchdog pings with $WATCHDOG_USEC/$WATCHDOG_PID), and reads what vigil sends.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tests/cli/process_runner.hpp"

namespace {

using namespace std::chrono_literals;
using vigil::testing::ChildProcess;
namespace fs = std::filesystem;

const std::string kVigil = VIGIL_BINARY_DIR "/bin/vigil";

class TempDir {
 public:
  TempDir() {
    std::string templ = ::testing::TempDir() + "vigil-notify-XXXXXX";
    path_ = mkdtemp(templ.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// The socket systemd listens on for a Type=notify service.
class NotifySocket {
 public:
  explicit NotifySocket(const fs::path& path) : path_(path) {
    fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (fd_ < 0 || path.string().size() >= sizeof addr.sun_path)
      throw std::runtime_error("cannot make a notify socket at " + path.string());
    std::strcpy(addr.sun_path, path.c_str());
    if (bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
      throw std::runtime_error("cannot bind " + path.string() + ": " + std::strerror(errno));
  }
  ~NotifySocket() {
    close(fd_);
    unlink(path_.c_str());
  }

  // Receives until a message matches or the limit passes; the match's index in messages().
  std::optional<std::size_t> wait_for(const std::function<bool(const std::string&)>& match,
                                      std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (std::size_t i = seen_;; ++i) {
      while (i >= messages_.size()) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
          return std::nullopt;
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, static_cast<int>(left.count())) <= 0)
          continue;
        char buf[4096];
        const ssize_t got = recv(fd_, buf, sizeof buf, 0);
        if (got > 0)
          messages_.emplace_back(buf, static_cast<std::size_t>(got));
      }
      if (match(messages_[i])) {
        seen_ = i + 1;
        return i;
      }
    }
  }

  // The next message holding `line` as one of its lines ("READY=1").
  std::optional<std::size_t> wait_for_line(const std::string& line,
                                           std::chrono::milliseconds limit) {
    return wait_for([&line](const std::string& m) { return has_line(m, line); }, limit);
  }

  // Everything received so far and until the socket stays quiet for `quiet`.
  const std::vector<std::string>& drain(std::chrono::milliseconds quiet) {
    wait_for([](const std::string&) { return false; }, quiet);
    return messages_;
  }

  const std::vector<std::string>& messages() const { return messages_; }

  static bool has_line(const std::string& message, const std::string& line) {
    std::istringstream in(message);
    for (std::string l; std::getline(in, l);) {
      if (l == line)
        return true;
    }
    return false;
  }
  static std::optional<std::string> field(const std::string& message, const std::string& key) {
    std::istringstream in(message);
    for (std::string l; std::getline(in, l);) {
      if (l.rfind(key + "=", 0) == 0)
        return l.substr(key.size() + 1);
    }
    return std::nullopt;
  }

 private:
  fs::path path_;
  int fd_ = -1;
  std::vector<std::string> messages_;
  std::size_t seen_ = 0;
};

// Two noop checks due once an hour: after their first results vigil's main loop has nothing
// to do for a long time, so only the watchdog makes it wake.
std::string write_config(const TempDir& dir) {
  const fs::path file = dir.path() / "vigil.yaml";
  std::ofstream(file) << R"(
pipelines:
  - name: p
    defaults: {interval: 1h, timeout: 5s}
    checks:
      - name: a
        plugin: noop
      - name: b
        plugin: noop
)";
  return file.string();
}

// vigil run, exec'd by a shell that first sets $WATCHDOG_PID to its own pid, which exec keeps:
// the way systemd names the process the watchdog is for. `watchdog_pid` overrides it.
std::vector<std::string> run_under_shell(const TempDir& dir, const std::string& watchdog_pid) {
  return {"/bin/sh",
          "-c",
          "WATCHDOG_PID=" + watchdog_pid + " exec \"$0\" \"$@\"",
          kVigil,
          "run",
          "--config",
          write_config(dir),
          "--state-dir",
          (dir.path() / "state").string()};
}

std::size_t count_line(const std::vector<std::string>& messages, std::size_t from,
                       const std::string& line) {
  return static_cast<std::size_t>(
      std::count_if(messages.begin() + static_cast<std::ptrdiff_t>(from), messages.end(),
                    [&line](const std::string& m) { return NotifySocket::has_line(m, line); }));
}

TEST(SystemdNotify, ReadyWatchdogReloadStopInOrder) {
  TempDir dir;
  NotifySocket systemd(dir.path() / "notify.sock");
  ChildProcess vigil(
      run_under_shell(dir, "$$"),
      {"NOTIFY_SOCKET=" + (dir.path() / "notify.sock").string(), "WATCHDOG_USEC=400000"});

  const auto ready = systemd.wait_for_line("READY=1", 60s);
  ASSERT_TRUE(ready) << vigil.finish(30s).err;
  EXPECT_TRUE(NotifySocket::field(systemd.messages()[*ready], "STATUS"))
      << "READY=1 without STATUS";
  const auto watching = systemd.wait_for(
      [](const std::string& m) {
        return NotifySocket::field(m, "STATUS").value_or("") == "watching 2 checks";
      },
      30s);
  ASSERT_TRUE(watching);

  // Half of 400 ms between pings; the checks alone would leave the loop asleep for a minute.
  std::optional<std::size_t> ping;
  for (int i = 0; i < 5; ++i) {
    ping = systemd.wait_for_line("WATCHDOG=1", 20s);
    ASSERT_TRUE(ping) << "watchdog ping " << i + 1 << " of 5 missing";
  }

  vigil.signal(SIGHUP);
  const auto reloading = systemd.wait_for_line("RELOADING=1", 20s);
  ASSERT_TRUE(reloading);
  const std::string usec =
      NotifySocket::field(systemd.messages()[*reloading], "MONOTONIC_USEC").value_or("");
  EXPECT_FALSE(usec.empty()) << "RELOADING=1 without MONOTONIC_USEC";
  EXPECT_TRUE(std::all_of(usec.begin(), usec.end(), ::isdigit)) << usec;
  const auto ready_again = systemd.wait_for_line("READY=1", 20s);
  ASSERT_TRUE(ready_again);

  vigil.signal(SIGTERM);
  const auto stopping = systemd.wait_for_line("STOPPING=1", 20s);
  ASSERT_TRUE(stopping);
  const auto out = vigil.finish(60s);
  EXPECT_EQ(out.exit_code, 0) << out.err;
  EXPECT_EQ(out.err.find("cannot notify systemd"), std::string::npos) << out.err;

  // wait_for only moves forward, so the indices are the order they were sent in.
  EXPECT_LT(*ready, *watching);
  EXPECT_LT(*watching, *ping);
  EXPECT_LT(*ping, *reloading);
  EXPECT_LT(*reloading, *ready_again);
  EXPECT_LT(*ready_again, *stopping);
  EXPECT_EQ(count_line(systemd.messages(), 0, "READY=1"), 2U);
}

TEST(SystemdNotify, NoPingsWhenTheWatchdogIsForAnotherProcess) {
  TempDir dir;
  NotifySocket systemd(dir.path() / "notify.sock");
  ChildProcess vigil(
      run_under_shell(dir, "1"),
      {"NOTIFY_SOCKET=" + (dir.path() / "notify.sock").string(), "WATCHDOG_USEC=100000"});
  ASSERT_TRUE(systemd.wait_for_line("READY=1", 60s)) << vigil.finish(30s).err;
  ASSERT_TRUE(systemd.wait_for(
      [](const std::string& m) {
        return NotifySocket::field(m, "STATUS").value_or("").rfind("watching", 0) == 0;
      },
      30s));
  // Ten ping intervals of quiet: enough for pings to show if they were being sent.
  systemd.drain(1s);
  vigil.signal(SIGTERM);
  ASSERT_TRUE(systemd.wait_for_line("STOPPING=1", 20s));
  EXPECT_EQ(vigil.finish(60s).exit_code, 0);
  EXPECT_EQ(count_line(systemd.messages(), 0, "WATCHDOG=1"), 0U);
}

TEST(SystemdNotify, AMissingSocketIsOneWarningNotAFailure) {
  TempDir dir;
  ChildProcess vigil(run_under_shell(dir, "$$"),
                     {"NOTIFY_SOCKET=" + (dir.path() / "nobody-listens.sock").string()});
  ASSERT_TRUE(vigil.wait_for_stderr("watching 2 checks", 60s));
  vigil.signal(SIGTERM);
  const auto out = vigil.finish(60s);
  EXPECT_EQ(out.exit_code, 0) << out.err;
  const std::string warning = "cannot notify systemd through $NOTIFY_SOCKET";
  const auto first = out.err.find(warning);
  EXPECT_NE(first, std::string::npos) << out.err;
  EXPECT_EQ(out.err.find(warning, first + 1), std::string::npos) << out.err;
}

}  // namespace
