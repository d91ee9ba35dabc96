#pragma once
// Integration-test support: runs a real server binary (node_exporter, Prometheus) on a free
// loopback port and always stops it, also when an assertion fails half-way through a test.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <curl/curl.h>

namespace vigil::testing_support {

// A port the kernel just handed out and released; a race with another process taking it in
// between is possible but rare, and shows as the server failing to start.
inline int free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  int port = 0;
  if (fd >= 0 && ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  if (fd >= 0)
    ::close(fd);
  return port;
}

inline bool executable(const std::string& path) {
  return ::access(path.c_str(), X_OK) == 0;
}

// GETs a URL; returns the HTTP status (0 when the connection failed) and the body.
inline long http_get(const std::string& url, std::string& body,
                     std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
  body.clear();
  CURL* curl = curl_easy_init();
  if (curl == nullptr)
    return 0;
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(
      curl, CURLOPT_WRITEFUNCTION, +[](char* data, std::size_t size, std::size_t n, void* out) {
        static_cast<std::string*>(out)->append(data, size * n);
        return size * n;
      });
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &body);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  return status;
}

// Polls a URL until it answers 200, for at most `limit`; true when it did.
inline bool wait_until_ready(const std::string& url, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  std::string body;
  while (std::chrono::steady_clock::now() < until) {
    if (http_get(url, body, std::chrono::seconds(1)) == 200)
      return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A child process, killed and reaped when this goes out of scope. Its output goes to `log`.
class ChildProcess {
 public:
  ChildProcess(const std::vector<std::string>& argv, const std::string& log) {
    std::vector<char*> args;
    for (const auto& a : argv)
      args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ == 0) {
      const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
      if (fd >= 0) {
        ::dup2(fd, 1);
        ::dup2(fd, 2);
      }
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(); }

  pid_t pid() const noexcept { return pid_; }
  bool running() const {
    if (pid_ <= 0)
      return false;
    int status = 0;
    return ::waitpid(pid_, &status, WNOHANG) == 0;
  }
  void stop() {
    if (pid_ <= 0)
      return;
    ::kill(pid_, SIGTERM);
    // Prometheus flushes its head block on SIGTERM; give it a moment, then insist.
    for (int i = 0; i < 100; ++i) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ::kill(pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }

 private:
  pid_t pid_ = -1;
};

// node_exporter with just the collectors node_resources compares with; the filesystem collector
// is told to keep overlay and tmpfs roots, which containers have and its defaults leave out.
inline std::vector<std::string> node_exporter_argv(const std::string& binary, int port) {
  return {binary,
          "--web.listen-address=127.0.0.1:" + std::to_string(port),
          "--collector.disable-defaults",
          "--collector.cpu",
          "--collector.meminfo",
          "--collector.loadavg",
          "--collector.filesystem",
          "--collector.filesystem.fs-types-exclude=^(proc|sysfs|cgroup2?|devpts|mqueue)$"};
}

}  // namespace vigil::testing_support
